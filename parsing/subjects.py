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
from parsing.subindex_names import (
    GAP,
    NAMED_AT,
    canonical,
    features,
    named,
    ranked,
    without_ordinary,
)
from parsing.tokens import WORD, fold_chars

# Markers that only give context to the words around them and may also be ordinary words of a
# name: "số" (ordinal) in "chữ ký số", "chứ" (question tail) folded like "chủ".
CLEAR = 3 * NAMED_AT  # name evidence from which the subject overrides summary words
_CONTEXT_ONLY = frozenset({"agency_head", "ordinal", "count", "question_tail", "targets"})


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


def name_words(
    reading: Reading, first: int, last: int, taken: Container[int], lexicon: Lexicon
) -> tuple[list[str], list[str]]:
    """The words of reading[first:last] that may belong to a sub-index name, with GAP where
    other words were left out: (every such word, only the core ones). Support words — a
    pillar's or an agency's name, "chuyển đổi số" — help choose among names that share the core
    words but cannot name a sub-index alone ("điểm chính quyền số" is pillar 6, not 2.3)."""
    every: list[str] = []
    core: list[str] = []
    for index in range(first, last):
        kind = _word_kind(reading, index, taken, lexicon)
        every.append(reading.words[index] if kind else GAP)
        core.append(reading.words[index] if kind == _CORE else GAP)
    written = reading.written[first:last]
    return (
        without_ordinary(every, written, lexicon.synonyms, lexicon.ordinary),
        without_ordinary(core, written, lexicon.synonyms, lexicon.ordinary),
    )


_CORE, _SUPPORT = "core", "support"


def _word_kind(reading: Reading, index: int, taken: Container[int], lexicon: Lexicon) -> str:
    if reading.kinds[index] != WORD:
        return ""
    if not _spelled_as_in_names(reading, index, lexicon.name_spellings):
        return ""
    senses = reading.senses(index)
    if any(s.kind in ("pillar", "agency") or s.name == "total" for s in senses):
        return _SUPPORT
    if index in taken:
        return ""
    if all(s.kind == "name" or s.kind == "marker" and s.name in _CONTEXT_ONLY for s in senses):
        return _CORE
    return ""


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
    every, core = name_words(reading, first, end, taken, lexicon)
    if not any(core):
        return (), 0.0
    synonyms = lexicon.synonyms
    candidates = ranked(entry.names, features(canonical(every, synonyms)))
    only_core = ranked(entry.names, features(canonical(core, synonyms)))
    strength = {code: score for score, code in only_core}
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
