"""A message cut into tokens, folded for matching, with the offsets of the text as typed.

Folding maps each character to one character ("Quý" -> "quy", "Đ" -> "d"), so an offset in the
folded text is an offset in the text: values and names are always sliced from what was typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate, chain, compress, count
from operator import add, itemgetter, mul
from typing import Any

# Latin letters with diacritics live below U+2500 (and the full-width forms); nothing else folds.
_FOLDED_RANGES = ((0x0000, 0x2500), (0xFF00, 0xFFF0))
# Numbers keep their marks inside ("12,5", "1.082.862", "1 082 862" with no-break spaces);
# a mention ("@tro_ly_bot") is one token so it can be skipped whole.
_TOKEN = re.compile(
    r"(@\w+"
    r"|[0-9]+(?:(?:[.,]|[\u00a0\u202f](?=[0-9]{3}))[0-9]+)*"
    r"|[a-z]+(?:&[a-z]+)*[0-9]*"
    r"|[%=:?+;,&<>])"
)
# Token kinds, told by a token's first character. Marks that join words ("PT-TH", "Khung/Kiến
# trúc", "thuê bao/100 dân") are no tokens, so a name matches with or without them; periods such
# as "Q3/2025" are read from the text itself.
WORD, NUMBER, SYMBOL, _MENTION = "w", "n", "s", "m"
_FIRST, _LAST = itemgetter(0), itemgetter(-1)
_KIND_OF_FIRST = {
    **dict.fromkeys("0123456789", NUMBER),
    **dict.fromkeys("abcdefghijklmnopqrstuvwxyz", WORD),
    "@": _MENTION,
    **dict.fromkeys("%=:?+;,&<>", SYMBOL),
}


@cache
def fold_table() -> dict[int, int]:
    """Built on first use: a character -> folded character map for str.translate. It holds
    every character of the folded ranges, those that stay as they are too: str.translate is
    several times slower on a character its table lacks."""
    table: dict[int, int] = {}
    for low, high in _FOLDED_RANGES:
        for code in range(low, high):
            folded = unicodedata.normalize("NFD", chr(code))[:1].lower()
            table[code] = ord(folded) if len(folded) == 1 else code
    table[ord("đ")] = table[ord("Đ")] = ord("d")
    return table


@lru_cache(maxsize=256)
def fold_chars(text: str) -> str:
    """Lower case without diacritics, one character for one: "Điểm Hạ tầng" -> "diem ha tang".
    Kept for the last few texts: a message is folded by more than one reader."""
    folded = fold_decomposed(text)
    return folded if folded is not None else text.translate(fold_table())


def fold_decomposed(text: str) -> str | None:
    """The folded text, when each character decomposes to exactly one ASCII character (as
    Vietnamese does): several times faster than by the table; None for any other text.

    The decomposed form of a character holds at most one ASCII character, first, and it is
    what the table folds that character to (tests/test_router_reading.py checks every one), so
    the ASCII characters of the decomposed text are the folded text when there are as many as
    characters."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_only = plain.encode("ascii", "ignore")
    return ascii_only.decode("ascii").lower() if len(ascii_only) == len(text) else None


