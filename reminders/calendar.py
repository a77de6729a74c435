"""The reporting calendar (pure): deadlines for any year, administrators' changes applied, and the
moments reminders go out. No clock: callers pass `today` or `now`.

Source, Kế hoạch 4636/KH-UBND (seeds/001), section III:
- III.1-2: every quarter, agencies report "trước ngày 25 tháng cuối quý" (25/03, 25/06, 25/09,
  25/12), lead agencies first chasing their coordinators;
- III.1: every year lead agencies submit the year's values with evidence "trước ngày 10/01 của
  năm kế tiếp";
- III.3: Sở KH&CN reports to the steering committee "trước ngày 30/01 năm sau";
- II.1: a review conference "06 tháng/lần". The plan gives no date for it: it is placed at the
  end of the month after each half ends (31/07 and 31/01) and marked as a placeholder until an
  administrator moves it to (or confirms) its real date.

Reminders never go out on a day offices do not work (reminders.holidays): one due before a
deadline moves to the working day before, a chaser after a deadline to the working day after;
two that land on the same day go out once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from reminders.holidays import EVERY_DAY, WorkCalendar
from scoring.periods import parse_period, quarter_of

QUARTER_DAY = 25  # III.1-2
YEARLY_DAY = 10  # III.1, January of the next year
COMMITTEE_DAY = 30  # III.3, January of the next year
BEFORE = (7, 3, 1, 0)  # days before a deadline that reminders go out (SPEC 3.6)
AFTER = (1, 7)  # days after a deadline that late agencies are chased
SEND_AT = time(8, 0)

# Who a deadline is for.
HOLDERS = "holders"  # every agency that leads or coordinates a sub-index
LEADS = "lead"  # agencies that lead one
LEADERS = "leaders"  # the leaders' groups
AGENCY = "agency:"  # one agency, e.g. "agency:SKHCN"


@dataclass(frozen=True, slots=True)
class Deadline:
    key: str  # stable across years and moves: "quarterly:2025-Q4", "custom:3"
    kind: str  # "quarterly" | "yearly" | "committee" | "conference" | "custom"
    period: str  # the reporting period whose values are due
    due: date
    audience: str
    title: str = ""
    # A date the plan does not give (the review conference): shown as such until an
    # administrator moves or confirms it.
    placeholder: bool = False

    def days_left(self, today: date) -> int:
        return (self.due - today).days


@dataclass(frozen=True, slots=True)
class Change:
    """An administrator's change, applied in order: add a deadline, move or cancel one."""

    action: str  # "add" | "move" | "cancel"
    key: str
    due: date | None = None
    period: str = ""
    audience: str = HOLDERS
    title: str = ""


@dataclass(frozen=True, slots=True)
class Run:
    """One send-out for a deadline: `offset` days before (negative: after) it, at `at` (UTC)."""

    deadline: Deadline
    offset: int
    at: datetime

    @property
    def key(self) -> str:
        return f"{self.deadline.key}@{self.offset:+d}"

    @property
    def overdue(self) -> bool:
        return self.offset < 0


def current_period(today: date) -> str:
    """The quarter being reported on `today`."""
    return quarter_of(today).code


def recurring(year: int, standing_agency: str) -> list[Deadline]:
    """The plan's deadlines that fall in `year` (January's are for the year before)."""
    deadlines = [quarterly_deadline(f"{year}-Q{q}") for q in (1, 2, 3, 4)]
    last = str(year - 1)
    deadlines += [
        Deadline(f"yearly:{last}", "yearly", last, date(year, 1, YEARLY_DAY), LEADS),
        Deadline(
            f"committee:{last}",
            "committee",
            last,
            date(year, 1, COMMITTEE_DAY),
            AGENCY + standing_agency,
        ),
        Deadline(
            f"conference:{year - 1}-H2",
            "conference",
            f"{year - 1}-H2",
            date(year, 1, 31),
            LEADERS,
            placeholder=True,
        ),
        Deadline(
            f"conference:{year}-H1",
            "conference",
            f"{year}-H1",
            date(year, 7, 31),
            LEADERS,
            placeholder=True,
        ),
    ]
    return sorted(deadlines, key=lambda d: (d.due, d.key))


