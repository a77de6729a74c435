"""Dates as people type them: 25/12/2025, 25-12-2025, 25.12.2025 or 2025-12-25."""

from __future__ import annotations

import re
from datetime import date

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(text: str) -> date | None:
    """The date a text names, or None (also for 31/02/2025)."""
    text = text.strip()
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
