"""Small typos in words the router knows: "nhiu" -> "nhieu", "chuyen doi sooo" stays unknown;
and Vietnamese typed with the Telex keys but no Vietnamese keyboard: "ddieemr" -> "diem".

A word is corrected only when it is unknown, has at least MIN_LENGTH letters, and is one edit
(a letter missing, extra, changed or two swapped) from exactly one known word of that length or
more. Lookup is by single-letter deletions (the symmetric-delete method), so it costs a few
dictionary probes per word however large the vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MIN_LENGTH = 4
TELEX_LENGTH = 3  # "haj" (hạ) is Telex; "as" stays English
_TELEX_TONE = frozenset("sfrxj")  # sắc, huyền, hỏi, ngã, nặng typed after the syllable
_TELEX_MARKS = (("dd", "d"), ("aw", "a"), ("ow", "o"), ("uw", "u"), ("w", "u"))
_DOUBLED = re.compile(r"([aeiouy])\1+")


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class TypoIndex:
    def __init__(self, known: Iterable[str]) -> None:
        self.known = frozenset(w for w in known if w)
        by_deletion: dict[str, list[str]] = {}
        for word in sorted(self.known):
            if len(word) < MIN_LENGTH or not word.isalpha():
                continue
            for key in {word, *_deletions(word)}:
                by_deletion.setdefault(key, []).append(word)
        self._by_deletion = {key: tuple(words) for key, words in by_deletion.items()}
        self._memo: dict[str, str] = {}

    def __contains__(self, word: str) -> bool:
        return word in self.known

    def correct(self, word: str) -> str:
        """The known word meant by `word`; `word` itself when known, too short or unclear."""
        if word in self.known or len(word) < TELEX_LENGTH or not word.isalpha():
            return word
        held = self._memo.get(word)
        if held is not None:
            return held
        best = self._guess(word)
        if len(self._memo) < 50_000:  # bounded: a hostile stream of new words cannot grow it
            self._memo[word] = best
        return best

    def _guess(self, word: str) -> str:
        telex = _untelex(word)
        if telex in self.known:
            return telex
        if len(word) < MIN_LENGTH:
            return word
        found = {
            known
            for key in (word, *_deletions(word))
            for known in self._by_deletion.get(key, ())
            if _one_edit(word, known)
        }
        return found.pop() if len(found) == 1 else word


def _untelex(word: str) -> str:
    """ "ddieemr" -> "diem", "taangf" -> "tang", "chuur" -> "chu": Telex marks dropped."""
    if len(word) > 2 and word[-1] in _TELEX_TONE:
        word = word[:-1]
    for typed, letter in _TELEX_MARKS:
        word = word.replace(typed, letter)
    return _DOUBLED.sub(r"\1", word)


def _one_edit(typed: str, known: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours (deletion keys also pair
    words two edits apart: those are left out)."""
    if abs(len(typed) - len(known)) > 1:
        return False
    if len(typed) == len(known):
        diff = [i for i, (a, b) in enumerate(zip(typed, known, strict=True)) if a != b]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and typed[diff[0]] == known[diff[1]]
            and typed[diff[1]] == known[diff[0]]
        )
    short, long = (typed, known) if len(typed) < len(known) else (known, typed)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
