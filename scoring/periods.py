"""Reporting periods: a year ("2025"), a half ("2025-H1") or a quarter ("2025-Q3")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

_PATTERN = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]))?$")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    ends_on: date
    starts_on: date
    code: str
    kind: str  # "year" | "half" | "quarter"

    @property
    def year(self) -> int:
        return self.starts_on.year


def parse_period(code: str) -> Period:
    """The period a code names; ValueError for anything else."""
    match = _PATTERN.match(code.strip().upper())
    if not match:
        raise ValueError(f"not a period code: {code!r}")
    year, part = int(match.group(1)), match.group(2)
    if part is None:
        return Period(date(year, 12, 31), date(year, 1, 1), str(year), "year")
    number = int(part[1])
    months = 3 if part[0] == "Q" else 6
    first = (number - 1) * months + 1
    start = date(year, first, 1)
    end = _month_end(year, first + months - 1)
    return Period(end, start, f"{year}-{part}", "quarter" if part[0] == "Q" else "half")


def quarter_of(day: date) -> Period:
    return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def rank(codes: Iterable[str]) -> dict[str, int]:
    """Period codes ranked by end date, then by length (a year ranks after its last quarter).
    Each distinct code is parsed once: callers pass one code per value, hundreds of them."""
    ordered = sorted(
        {parse_period(c) for c in set(codes)}, key=lambda p: (p.ends_on, -p.starts_on.toordinal())
    )
    return {p.code: i for i, p in enumerate(ordered)}


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)
