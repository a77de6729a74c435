"""Sub-indices named in words: "chữ ký số cá nhân" is 8.2, "hồ sơ nộp online" is 6.5.

A name is matched on its meaning-bearing words, not as a whole string: the words of the message
and of every name are first rewritten through the synonym table (so "chữ ký số" reads as the
names' "chứng thư số", "online" as "trực tuyến"), then each single word and each pair of
neighbouring words counts by its inverse document frequency over the framework's names. A word
found in one name ("chứng thư") says much; one found in half of them ("tỷ lệ", "chuyển đổi số",
"tỉnh") says almost nothing. A pair counts more than its words, since it keeps their order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from parsing.phrases import PhraseIndex, accent_key
from scoring.model import Framework

GAP = ""  # between words that were not neighbours in the message
# Weights by kind of feature, times its rarity: a pair of words inside one phrase ("chứng thư",
# "trực tuyến") says most; a lone word, or two neighbours from different phrases ("phủ" +
# "băng rộng"), half as much; a three-letter word a quarter ("vào", "kpi" fold like many
# others); shorter words nothing ("cả" and "cá", "đã" and "đa" fold alike).
PAIR, LOOSE_PAIR, SINGLE, SHORT_SINGLE = 1.0, 0.5, 0.5, 0.25
SHORTEST = 3
NAMED_AT = 1.9  # evidence from which a sub-index counts as named: a word only one name has
DISTINCT = 2.5  # a runner-up with less than this less evidence makes the reading ambiguous

# A run of words: a phrase of the synonym table (in the names' wording) or one loose word,
# whether a phrase, and the features inside it.
Unit = tuple[tuple[str, ...], bool, frozenset[str]]


@lru_cache(maxsize=16_384)
def unit(words: tuple[str, ...], phrase: bool) -> Unit:
    """The unit of these words, with the features inside them (units recur: made once)."""
    found = {word for word in words if len(word) >= SHORTEST}
    mark = " " if phrase else "+"
    found.update(f"{a}{mark}{b}" for a, b in zip(words, words[1:], strict=False))
    return words, phrase, frozenset(found)


GAP_UNIT = unit((), False)


@dataclass(frozen=True, slots=True)
class NameIndex:
    """For one framework: each feature's sub-indices with its weight."""

    codes: tuple[str, ...]
    # feature -> (its weight, the sub-indices whose names have it, by position in `codes`)
    postings: dict[str, tuple[float, tuple[int, ...]]]
    totals: tuple[float, ...]  # the whole weight of each name


def canonical(words: Sequence[str], synonyms: PhraseIndex[tuple[str, ...]]) -> list[Unit]:
    """The words cut into units, every synonym replaced by the names' wording."""
    out: list[Unit] = []
    index = 0
    while index < len(words):
        if words[index] == GAP:
            out.append(GAP_UNIT)
            index += 1
            continue
        hit = synonyms.at(words, index)
        if hit is None:
            out.append(unit((words[index],), False))
            index += 1
        else:
            out.append(unit(hit.senses[0], True))
            index = hit.last
    return out


def without_ordinary(
    words: Sequence[str],
    written: Sequence[str],
    synonyms: PhraseIndex[tuple[str, ...]],
    ordinary: frozenset[str],
) -> list[str]:
    """GAP for each ordinary word ("vào", "của", by accent_key of the word as written) outside
    the synonym table's phrases: "một" goes, but "một cửa" stays whole."""
    out = list(words)
    index = 0
    while index < len(words):
        hit = synonyms.at(words, index) if words[index] != GAP else None
        if hit is not None and hit.last - hit.first > 1:
            index = hit.last
            continue
        if accent_key(written[index]) in ordinary:
            out[index] = GAP
        index += 1
    return out


def features(units: Sequence[Unit]) -> set[str]:
    """Single words, pairs of neighbours inside a phrase ("a b"), and pairs across phrases or
    loose words ("a+b", counting half): "hồ sơ" + "trực tuyến" name 6.5 ("hồ sơ nộp trực
    tuyến") about as much as 6.6 ("hồ sơ trực tuyến toàn trình")."""
    found: set[str] = set()
    previous = ""
    for words, _, inside in units:
        if not words:
            previous = ""
            continue
        found |= inside
        if previous:
            found.add(f"{previous}+{words[0]}")
        previous = words[-1]
    return found


def _weight(feature: str, frequency: int, count: int) -> float:
    rarity = math.log(count / frequency)
    if " " in feature:
        return rarity * PAIR
    if "+" in feature:
        return rarity * LOOSE_PAIR
    return rarity * (SHORT_SINGLE if len(feature) == SHORTEST else SINGLE)


def build_name_index(
    framework: Framework,
    synonyms: PhraseIndex[tuple[str, ...]],
    words_of: Callable[[str], Sequence[str]],
) -> NameIndex:
    """The features of every sub-index name of a framework, weighted by their rarity;
    `words_of` cuts a name into folded words (GAP for the ordinary ones)."""
    subs = framework.sub_indices
    named = [features(canonical(words_of(s.name), synonyms)) for s in subs]
    frequency: dict[str, int] = {}
    for found in named:
        for feature in found:
            frequency[feature] = frequency.get(feature, 0) + 1
    count = max(len(subs), 1)
    weights = {feature: _weight(feature, df, count) for feature, df in frequency.items()}
    postings: dict[str, list[int]] = {}
    for position, found in enumerate(named):
        for feature in found:
            if weights[feature] > 0:
                postings.setdefault(feature, []).append(position)
    return NameIndex(
        tuple(s.code for s in subs),
        {f: (weights[f], tuple(positions)) for f, positions in postings.items()},
        tuple(sum(weights[f] for f in found) for found in named),
    )


def named(
    index: NameIndex, every: Sequence[Unit], core: Sequence[Unit]
) -> tuple[tuple[str, ...], float]:
    """The sub-indices the units name: one when it is clear, up to three close ones, none when
    the evidence is weak; and the best one's evidence from its core units alone, which must
    reach NAMED_AT (support units only help choose among names)."""
    core_features = features(core)
    strength = _evidence(index, core_features, [0.0] * len(index.codes))
    if max(strength, default=0.0) < NAMED_AT:
        return (), 0.0  # most messages: no sub-index named, nothing more to rank
    evidence = _evidence(index, features(every) - core_features, strength.copy())
    totals = index.totals
    # The four with the most evidence (the first of equals); of those close to the best, the
    # most evidence first, then the closest to their whole name.
    leading = sorted(range(len(evidence)), key=evidence.__getitem__, reverse=True)[:4]
    floor = max(evidence[leading[0]] - DISTINCT, 0.0)
    close = sorted(
        (at for at in leading if evidence[at] > floor),
        key=lambda at: (-evidence[at], -evidence[at] / totals[at], at),
    )
    if strength[close[0]] < NAMED_AT:
        return (), 0.0
    codes = tuple(index.codes[at] for at in close[:3] if strength[at] >= NAMED_AT)
    return codes, round(strength[close[0]], 3)


def _evidence(index: NameIndex, found: Iterable[str], evidence: list[float]) -> list[float]:
    """Each sub-index's evidence (by position) from the features, added to `evidence`."""
    postings = index.postings
    for feature in found:
        held = postings.get(feature)
        if held is not None:
            weight, positions = held
            for position in positions:
                evidence[position] += weight
    return evidence
