"""A value as typed after a sub-index: "40%", "12,5 phần trăm", "30 điểm", "có", "chưa đạt".

The value is kept as typed ("%" attached, no spaces) for the service to read against the
sub-index's unit; only its shape is judged here. "điểm" after the number makes it points.
"""

from __future__ import annotations

from dataclasses import dataclass

from parsing.reading import Reading
from parsing.yes_no import yes_no


@dataclass(frozen=True, slots=True)
class ValueMention:
    first: int
    last: int
    raw: str  # "40%", "12,5", "1.082.862", "có"
    as_points: bool = False


def value_at(reading: Reading, index: int) -> ValueMention | None:
    """The value starting at word `index`, if one does."""
    words = reading.words
    if index >= len(words):
        return None
    if reading.is_number(index):
        raw = _sign(reading, index) + reading.typed(index, index + 1)
        last = index + 1
        if _out_of(reading, index):
            last += 1  # "30/50 điểm": 30 points out of 50
        if reading.marked(last, "percent"):
            return ValueMention(index, reading.hits[reading.owner[last]].last, raw + "%")
        if reading.marked(last, "points"):
            return ValueMention(index, reading.hits[reading.owner[last]].last, raw, True)
        return ValueMention(index, last, raw)
    for width in (2, 1):
        if index + width <= len(words):
            typed = reading.typed(index, index + width)
            alpha = all(w.isalpha() for w in words[index : index + width])
            if alpha and yes_no(typed) is not None:
                return ValueMention(index, index + width, typed)
    return None


def _sign(reading: Reading, index: int) -> str:
    """ "-" when a minus sign is typed right before the number ("-3"): kept, so that a negative
    value is refused rather than read as a positive one."""
    tokens = reading.tokens
    start = tokens.starts[reading.origin[index]]
    before = tokens.source[max(start - 2, 0) : start]
    if before[-1:] in ("-", "\u2212") and (len(before) < 2 or before[0].isspace()):
        return "-"
    return ""


def _out_of(reading: Reading, index: int) -> bool:
    """The number is followed by "/" and another: "30/50"."""
    if not reading.is_number(index + 1):
        return False
    tokens = reading.tokens
    between = tokens.source[
        tokens.ends[reading.origin[index]] : tokens.starts[reading.origin[index + 1]]
    ]
    return between.strip() == "/"
