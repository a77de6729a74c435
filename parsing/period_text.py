"""Reporting periods named in free text: "quý 3/2025", "6 tháng đầu năm", "Q3 2025", and the
relative ones "quý này", "quý trước", "năm nay", "năm ngoái", "this quarter", "last year".

A quarter or half without a year is the latest one already begun. A bare four-digit number is
never a period: in "8.2 12,5 2025" it is more likely a value than a year.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
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
_KINDS = tuple(kind for kind, _ in _PATTERNS)
# One pass over the text: the alternatives in order, their groups renamed "part__3", so the
# leftmost phrase wins and, at one place, the pattern listed first.
_GROUP = re.compile(r"[(][?]P<([a-z_]+)>")


def _renamed(order: int, pattern: str) -> str:
    return _GROUP.sub(lambda found: f"(?P<{found[1]}__{order}>", pattern)


# Each alternative's groups: (name in the one pass, name in the pattern).
_GROUPS = tuple(
    tuple((f"{name}__{order}", name) for name in _GROUP.findall(pattern))
    for order, (_, pattern) in enumerate(_PATTERNS)
)
_ONE_PASS = re.compile(
    "|".join(
        f"(?P<_{order}>{_renamed(order, pattern)})" for order, (_, pattern) in enumerate(_PATTERNS)
    )
)
# Words every period phrase holds, found with str.find before any pattern runs.
_TRIGGERS = ("q", *(f"h{n}" for n in range(10)), "nam", "year", "thang", "nua", "half", "ky")
_REACH = 12  # "previous quarter": the phrase starts 9 characters before "quarter"
# The first words of the phrases: "quý 3", "nửa đầu", "6 tháng", "năm 2025", "2025-Q3" …
PERIOD_FIRST_WORDS = frozenset(
    {"quy", "qui", "quarter", "ky", "nam", "ca", "year", "full", "nua", "sau", "6", "this"}
    | {"first", "second", "third", "fourth", "1st", "2nd", "3rd", "4th", "current", "last"}
    | {"previous", *(f"{letter}{n}" for letter in "qh" for n in range(10))}
)
_FIRST_SHAPES = re.compile(r"[qh][0-9]+|[0-9]{4}")
PERIOD_SHAPES = frozenset("qh0123456789")
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
    found = [at for word in _TRIGGERS if (at := folded.find(word)) >= 0]
    if not found:
        return None
    # Every phrase holds a trigger and starts at most REACH characters before it.
    match = _ONE_PASS.search(folded, max(min(found) - _REACH, 0))
    return None if match is None else _found(match, source, today)


def period_at(
    text: str, today: date, starts: Iterable[int], folded: str | None = None
) -> tuple[str, int, int] | None:
    """As period_span, trying only the given offsets (ascending) of the NFC form of text: the
    starts of the words that can begin a period phrase (see starts_period). `folded`: the NFC
    text already folded (fold_same_length), given with it."""
    source = text if folded is not None else unicodedata.normalize("NFC", text)
    if folded is None:
        folded = fold_same_length(source)
    for start in starts:
        match = _ONE_PASS.match(folded, start)
        if match is not None:
            return _found(match, source, today)
    return None


def starts_period(word: str) -> bool:
    """Whether a folded word can begin a period phrase: "quý", "q3", "năm", "6", "2025" …"""
    if word in PERIOD_FIRST_WORDS:
        return True
    return word[:1] in PERIOD_SHAPES and _FIRST_SHAPES.fullmatch(word) is not None


def _found(match: re.Match[str], source: str, today: date) -> tuple[str, int, int]:
    # The group that closed last is the alternative's own: its inner groups close inside it.
    order = int((match.lastgroup or "_")[1:])
    groups = {name: match.group(group) for group, name in _GROUPS[order]}
    start, end = match.span()
    return _code(_KINDS[order], groups, source[start:end], today), start, end


def _code(kind: str, groups: dict[str, str | None], phrase: str, today: date) -> str:
    if kind in _RELATIVE:
        return _relative(kind, today)
    digits = groups.get("year")
    year = _year(digits, phrase) if digits else None
    relative = groups.get("relative") or groups.get("relative_en")
    if relative:
        year = today.year if relative in ("nay", "this") else today.year - 1
    if kind == "year":
        return parse_period(str(year)).code
    if kind == "code":
        kind = "quarter" if groups.get("kind") == "q" else "half"
    roman, ordinal, part = groups.get("roman"), groups.get("ordinal"), groups.get("part")
    if roman:
        number = _ROMAN[roman]
    elif ordinal:
        number = _ORDINALS[ordinal]
    elif part:
        number = _HALF_WORDS[part]
    else:
        written = groups.get("number") or ""
        number = int(written) if 0 < len(written) <= 2 else 0
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