def calendar(
    years: Iterable[int], changes: Sequence[Change], standing_agency: str
) -> list[Deadline]:
    """The deadlines of some years with the administrators' changes applied, by due date."""
    wanted = set(years)  # read once: `years` may be an iterator
    by_key = {d.key: d for y in sorted(wanted) for d in recurring(y, standing_agency)}
    for change in changes:
        held = by_key.get(change.key)
        if change.action == "cancel":
            by_key.pop(change.key, None)
        elif change.action == "move" and held is not None and change.due is not None:
            # An administrator's date is a real one: a placeholder moved (even to the same
            # day) is confirmed.
            by_key[change.key] = replace(held, due=change.due, placeholder=False)
        elif change.action == "add" and change.due is not None and change.due.year in wanted:
            by_key[change.key] = Deadline(
                change.key, "custom", change.period, change.due, change.audience, change.title
            )
    return sorted(by_key.values(), key=lambda d: (d.due, d.key))


def quarterly_deadline(period_code: str) -> Deadline:
    period = parse_period(period_code)
    return Deadline(
        f"quarterly:{period.code}",
        "quarterly",
        period.code,
        period.ends_on.replace(day=QUARTER_DAY),
        HOLDERS,
    )


def runs(
    deadline: Deadline,
    zone: ZoneInfo,
    before: Sequence[int] = BEFORE,
    after: Sequence[int] = AFTER,
    workdays: WorkCalendar = EVERY_DAY,
) -> list[Run]:
    """The send-outs of one deadline, in time order, each on a working day: a reminder that
    would fall on a weekend or a holiday goes out the working day before, a chaser the working
    day after. Of several on one day, the one nearest the deadline goes. Leaders' deadlines
    are not chased after."""
    found: dict[date, Run] = {}
    for offset in sorted(before, reverse=True):
        day = workdays.previous_working_day(deadline.due - timedelta(days=offset))
        found[day] = Run(deadline, offset, _at(day, zone))  # later offsets are nearer
    if deadline.audience != LEADERS:
        for offset in sorted(after, reverse=True):
            day = workdays.next_working_day(deadline.due + timedelta(days=offset))
            found[day] = Run(deadline, -offset, _at(day, zone))
    return sorted(found.values(), key=lambda r: r.at)


def due_runs(
    deadlines: Iterable[Deadline],
    now: datetime,
    grace: timedelta,
    zone: ZoneInfo,
    before: Sequence[int] = BEFORE,
    after: Sequence[int] = AFTER,
    workdays: WorkCalendar = EVERY_DAY,
) -> list[Run]:
    """Runs whose time has come and is no older than `grace` (a bot that was down for longer
    does not send stale reminders)."""
    return [
        r
        for d in deadlines
        for r in runs(d, zone, before, after, workdays)
        if now - grace <= r.at <= now
    ]


def next_run(
    deadlines: Iterable[Deadline],
    now: datetime,
    zone: ZoneInfo,
    before: Sequence[int] = BEFORE,
    after: Sequence[int] = AFTER,
    workdays: WorkCalendar = EVERY_DAY,
) -> Run | None:
    upcoming = [r for d in deadlines for r in runs(d, zone, before, after, workdays) if r.at > now]
    return min(upcoming, key=lambda r: (r.at, r.key), default=None)


def _at(day: date, zone: ZoneInfo) -> datetime:
    """08:00 local time on `day`, in UTC."""
    return datetime.combine(day, SEND_AT, tzinfo=zone).astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True, slots=True)
class Schedule:
    """A recurring send time: weekly on `day` (0 = Monday) or monthly on `day` (1-28)."""

    frequency: str  # "weekly" | "monthly"
    day: int
    at: time

    def latest_slot(self, now: datetime, zone: ZoneInfo) -> datetime:
        """The most recent scheduled moment at or before `now`, in UTC."""
        local = now.astimezone(zone)
        if self.frequency == "weekly":
            candidate = local.date() - timedelta(days=(local.weekday() - self.day) % 7)
            slot = datetime.combine(candidate, self.at, tzinfo=zone)
            if slot > local:
                slot -= timedelta(days=7)
        else:
            slot = datetime.combine(local.date().replace(day=self.day), self.at, tzinfo=zone)
            if slot > local:
                previous = local.date().replace(day=1) - timedelta(days=1)
                slot = datetime.combine(previous.replace(day=self.day), self.at, tzinfo=zone)
        return slot.astimezone(ZoneInfo("UTC"))
