"""The deadline calendar: the plan's deadlines with the administrators' changes (add, move,
cancel), and the moments reminders go out for them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.messages import TITLE_LIMIT
from reminders.calendar import Change, Deadline, Run, calendar, due_runs, next_run, runs
from reminders.holidays import WorkCalendar
from services.clock import Calendar
from services.identity import Person
from services.refusal import Refusal
from storage import deadlines as deadlines_repo


@dataclass(frozen=True, slots=True)
class Policy:
    """When reminders go out (days before and after a deadline, how late one may still be sent)
    and who reports to the steering committee (settings)."""

    before: tuple[int, ...]
    after: tuple[int, ...]
    grace: timedelta
    standing_agency: str
    # Weekends and public holidays: no reminder goes out on them.
    workdays: WorkCalendar = field(default_factory=WorkCalendar)


class DeadlineService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], calendar: Calendar, policy: Policy
    ) -> None:
        self._sessions = sessions
        self._calendar = calendar
        self.policy = policy

    async def deadlines(self, years: Sequence[int] | None = None) -> list[Deadline]:
        """The calendar of the given years (default: last, this and next) with changes applied."""
        this = self._calendar.today().year
        async with self._sessions() as session:
            rows = await deadlines_repo.changes(session)
        changes = [Change(r.action, r.key, r.due, r.period, r.audience, r.title) for r in rows]
        return calendar(years or (this - 1, this, this + 1), changes, self.policy.standing_agency)

    async def due(self) -> list[Run]:
        """Runs whose time has come (within the grace period), oldest first."""
        p, zone = self.policy, self._calendar.zone
        now = self._calendar.now()
        found = due_runs(await self.deadlines(), now, p.grace, zone, p.before, p.after, p.workdays)
        return sorted(found, key=lambda r: (r.at, r.key))

    async def upcoming(self) -> Run | None:
        p = self.policy
        now = self._calendar.now()
        return next_run(
            await self.deadlines(), now, self._calendar.zone, p.before, p.after, p.workdays
        )

    async def runs_on(self, day: date) -> list[Run]:
        """Every run that goes out on a local calendar day (for a dry run)."""
        p, zone = self.policy, self._calendar.zone
        all_runs = [
            r
            for d in await self.deadlines((day.year - 1, day.year, day.year + 1))
            for r in runs(d, zone, p.before, p.after, p.workdays)
        ]
        return [r for r in all_runs if self._calendar.local(r.at).date() == day]

    async def change(self, person: Person, change: Change) -> None:
        """Record an administrator's add, move or cancel; the calendar applies it from now on."""
        if len(change.title) > TITLE_LIMIT:  # every reminder and calendar line shows it
            raise Refusal(
                "problem.deadline.title_too_long",
                limit=Decimal(TITLE_LIMIT),
                length=Decimal(len(change.title)),
            )
        async with self._sessions() as session, session.begin():
            await deadlines_repo.add_change(
                session,
                action=change.action,
                key=change.key,
                due=change.due,
                period=change.period,
                audience=change.audience,
                title=change.title,
                actor=person.actor,
                at=self._calendar.now(),
            )

    async def next_custom_key(self) -> str:
        async with self._sessions() as session:
            rows = await deadlines_repo.changes(session)
        return f"custom:{1 + sum(1 for r in rows if r.action == 'add')}"
