"""A message cut into tokens, folded for matching, with the offsets of the text as typed.

Folding maps each character to one character ("Quý" -> "quy", "Đ" -> "d"), so an offset in the
folded text is an offset in the text: values and names are always sliced from what was typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

# Latin letters with diacritics live below U+2500 (and the full-width forms); nothing else folds.
_FOLDED_RANGES = ((0x0000, 0x2500), (0xFF00, 0xFFF0))
# Numbers keep their marks inside ("12,5", "1.082.862", "1 082 862" with no-break spaces);
# a mention ("@tro_ly_bot") is one token so it can be skipped whole.
_TOKEN = re.compile(
    r"(?P<mention>@\w+)"
    r"|(?P<number>[0-9]+(?:(?:[.,]|[\u00a0\u202f](?=[0-9]{3}))[0-9]+)*)"
    r"|(?P<word>[a-z]+(?:&[a-z]+)*[0-9]*)"
    r"|(?P<symbol>[%=:?/+;,&<>\-])"
)
WORD, NUMBER, SYMBOL = "w", "n", "s"
# Marks that join words ("PT-TH", "Khung/Kiến trúc", "thuê bao/100 dân"): left out, so a name
# matches with or without them. Periods such as "Q3/2025" are read from the text itself.
_JOINING = frozenset({"-", "/"})


@cache
def _table() -> dict[int, str]:
    """Built on first use: a character -> folded character map for str.translate."""
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "d"}
    for low, high in _FOLDED_RANGES:
        for code in range(low, high):
            char = chr(code)
            folded = unicodedata.normalize("NFD", char)[:1].lower()
            if len(folded) == 1 and folded != char and code not in table:
                table[code] = folded
    return table


def fold_chars(text: str) -> str:
    """Lower case without diacritics, one character for one: "Điểm Hạ tầng" -> "diem ha tang"."""
    return text.translate(_table())


@dataclass(slots=True)
class Tokens:
    """Parallel lists: the folded text of each token, its kind (WORD, NUMBER, SYMBOL) and its
    span in the source."""

    source: str
    folded: str
    texts: list[str]
    kinds: list[str]
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.texts)

    def written(self) -> list[str]:
        """Each token as typed, in lower case."""
        return [self.source[s:e].lower() for s, e in zip(self.starts, self.ends, strict=True)]

    def typed(self, first: int, last: int) -> str:
        """The source text of tokens first..last-1, as typed."""
        if first >= last:
            return ""
        return self.source[self.starts[first] : self.ends[last - 1]]


def tokenize(text: str) -> Tokens:
    """The tokens of a text (NFC-normalised first); mentions are left out."""
    source = unicodedata.normalize("NFC", text)
    folded = fold_chars(source)
    texts: list[str] = []
    kinds: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in _TOKEN.finditer(folded):
        group = match.lastgroup
        if group == "mention" or match.group() in _JOINING:
            continue
        texts.append(match.group())
        kinds.append(WORD if group == "word" else NUMBER if group == "number" else SYMBOL)
        starts.append(match.start())
        ends.append(match.end())
    return Tokens(source, folded, texts, kinds, starts, ends)


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
