"""Numbers that are not sub-index values: the target of a gap question ("800", "800 điểm",
"0,8"), how many sub-indices ("top 5", "ba chỉ số"), and years ("năm 2024", "2024").

A year is never a target: "năm 2025 còn thiếu bao nhiêu điểm để đạt 800" aims at 800.
"""

from __future__ import annotations

import re
from collections.abc import Container
from decimal import Decimal

from parsing.numbers import NumberError, parse_number
from parsing.reading import Reading

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_COUNT = 30
MIN_TARGET = 10  # points; smaller numbers are counts or codes, not targets
_YEAR = re.compile(r"[12][0-9]{3}")
_INTEGER = re.compile(r"[0-9]{1,2}")


def is_year(word: str) -> bool:
    return _YEAR.fullmatch(word) is not None and FIRST_YEAR <= int(word) <= LAST_YEAR


def find_year(reading: Reading, taken: Container[int]) -> tuple[int, int] | None:
    """(word index, year) of a bare year ("điểm DTI 2024") no other entity took."""
    for index in reading.numbers:
        if index not in taken and is_year(reading.words[index]):
            return index, int(reading.words[index])
    return None


def find_target(reading: Reading, taken: Container[int], total_max: Decimal) -> Decimal | None:
    """The first number no other entity took that reads as points of the total: up to
    `total_max` points, a DTI value in (0, 1] or a percentage — never a year, nor a day or a
    month of a date ("trước ngày 25")."""
    for index in reading.numbers:
        date_part = reading.marked(index - 1, "calendar")
        if index in taken or is_year(reading.words[index]) or date_part:
            continue
        percent = reading.marked(index + 1, "percent")
        points = _points(reading.typed(index, index + 1), total_max, percent=percent)
        if points is not None:
            return points
    return None


def _points(typed: str, total_max: Decimal, *, percent: bool) -> Decimal | None:
    try:
        readings: tuple[Decimal, ...] = (parse_number(typed).value,)
    except NumberError as error:
        readings = error.candidates  # "1.000": one or a thousand; the one that fits wins
    for value in sorted(readings, reverse=True):
        share = value / 100 if percent else value
        if percent or share < 1:
            if 0 < share <= 1:
                return _plain(share * total_max)
        elif MIN_TARGET <= value <= total_max:
            return _plain(value)
    return None


def _plain(value: Decimal) -> Decimal:
    """800 rather than 800.0 or 8E+2."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def find_count(
    reading: Reading, number_words: dict[str, int], count_words: tuple[tuple[str, ...], ...]
) -> tuple[int, int] | None:
    """(word index, count) of "top 5", "5 chỉ số", "ba chỉ số"."""
    words = reading.words
    spelled = [i for i in reading.where(number_words.keys()) if reading.owner[i] < 0]
    after_words = {w[0] for w in count_words}
    for index in sorted((*reading.numbers, *spelled)):
        word = words[index]
        value = int(word) if _INTEGER.fullmatch(word) else number_words.get(word)
        if value is None or not 0 < value <= MAX_COUNT:
            continue
        if index > 0 and words[index - 1] == "top":
            return index, value
        following = index + 1
        if following < len(words) and words[following] in after_words:
            for counted in count_words:
                if words[following : following + len(counted)] == list(counted):
                    return index, value
    return None
