"""Dates as people type them: 25/12/2025, 25-12-2025, 25.12.2025 or 2025-12-25.

ASCII digits only ("\\d" would read "٢٥/١٢/٢٠٢٥"), and years within the window the calendar
serves: a deadline in year 1 or 9999 is a typing error, and the calendar's arithmetic around it
(the quarter before, the year after) would fail."""

from __future__ import annotations

import re
from datetime import date

from parsing.arguments import FIRST_YEAR, LAST_YEAR

_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def parse_date(text: str) -> date | None:
    """The date a text names, or None (also for 31/02/2025 and years outside 2000-2100)."""
    text = text.strip()
    if match := _DMY.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
