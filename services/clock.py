"""Time as a dependency: the bot reads the clock it is given, so tests can move time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from reminders.calendar import current_period

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Calendar:
    """The one place services and handlers read the time from: the injected clock, seen in the
    province's time zone (TIMEZONE, Asia/Ho_Chi_Minh), and the reporting period it falls in."""

    clock: Clock
    zone: ZoneInfo

    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC from the system clock)."""
        return self.clock()

    def local(self, moment: datetime) -> datetime:
        """A moment as the province's wall clock shows it."""
        return moment.astimezone(self.zone)

    def today(self) -> date:
        """The province's calendar day now."""
        return self.local(self.now()).date()

    def current_period(self) -> str:
        """The quarter being reported today ("2025-Q4")."""
        return current_period(self.today())
