"""The reporting calendar (pure): which period is being reported, and by when.

Kế hoạch 4636/KH-UBND (seeds/001), section III.1-2: agencies report every quarter "trước ngày
25 tháng cuối quý" (before the 25th of the quarter's last month: 25/03, 25/06, 25/09, 25/12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from scoring.periods import parse_period, quarter_of

QUARTER_DAY = 25  # section III.1-2


@dataclass(frozen=True, slots=True)
class Deadline:
    period: str
    due: date
    kind: str  # "quarterly"

    def days_left(self, today: date) -> int:
        return (self.due - today).days


def current_period(today: date) -> str:
    """The quarter being reported on `today`."""
    return quarter_of(today).code


def quarterly_deadline(period_code: str) -> Deadline:
    period = parse_period(period_code)
    return Deadline(period.code, period.ends_on.replace(day=QUARTER_DAY), "quarterly")


def next_deadline(today: date) -> Deadline:
    """The first quarterly deadline on or after `today`."""
    deadline = quarterly_deadline(current_period(today))
    if deadline.due >= today:
        return deadline
    following = quarter_of(today).ends_on + timedelta(days=1)
    return quarterly_deadline(current_period(following))
