"""What a question is about within a framework: sub-indices by code or by name, pillars, or the
total."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Container, Iterable
from dataclasses import dataclass
from operator import itemgetter

from parsing.codes import CodeMention
from parsing.intents import TOTAL, Subject, SubjectKind
from parsing.lexicon import FrameworkEntry, Lexicon
from parsing.phrases import accent_key
from parsing.pillars import PillarMention
from parsing.reading import NamePart, Reading
from parsing.subindex_names import GAP_UNIT, NAMED_AT, Unit, named, unit
from parsing.tokens import fold_chars

# Markers that only give context to the words around them and may also be ordinary words of a
# name: "số" (ordinal) in "chữ ký số", "chứ" (question tail) folded like "chủ".
CLEAR = 3 * NAMED_AT  # name evidence from which the subject overrides summary words


@dataclass(frozen=True, slots=True)
class SubjectReading:
    subjects: tuple[Subject, ...]  # one when clear; up to three close ones; () for none named
    unknown_code: str = ""  # a code the framework does not hold ("3.9")
    clear: bool = True  # by code, number or pillar name, or by much of a sub-index's name

    @property
    def subject(self) -> Subject:
        return self.subjects[0] if self.subjects else TOTAL

    @property
    def named(self) -> bool:
        return bool(self.subjects)


_GAP = GAP_UNIT
_CACHED = 50_000
_START, _END = itemgetter(0), itemgetter(1)
_WORDS = itemgetter(0)  # of a unit


def name_units(
    reading: Reading, first: int, last: int, taken: Container[int], lexicon: Lexicon
) -> tuple[list[Unit], list[Unit]]:
    """The words of reading[first:last] that may belong to a sub-index name, as units (a phrase
    of the synonym table in the names' wording, or a loose word), with gaps where other words
    were left out: (every such unit, only the core ones). Support words — a pillar's or an
    agency's name, "chuyển đổi số" — help choose among names that share the core words but
    cannot name a sub-index alone ("điểm chính quyền số" is pillar 6, not 2.3)."""
    every: list[Unit] = []
    core: list[Unit] = []
    parts = _name_parts(reading, lexicon)
    read_to = first  # where the words already turned into units end
    for start, end, found, meaning in parts[bisect_right(parts, first, key=_END) :]:
        if start >= last:
            break
        if start > read_to and every and every[-1] is not _GAP:
            every.append(_GAP)  # other words between: the units are no neighbours
            core.append(_GAP)
        if meaning is None:  # a loose word
            found = found if start not in taken else _GAP
            every.append(found)
            core.append(found)
            read_to = end
            continue
        if start < first or end > last:  # a phrase cut by the range's ends
            start, end = max(start, first), min(end, last)
            words = meaning.canonical or tuple(reading.words[start:end])
            found = unit(words, meaning.support or meaning.canonical is not None)
        read_to = end
        if meaning.support:
            every.append(found)
            core.append(_GAP)
        elif not any(i in taken for i in range(start, end)):
            every.append(found)
            core.append(found)
        else:
            every.append(_GAP)
            core.append(_GAP)
    return every, core


def _name_parts(reading: Reading, lexicon: Lexicon) -> list[NamePart]:
    """The runs of words that may belong to a sub-index name, in order: each phrase whose words
    may be a name's core words or support them, and each word no phrase claims that the names
    hold (spelled as they spell it, not an ordinary word); every other word is a gap. Worked
    out once a message."""
    if reading.name_parts is not None:
        return reading.name_parts
    words, written, owner = reading.words, reading.written, reading.owner
    vocabulary, cache = lexicon.name_vocabulary, lexicon.loose_units
    parts: list[NamePart] = []
    # The words no phrase claims (owner -1) that the names hold, each a unit of its own.
    for index in [i for i, word in enumerate(words) if owner[i] < 0 and word in vocabulary]:
        key = (words[index], written[index], reading.strict(index))
        found = cache.get(key)
        if found is None:
            found = _loose_unit(*key, lexicon)
            if len(cache) < _CACHED:  # bounded: a stream of new words cannot grow it
                cache[key] = found
        if found is not _GAP:
            parts.append((index, index + 1, found, None))
    for hit, meaning in zip(reading.hits, reading.meanings, strict=True):
        if meaning.support or meaning.core:
            found = meaning.unit
            if found is None:  # a phrase whose senses diacritics narrowed: no unit worked out
                words_of_hit = meaning.canonical or tuple(words[hit.first : hit.last])
                found = unit(words_of_hit, meaning.support or meaning.canonical is not None)
            parts.append((hit.first, hit.last, found, meaning))
    parts.sort(key=_START)  # no two parts start at one word
    reading.name_parts = parts
    return parts


def _loose_unit(word: str, written: str, strict: bool, lexicon: Lexicon) -> Unit:
    if accent_key(written) in lexicon.ordinary:
        return _GAP
    # Typed with diacritics, a word must be spelled as in the names: "cả" is not the "cá" of
    # "cá nhân", "họp" not the "hợp" of "hợp đồng" (a typo corrected is spelled anew).
    checked = (strict or not written.isascii()) and fold_chars(written) == word
    known = lexicon.name_spellings.get(word)
    if checked and known is not None and accent_key(written) not in known:
        return _GAP
    canonical = lexicon.synonyms.senses((word,))  # "online" reads "trực tuyến"
    return unit(canonical[0], True) if canonical else unit((word,), False)


def subs_by_name(
    reading: Reading,
    lexicon: Lexicon,
    entry: FrameworkEntry,
    taken: Container[int],
    first: int = 0,
    last: int | None = None,
) -> tuple[tuple[str, ...], float]:
    """The sub-indices the words of reading[first:last] name (several when close), and the
    evidence of the best from its core words."""
    end = len(reading) if last is None else last
    every, core = name_units(reading, first, end, taken, lexicon)
    if not any(map(_WORDS, core)):
        return (), 0.0
    return named(entry.names, every, core)


def resolve(
    reading: Reading,
    lexicon: Lexicon,
    entry: FrameworkEntry,
    codes: list[CodeMention],
    pillars: list[PillarMention],
    taken: Container[int],
) -> SubjectReading:
    """Codes first, then a sub-index named in words, then pillars; none: the total."""
    known = _unique(c.code for c in codes if c.known)
    if known:
        return SubjectReading(tuple(Subject(SubjectKind.SUB_INDEX, c) for c in known[:3]))
    unknown = next((c.code for c in codes if not c.known), "")
    by_name: tuple[str, ...] = ()
    strength = 0.0
    if reading.focus is not None:  # the sentence that asks names it, not the context
        by_name, strength = subs_by_name(reading, lexicon, entry, taken, *reading.focus)
    if not by_name:
        by_name, strength = subs_by_name(reading, lexicon, entry, taken)
    if by_name:
        subjects = tuple(Subject(SubjectKind.SUB_INDEX, c) for c in by_name)
        return SubjectReading(subjects, unknown, clear=strength >= CLEAR)
    pillar_codes = _unique(p.code for p in pillars)
    return SubjectReading(tuple(Subject(SubjectKind.PILLAR, c) for c in pillar_codes[:3]), unknown)


def neighbours(entry: FrameworkEntry, code: str) -> tuple[str, ...]:
    """Up to three sub-indices nearest an unknown code, in its pillar when it has one."""
    pillar, _, number = code.partition(".")
    found = entry.framework.pillar(pillar)
    pool = found.sub_indices if found else entry.framework.sub_indices
    target = int(number) if number.isdigit() else 0

    def distance(code: str) -> int:
        tail = code.rpartition(".")[2]
        return abs(int(tail) - target) if tail.isdigit() else 99

    return tuple(s.code for s in sorted(pool, key=lambda s: distance(s.code))[:3])


def _unique(codes: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for code in codes:
        if code not in seen:
            seen.append(code)
    return seen