@dataclass(slots=True)
class Tokens:
    """Parallel lists: each token folded, its kind (WORD, NUMBER, SYMBOL) and its span in the
    source."""

    source: str
    texts: list[str]
    kinds: list[str]
    _starts: list[int]
    _ends: list[int]
    # The source's runs between spaces, read (parsing.reading.Piece: the token count first, the
    # run folded last), when it was read run by run; the spans are then each token's within its
    # run until first asked for (most messages never need them).
    pieces: list[tuple[Any, ...]] | None = None
    runs: list[str] | None = None

    @property
    def starts(self) -> list[int]:
        if self.runs is not None and self.pieces is not None:
            self._in_source(self.runs, self.pieces)
        return self._starts

    @property
    def ends(self) -> list[int]:
        if self.runs is not None and self.pieces is not None:
            self._in_source(self.runs, self.pieces)
        return self._ends

    def _in_source(self, runs: list[str], pieces: list[tuple[Any, ...]]) -> None:
        """The spans within runs made spans within the source: each run starts after the runs
        and the spaces before it."""
        run_starts = map(add, accumulate(map(len, runs), initial=0), count())
        # Each token's run's start: (start,) * tokens of the run, chained.
        offsets = list(chain.from_iterable(map(mul, zip(run_starts), map(_FIRST, pieces))))
        self._starts = list(map(add, offsets, self._starts))
        self._ends = list(map(add, offsets, self._ends))
        self.runs = None

    def folded(self) -> str:
        """The source folded, one character for one (fold_chars)."""
        if self.pieces is not None:
            return " ".join(map(_LAST, self.pieces))
        return fold_chars(self.source)

    def __len__(self) -> int:
        return len(self.texts)

    def written(self) -> list[str]:
        """Each token as typed, in lower case."""
        lower = self.source.lower()
        if len(lower) != len(self.source):  # a letter whose lower case is two ("İ")
            return [self.source[s:e].lower() for s, e in zip(self.starts, self.ends, strict=True)]
        return [lower[s:e] for s, e in zip(self.starts, self.ends, strict=True)]

    def typed(self, first: int, last: int) -> str:
        """The source text of tokens first..last-1, as typed."""
        if first >= last:
            return ""
        return self.source[self.starts[first] : self.ends[last - 1]]


def tokenize(text: str) -> Tokens:
    """The tokens of a text (NFC-normalised first); mentions are left out."""
    source = unicodedata.normalize("NFC", text)
    # Split on the tokens: [between, token, between, token, …, between]; the running sum of
    # the parts' lengths gives every token's start and end without one match object each.
    parts = _TOKEN.split(fold_chars(source))
    offsets = list(accumulate(map(len, parts)))
    texts = parts[1::2]
    kinds = list(map(_KIND_OF_FIRST.__getitem__, map(itemgetter(0), texts)))
    starts, ends = offsets[:-1:2], offsets[1::2]
    if _MENTION in kinds:
        kept = [i for i, kind in enumerate(kinds) if kind != _MENTION]
        texts, kinds = [texts[i] for i in kept], [kinds[i] for i in kept]
        starts, ends = [starts[i] for i in kept], [ends[i] for i in kept]
    return Tokens(source, texts, kinds, starts, ends)


def positions(
    items: list[str], wanted: AbstractSet[str], present: AbstractSet[str] | None = None
) -> list[int]:
    """The places of the items that are in `wanted`, in order; `present`: the set of the items,
    when it is at hand. Most often none or one of them is there: then the set and the list's
    own search find them, with no loop over the items."""
    common: AbstractSet[str]
    if present is not None:
        common = present & wanted
    elif isinstance(wanted, frozenset | set):
        common = wanted.intersection(items)  # a probe per item, no set of them made
    else:
        common = wanted & set(items)
    if len(common) > 1:
        return list(compress(range(len(items)), map(common.__contains__, items)))
    found: list[int] = []
    for item in common:
        at = items.index(item)
        found.append(at)
        for _ in range(items.count(item) - 1):
            at = items.index(item, at + 1)
            found.append(at)
    return found


def words_of(text: str) -> tuple[str, ...]:
    """The folded words of a phrase, as the vocabulary and the names are matched."""
    return phrase_of(text)[0]


def phrase_of(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(folded words, words as written in lower case) of a phrase, joining marks left out."""
    found = tokenize(text)
    return tuple(found.texts), tuple(found.written())


def name_words(text: str) -> tuple[str, ...]:
    """The folded words of a name, numbers and punctuation left out."""
    found = tokenize(text)
    return tuple(t for t, kind in zip(found.texts, found.kinds, strict=True) if kind == WORD)
