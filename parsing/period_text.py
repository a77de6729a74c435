"""Reporting periods named in free text: "quý 3/2025", "6 tháng đầu năm", "Q3 2025", and the
relative ones "quý này", "quý trước", "năm nay", "năm ngoái", "this quarter", "last year".

A quarter or half without a year is the latest one already begun. A bare four-digit number is
never a period: in "8.2 12,5 2025" it is more likely a value than a year.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from parsing.tokens import fold_chars
from scoring.periods import parse_period

FIRST_YEAR, LAST_YEAR = 2000, 2100
_START = r"(?<!\w)"
_END = r"(?!\w|[.,][0-9])"  # "quý 3.5" and "Q3,5" are not periods
# A year after a quarter or half: "/2025", "-2025", " năm 2025", " of 2025", or " 2025" when it
# is exactly four digits (so "quý 3 12,5" keeps its value).
# Or a year relative to today: " năm nay", " năm ngoái", " this year", " last year".
_YEAR = (
    r"(?:(?:\s*[/-]\s*|\s+(?:nam|year|of)\s+|\s+(?=[0-9]{4}(?![0-9])))"
    r"(?P<year>[0-9]+)(?!\w|[.,][0-9])"
    r"|\s+(?:nam\s+(?P<relative>nay|ngoai|truoc|roi)|(?P<relative_en>this|last)\s+year))?"
)
_THIS, _LAST = r"(?:nay|hien\s+tai|this|current)", r"(?:truoc|vua\s+roi|roi|ngoai|last|previous)"
_PATTERNS = (
    (  # "6 tháng đầu năm 2025", "sáu tháng cuối năm", "nửa đầu năm 2025"
        "half",
        rf"(?<![\w.,])(?:(?:6|sau)\s+thang|nua)\s+(?P<part>dau|cuoi){_YEAR}"
        rf"(?:\s+nam(?![\s/-]*[0-9]))?{_END}",
    ),
    ("half", rf"{_START}(?P<part>first|second|1st|2nd)\s+half{_YEAR}{_END}"),
    ("quarter", rf"{_START}(?:qu[yi]|quarter)\s*(?P<number>[0-9]+){_YEAR}{_END}"),
    # Roman numerals only in their four valid spellings: "quý vị" (ladies and gentlemen) is
    # not a sixth quarter.
    ("quarter", rf"{_START}qu[yi]\s+(?P<roman>iv|iii|ii|i){_YEAR}{_END}"),
    ("quarter", rf"{_START}q(?P<number>[0-9])(?![0-9]){_YEAR}{_END}"),
    (
        "quarter",
        rf"{_START}(?P<ordinal>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter{_YEAR}{_END}",
    ),
    ("half", rf"{_START}h(?P<number>[0-9])(?![0-9]){_YEAR}{_END}"),
    ("code", rf"(?<![\w.,])(?P<year>[0-9]{{4}})\s*-\s*(?P<kind>q|h)(?P<number>[0-9]){_END}"),
    ("year", rf"{_START}(?:ca\s+nam|(?<!viet\s)nam|(?:full\s+)?year)\s*(?P<year>[0-9]+){_END}"),
    # "quý này", "kỳ trước", "this quarter": the quarter of today or the one before it.
    ("quarter_now", rf"{_START}(?:(?:qu[yi]|ky)\s+{_THIS}|(?:this|current)\s+quarter){_END}"),
    ("quarter_before", rf"{_START}(?:(?:qu[yi]|ky)\s+{_LAST}|(?:last|previous)\s+quarter){_END}"),
    # "năm nay", "năm ngoái"; not "5 năm trước" (five years ago).
    ("year_now", rf"(?<![0-9]\s)(?<!\w)(?:nam\s+nay|this\s+year|current\s+year){_END}"),
    ("year_before", rf"(?<![0-9]\s)(?<!\w)(?:nam\s+{_LAST}|(?:last|previous)\s+year){_END}"),
)
_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in _PATTERNS)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3}
_ORDINALS["4th"] = 4
_HALF_WORDS = {"dau": 1, "first": 1, "1st": 1, "cuoi": 2, "second": 2, "2nd": 2}
# No-break spaces group a number's thousands ("1 082 862"), so collapsing leaves them alone.
_SPACES = re.compile(r"[^\S\u00a0\u202f]+")


class PeriodTextError(ValueError):
    """The text names a period but gets it wrong: "quý 5", "Q0/2025", "năm 25"."""

    def __init__(self, text: str) -> None:
        super().__init__(f"malformed period: {text!r}")
        self.text = text


def fold_same_length(text: str) -> str:
    """NFC text folded char for char ("Quý" -> "quy"), so offsets in it are offsets in text.

    scoring.text.fold also drops punctuation and spaces, which would lose those offsets."""
    return fold_chars(text)


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ")


def find_period(text: str, today: date) -> tuple[str | None, str]:
    """(period code, text without the period phrase); (None, text) when none is named."""
    found = period_span(text, today)
    if found is None:
        return None, text
    code, start, end = found
    source = unicodedata.normalize("NFC", text)
    return code, collapse_spaces(f"{source[:start]} {source[end:]}")


def period_span(text: str, today: date) -> tuple[str, int, int] | None:
    """(period code, start, end) of the first period phrase in the NFC form of text."""
    source = unicodedata.normalize("NFC", text)
    folded = fold_same_length(source)
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for order, (kind, pattern) in enumerate(_COMPILED):
        match = pattern.search(folded)
        if match:
            found.append((match.start(), order, kind, match))
    if not found:
        return None
    start, _, kind, match = min(found, key=lambda item: (item[0], item[1]))
    return _code(kind, match, source[start : match.end()], today), start, match.end()


def _code(kind: str, match: re.Match[str], phrase: str, today: date) -> str:
    groups = match.groupdict()
    if kind in _RELATIVE:
        return _relative(kind, today)
    year = _year(groups["year"], phrase) if groups.get("year") else None
    relative = groups.get("relative") or groups.get("relative_en")
    if relative:
        year = today.year if relative in ("nay", "this") else today.year - 1
    if kind == "year":
        return parse_period(str(year)).code
    if kind == "code":
        kind = "quarter" if groups["kind"] == "q" else "half"
    if groups.get("roman"):
        number = _ROMAN[groups["roman"]]
    elif groups.get("ordinal"):
        number = _ORDINALS[groups["ordinal"]]
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


_RELATIVE = frozenset({"quarter_now", "quarter_before", "year_now", "year_before"})


def _relative(kind: str, today: date) -> str:
    if kind == "year_now":
        return str(today.year)
    if kind == "year_before":
        return str(today.year - 1)
    quarter = (today.month - 1) // 3 + 1
    if kind == "quarter_now":
        return f"{today.year}-Q{quarter}"
    return f"{today.year - 1}-Q4" if quarter == 1 else f"{today.year}-Q{quarter - 1}"


def _year(digits: str, phrase: str) -> int:
    if len(digits) != 4 or not FIRST_YEAR <= int(digits) <= LAST_YEAR:
        raise PeriodTextError(phrase)
    return int(digits)
