"""Command arguments and button data, read strictly and the same way in every handler.

`str.isdigit()` accepts "²" and "٣", which `int()` then refuses or silently reads; an id longer
than the database's integers overflows them; a year such as 1 or 9999 breaks the calendar's
arithmetic a step later. These readers accept ASCII digits only, within stated ranges, and answer
None for anything else, so that a handler answers with its usage line instead of failing.
`clean` makes any typed text safe to store: PostgreSQL refuses NUL characters in text."""

from __future__ import annotations

import re

from parsing.period_text import FIRST_YEAR, LAST_YEAR

INT64_MAX = 2**63 - 1  # BigInteger columns: Telegram user and chat ids
ROW_ID_MAX = 2**31 - 1  # Integer primary keys (PostgreSQL's int4): values, drafts, files
_MAX_DIGITS = len(str(INT64_MAX))
_PERIOD = re.compile(r"([0-9]{4})(?:-([QH])([0-9]))?")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
__all__ = ["FIRST_YEAR", "INT64_MAX", "LAST_YEAR", "ROW_ID_MAX"]


def clean(text: str) -> str:
    """`text` as it may be stored and shown: without NUL characters, and with any unpaired
    surrogate (which no encoder accepts) replaced."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def natural(text: str, low: int = 0, high: int = INT64_MAX) -> int | None:
    """The whole number `text` spells in ASCII digits when it lies in [low, high]; else None."""
    if not (0 < len(text) <= _MAX_DIGITS and text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


def telegram_id(text: str) -> int | None:
    """A Telegram user id ("123456789"): positive and within 64 bits."""
    return natural(text, 1, INT64_MAX)


def row_id(text: str) -> int | None:
    """The id of a stored row, as a button carries it or a person types it ("12", "#12")."""
    return natural(text.removeprefix("#"), 1, ROW_ID_MAX)


def year(text: str) -> int | None:
    """A four-digit year within the window the calendar serves (2000-2100)."""
    return natural(text, FIRST_YEAR, LAST_YEAR) if len(text) == 4 else None


def period_code(text: str) -> str | None:
    """A reporting period's code ("2025", "2025-Q4", "2025-h1") in its normal form, when its
    year is within the window and its quarter or half exists; else None."""
    found = _PERIOD.fullmatch(text.strip().upper())
    if found is None or year(found[1]) is None:
        return None
    if found[2] is None:
        return found[1]
    count = 4 if found[2] == "Q" else 2
    return f"{found[1]}-{found[2]}{found[3]}" if 1 <= int(found[3]) <= count else None


def clock_time(text: str) -> tuple[int, int] | None:
    """(hour, minute) of "8:00" or "08:30"; None for anything else (also "24:00")."""
    found = _TIME.fullmatch(text)
    if found is None:
        return None
    hour, minute = int(found[1]), int(found[2])
    return (hour, minute) if hour < 24 and minute < 60 else None
