"""Reporting periods named in free text: "quý 3/2025", "6 tháng đầu năm", "Q3 2025".

A quarter or half without a year is the latest one already begun. A bare four-digit number is
never a period: in "8.2 12,5 2025" it is more likely a value than a year.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from scoring.periods import parse_period

FIRST_YEAR, LAST_YEAR = 2000, 2100
_START = r"(?<!\w)"
_END = r"(?!\w|[.,][0-9])"  # "quý 3.5" and "Q3,5" are not periods
# A year after a quarter or half: "/2025", "-2025", " năm 2025", " of 2025", or " 2025" when it
# is exactly four digits (so "quý 3 12,5" keeps its value).
_YEAR = (
    r"(?:(?:\s*[/-]\s*|\s+(?:nam|year|of)\s+|\s+(?=[0-9]{4}(?![0-9])))"
    r"(?P<year>[0-9]+)(?!\w|[.,][0-9]))?"
)
_PATTERNS = (
    (  # "6 tháng đầu năm 2025", "sáu tháng cuối năm", "nửa đầu năm 2025"
        "half",
        rf"(?<![\w.,])(?:(?:6|sau)\s+thang|nua)\s+(?P<part>dau|cuoi){_YEAR}"
        rf"(?:\s+nam(?![\s/-]*[0-9]))?{_END}",
    ),
    ("half", rf"{_START}(?P<part>first|second|1st|2nd)\s+half{_YEAR}{_END}"),
    ("quarter", rf"{_START}(?:quy|quarter)\s*(?P<number>[0-9]+){_YEAR}{_END}"),
    # Roman numerals only in their four valid spellings: "quý vị" (ladies and gentlemen) is
    # not a sixth quarter.
    ("quarter", rf"{_START}quy\s+(?P<roman>iv|iii|ii|i){_YEAR}{_END}"),
    ("quarter", rf"{_START}q(?P<number>[0-9])(?![0-9]){_YEAR}{_END}"),
    ("half", rf"{_START}h(?P<number>[0-9])(?![0-9]){_YEAR}{_END}"),
    ("code", rf"(?<![\w.,])(?P<year>[0-9]{{4}})\s*-\s*(?P<kind>q|h)(?P<number>[0-9]){_END}"),
    ("year", rf"{_START}(?:ca\s+nam|(?<!viet\s)nam|(?:full\s+)?year)\s*(?P<year>[0-9]+){_END}"),
)
_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in _PATTERNS)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_HALF_WORDS = {"dau": 1, "first": 1, "1st": 1, "cuoi": 2, "second": 2, "2nd": 2}
# No-break spaces group a number's thousands ("1 082 862"), so collapsing leaves them alone.
_SPACES = re.compile(r"[^\S\u00a0\u202f]+")


class PeriodTextError(ValueError):
    """The text names a period but gets it wrong: "quý 5", "Q0/2025", "năm 25"."""

    def __init__(self, text: str) -> None:
        super().__init__(f"malformed period: {text!r}")
        self.text = text


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    folded = unicodedata.normalize("NFD", char)[0].lower()
    return folded if len(folded) == 1 else char


def fold_same_length(text: str) -> str:
    """NFC text folded char for char ("Quý" -> "quy"), so offsets in it are offsets in text.

    scoring.text.fold also drops punctuation and spaces, which would lose those offsets."""
    return "".join(_fold_char(char) for char in text)


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ")


def find_period(text: str, today: date) -> tuple[str | None, str]:
    """(period code, text without the period phrase); (None, text) when none is named."""
    source = unicodedata.normalize("NFC", text)
    folded = fold_same_length(source)
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for order, (kind, pattern) in enumerate(_COMPILED):
        match = pattern.search(folded)
        if match:
            found.append((match.start(), order, kind, match))
    if not found:
        return None, text
    start, _, kind, match = min(found, key=lambda item: (item[0], item[1]))
    phrase = source[start : match.end()]
    code = _code(kind, match, phrase, today)
    return code, collapse_spaces(f"{source[:start]} {source[match.end() :]}")


def _code(kind: str, match: re.Match[str], phrase: str, today: date) -> str:
    groups = match.groupdict()
    year = _year(groups["year"], phrase) if groups.get("year") else None
    if kind == "year":
        return parse_period(str(year)).code
    if kind == "code":
        kind = "quarter" if groups["kind"] == "q" else "half"
    if groups.get("roman"):
        number = _ROMAN[groups["roman"]]
    elif groups.get("part"):
        number = _HALF_WORDS[groups["part"]]
    else:
        number = int(groups["number"]) if len(groups["number"]) <= 2 else 0
    letter, count = ("Q", 4) if kind == "quarter" else ("H", 2)
    if not 1 <= number <= count:
        raise PeriodTextError(phrase)
    if year is None:
        # The latest such period already begun: in January "quý 4" is last year's.
        year = today.year
        if parse_period(f"{year}-{letter}{number}").starts_on > today:
            year -= 1
    return parse_period(f"{year}-{letter}{number}").code


def _year(digits: str, phrase: str) -> int:
    if len(digits) != 4 or not FIRST_YEAR <= int(digits) <= LAST_YEAR:
        raise PeriodTextError(phrase)
    return int(digits)
