"""Phrases found in a run of tokens, longest first: the one matcher behind cues, markers, names
of pillars, agencies, provinces and frameworks, and synonyms.

Matching ignores diacritics, so "diem" finds "điểm"; but a word typed with diacritics that is a
different word the lexicon knows does not match: "về" (about) is not the cue "vẽ" (draw), "sở"
(department) not "số" (number).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

T = TypeVar("T")
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng


@lru_cache(maxsize=8192)
def accent_key(word: str) -> str:
    """A word's letters and tone wherever the tone mark sits: "hoà" and "hòa" are one word."""
    parts = unicodedata.normalize("NFD", word)
    tones = "".join(sorted(c for c in parts if c in _TONES))
    letters = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
    return f"{letters}|{tones}"


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    """Tokens first..last-1 spell a phrase carrying `senses`."""

    first: int
    last: int
    senses: tuple[T, ...]


class PhraseIndex(Generic[T]):
    """Phrases (tuples of folded words, each with the words as written) and their senses."""

    def __init__(
        self,
        entries: Iterable[tuple[tuple[str, ...], tuple[str, ...], T]],
        known: Iterable[str] = (),
    ) -> None:
        """`entries`: (folded words, words as written, sense); `known`: other words as written
        that a typed word may be (the names' words), so it is not taken for a phrase's word."""
        table: dict[tuple[str, ...], dict[tuple[str, ...], list[T]]] = {}
        for phrase, written, sense in entries:
            if not phrase:
                continue
            held = table.setdefault(phrase, {}).setdefault(written, [])
            if sense not in held:
                held.append(sense)
        self._table = {
            phrase: tuple((written, tuple(senses)) for written, senses in forms.items())
            for phrase, forms in table.items()
        }
        longest: dict[str, int] = {}
        for phrase in self._table:
            longest[phrase[0]] = max(longest.get(phrase[0], 0), len(phrase))
        self._longest = longest
        words = {w for forms in self._table.values() for written, _ in forms for w in written}
        self._known = frozenset(accent_key(w) for w in (*words, *known))

    def __contains__(self, phrase: tuple[str, ...]) -> bool:
        return phrase in self._table

    def senses(self, phrase: tuple[str, ...]) -> tuple[T, ...]:
        return tuple(s for _, senses in self._table.get(phrase, ()) for s in senses)

    def phrases(self) -> Iterable[tuple[str, ...]]:
        return self._table.keys()

    def written(self) -> Iterable[str]:
        """Every word as the phrases write it."""
        return {w for forms in self._table.values() for written, _ in forms for w in written}

    def knows(self, written: str) -> bool:
        """Whether a word so written (diacritics and all) is a word of the phrases."""
        return accent_key(written) in self._known

    def at(
        self,
        words: Sequence[str],
        first: int,
        stop: int | None = None,
        typed: Sequence[str] | None = None,
        strict: bool = False,
    ) -> Hit[T] | None:
        """The longest phrase starting at `first` and ending by `stop`, if any. With `typed`
        (the words as typed, lower case) a differently accented known word does not match;
        `strict` (the message uses diacritics) holds words typed without any to that too."""
        width = self._longest.get(words[first], 0)
        end = len(words) if stop is None else stop
        for size in range(min(width, end - first), 0, -1):
            forms = self._table.get(tuple(words[first : first + size]))
            if forms is None:
                continue
            if typed is None:
                senses = tuple(s for _, found in forms for s in found)
            else:
                senses = tuple(
                    s
                    for written, found in forms
                    if self._compatible(written, typed, first, strict)
                    for s in found
                )
            if senses:
                return Hit(first, first + size, senses)
        return None

    def _compatible(
        self, written: tuple[str, ...], typed: Sequence[str], first: int, strict: bool
    ) -> bool:
        for offset, word in enumerate(written):
            seen = typed[first + offset]
            if seen == word or word.isascii() or (seen.isascii() and not strict):
                continue
            key = accent_key(seen)
            if key != accent_key(word) and key in self._known:
                return False
        return True

    def scan(
        self,
        words: Sequence[str],
        stop: int | None = None,
        typed: Sequence[str] | None = None,
        strict: bool = False,
    ) -> list[Hit[T]]:
        """Non-overlapping phrases, left to right, the longest at each place."""
        hits: list[Hit[T]] = []
        end = len(words) if stop is None else stop
        index = 0
        while index < end:
            hit = self.at(words, index, end, typed, strict)
            if hit is None:
                index += 1
            else:
                hits.append(hit)
                index = hit.last
        return hits
