"""Phrases found in a run of tokens, longest first: the one matcher behind cues, markers, names
of pillars, agencies, provinces and frameworks, and synonyms.

Matching ignores diacritics, so "diem" finds "điểm"; but a word typed with diacritics that is a
different word the lexicon knows does not match: "về" (about) is not the cue "vẽ" (draw), "sở"
(department) not "số" (number).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import compress
from typing import Any, Generic, NamedTuple, TypeVar

T = TypeVar("T")
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
# A trie node: [children by word, forms of the phrase ending here (or None), every sense of
# them, whether no form has diacritics to check, the note on every sense, the words of its one
# form when it has one].
_CHILDREN, _FORMS, _SENSES, _PLAIN, _NOTE, _WRITTEN = range(6)
_new_tuple = tuple.__new__
_CHECKED = 50_000  # phrases kept with the diacritics they were typed with


@lru_cache(maxsize=8192)
def accent_key(word: str) -> str:
    """A word's letters and tone wherever the tone mark sits: "hoà" and "hòa" are one word."""
    parts = unicodedata.normalize("NFD", word)
    tones = "".join(sorted(c for c in parts if c in _TONES))
    letters = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
    return f"{letters}|{tones}"


class Hit(NamedTuple, Generic[T]):
    """Tokens first..last-1 spell a phrase carrying `senses`; `note` is what the index's
    `annotate` made of them (None when diacritics left only some of the phrase's senses).
    A named tuple: one is made for every phrase of every message."""

    first: int
    last: int
    senses: tuple[T, ...]
    note: Any = None


class PhraseIndex(Generic[T]):
    """Phrases (tuples of folded words, each with the words as written) and their senses."""

    def __init__(
        self,
        entries: Iterable[tuple[tuple[str, ...], tuple[str, ...], T]],
        known: Iterable[str] = (),
        annotate: Callable[[tuple[str, ...], tuple[T, ...]], Any] | None = None,
    ) -> None:
        """`entries`: (folded words, words as written, sense); `known`: other words as written
        that a typed word may be (the names' words), so it is not taken for a phrase's word;
        `annotate`: worked out once per phrase from its words and senses, handed out with each
        hit."""
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
        # One dictionary probe per word matched finds the longest phrase at a place.
        self._root: dict[str, list[Any]] = {}
        for phrase, forms in self._table.items():
            children = self._root
            for word in phrase[:-1]:
                children = children.setdefault(word, [{}, None, (), True, None, None])[_CHILDREN]
            node = children.setdefault(phrase[-1], [{}, None, (), True, None, None])
            senses = tuple(sense for _, held in forms for sense in held)
            node[_FORMS], node[_SENSES] = forms, senses
            node[_PLAIN] = all(w.isascii() for written, _ in forms for w in written)
            node[_NOTE] = annotate(phrase, senses) if annotate else None
            # A phrase typed exactly as its one form is written needs no check.
            node[_WRITTEN] = list(forms[0][0]) if len(forms) == 1 else None
        words = {w for forms in self._table.values() for written, _ in forms for w in written}
        self._known = frozenset(accent_key(w) for w in (*words, *known))
        # (words, as typed, strict) -> (length, senses, note) of the phrase they give, or None
        self._checked: dict[tuple[Any, ...], tuple[int, tuple[T, ...], Any] | None] = {}

    def __contains__(self, phrase: tuple[str, ...]) -> bool:
        return phrase in self._table

    def senses(self, phrase: tuple[str, ...]) -> tuple[T, ...]:
        return tuple(s for _, senses in self._table.get(phrase, ()) for s in senses)

    def phrases(self) -> Iterable[tuple[str, ...]]:
        return self._table.keys()

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
        end = len(words) if stop is None else stop
        children = self._root
        ends: list[tuple[int, list[Any]]] = []  # where a phrase ends, shortest first
        index = first
        while index < end:
            node = children.get(words[index])
            if node is None:
                break
            index += 1
            if node[_FORMS] is not None:
                ends.append((index, node))
            children = node[_CHILDREN]
        return self._longest(ends, first, typed, strict)

    def _longest(
        self,
        ends: list[tuple[int, list[Any]]],
        first: int,
        typed: Sequence[str] | None,
        strict: bool,
    ) -> Hit[T] | None:
        """The longest of the phrases starting at `first` and ending at `ends` whose words'
        diacritics fit what was typed."""
        for last, node in reversed(ends):
            if typed is None or node[_PLAIN]:
                return Hit(first, last, node[_SENSES], node[_NOTE])
            forms = node[_FORMS]
            kept = [f for f in forms if self._compatible(f[0], typed, first, strict)]
            if len(kept) == len(forms):
                return Hit(first, last, node[_SENSES], node[_NOTE])
            if kept:
                return Hit(first, last, tuple(sense for _, held in kept for sense in held))
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
        self, words: Sequence[str], typed: Sequence[str] | None = None, strict: bool = False
    ) -> list[Hit[T]]:
        """Non-overlapping phrases, left to right, the longest at each place (as `at`, which
        this repeats inline for the common case: it runs for every word of every message)."""
        hits: list[Hit[T]] = []
        end = len(words)
        starting: list[Any] = list(map(self._root.get, words))  # each word's node, if any
        index = 0  # the first word after the last phrase found
        for first in compress(range(end), starting):
            if first < index:
                continue
            node = starting[first]
            found, last, following = None, 0, first + 1
            while True:
                if node[_FORMS] is not None:
                    found, last = node, following
                if following == end:
                    break
                node = node[_CHILDREN].get(words[following])
                if node is None:
                    break
                following += 1
            if found is None:
                continue
            if typed is None or found[_PLAIN] or typed[first:last] == found[_WRITTEN]:
                # As Hit(…) makes it, without the call to its Python __new__: one per phrase.
                hits.append(_new_tuple(Hit, (first, last, found[_SENSES], found[_NOTE])))
                index = last
                continue
            hit = self._checked_at(words, first, last, typed, strict)
            if hit is not None:
                hits.append(hit)
                index = hit.last
        return hits

    def _checked_at(
        self, words: Sequence[str], first: int, last: int, typed: Sequence[str], strict: bool
    ) -> Hit[T] | None:
        """`at` for a phrase whose diacritics must be checked against what was typed ("bot"
        is also "bớt"), where the longest phrase starting at `first` ends at `last`: the answer
        depends on those words only, so it is kept for the next message that types them."""
        key = (tuple(words[first:last]), tuple(typed[first:last]), strict)
        if key in self._checked:
            kept = self._checked[key]
        else:
            hit = self.at(words, first, last, typed, strict)
            kept = None if hit is None else (hit.last - first, hit.senses, hit.note)
            if len(self._checked) < _CHECKED:  # bounded: a stream of new words cannot grow it
                self._checked[key] = kept
        if kept is None:
            return None
        return _new_tuple(Hit, (first, first + kept[0], kept[1], kept[2]))
