"""What a question is about within a framework: sub-indices by code or by name, pillars, or the
total."""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass

from parsing.codes import CodeMention
from parsing.intents import TOTAL, Subject, SubjectKind
from parsing.lexicon import FrameworkEntry, Lexicon
from parsing.phrases import accent_key
from parsing.pillars import PillarMention
from parsing.reading import Reading
from parsing.subindex_names import NAMED_AT, Unit, evidence_of, features, named, ranked
from parsing.tokens import WORD, fold_chars

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


_GAP: Unit = ((), False)


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
    index = first
    while index < last:
        owner = reading.owner[index]
        if owner < 0:
            unit = _loose(reading, index, taken, lexicon)
            every.append(unit)
            core.append(unit)
            index += 1
            continue
        meaning = reading.meanings[owner]
        end = min(reading.hits[owner].last, last)
        words = meaning.canonical or tuple(reading.words[index:end])
        if meaning.support:
            every.append((words, True))
            core.append(_GAP)
        elif meaning.core and not any(i in taken for i in range(index, end)):
            unit = (words, meaning.canonical is not None)
            every.append(unit)
            core.append(unit)
        else:
            every.append(_GAP)
            core.append(_GAP)
        index = end
    return every, core


def _loose(reading: Reading, index: int, taken: Container[int], lexicon: Lexicon) -> Unit:
    """A word no phrase claims, unless an ordinary one ("vào", "của") or spelled unlike the
    names' word it folds to."""
    if reading.kinds[index] != WORD or index in taken:
        return _GAP
    if accent_key(reading.written[index]) in lexicon.ordinary:
        return _GAP
    if not _spelled_as_in_names(reading, index, lexicon.name_spellings):
        return _GAP
    return ((reading.words[index],), False)


def _spelled_as_in_names(
    reading: Reading, index: int, spellings: dict[str, frozenset[str]]
) -> bool:
    """A word typed with diacritics must be spelled as in the names: "cả" is not the "cá" of
    "cá nhân", "họp" not the "hợp" of "hợp đồng"."""
    typed, word = reading.written[index], reading.words[index]
    if typed.isascii() and reading.tokens.source.isascii() or fold_chars(typed) != word:
        return True  # typed without diacritics, or corrected from a typo
    known = spellings.get(word)
    return known is None or accent_key(typed) in known


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
    if not any(words for words, _ in core):
        return (), 0.0
    candidates = ranked(entry.names, features(every))
    strength = evidence_of(entry.names, features(core), (code for _, code in candidates))
    found = named(candidates, strength)
    return found, strength.get(found[0], 0.0) if found else 0.0


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
