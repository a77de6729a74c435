"""Deadline reminders: which runs are due, who gets what, and the record that makes each
delivery happen once across restarts and processes."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reminders.calendar import (
    AGENCY,
    HOLDERS,
    LEADERS,
    LEADS,
    Change,
    Deadline,
    Run,
    Schedule,
    calendar,
    due_runs,
    next_run,
    runs,
)
from reminders.holidays import WorkCalendar
from scoring.model import Directory, Framework, SubIndex
from services.clock import Clock
from services.identity import Person
from services.scores import ScoreService
from storage import deliveries, repo
from storage import values as values_repo
from storage.models import DeadlineChangeRow, DigestRow

LEASE = timedelta(minutes=5)  # a claim older than this, unfinished, belonged to a dead process


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message of a run. For a focal point: what each of their agencies still owes. For a
    leaders' group: the late agencies with what they owe, and how many agencies reported."""

    chat_id: int
    kind: str  # "reminder" | "overdue" | "summary" | "conference"
    missing: tuple[tuple[str, tuple[str, ...]], ...] = ()
    reported: int = 0
    expected: int = 0
    language: str | None = None  # the recipient's; None for groups (the default language)

    def key(self, run: Run) -> str:
        return f"{run.key}|{self.chat_id}|{self.kind}"


@dataclass(frozen=True, slots=True)
class OperatorView:
    next_run: Run | None
    next_recipients: int
    last_run: str | None
    last_counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class Policy:
    before: tuple[int, ...]
    after: tuple[int, ...]
    grace: timedelta
    standing_agency: str
    # Weekends and public holidays: no reminder goes out on them.
    workdays: WorkCalendar = field(default_factory=WorkCalendar)


class ReminderService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        scores: ScoreService,
        clock: Clock,
        zone: ZoneInfo,
        policy: Policy,
    ) -> None:
        self._sessions = sessions
        self._scores = scores
        self._clock = clock
        self.zone = zone
        self.policy = policy
        # Which process holds a claim; a restarted process is a new owner.
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        return self._clock().astimezone(self.zone).date()

    async def deadlines(self, years: Sequence[int] | None = None) -> list[Deadline]:
        """The calendar of the given years (default: last, this and next) with changes applied."""
        this = self.today().year
        async with self._sessions() as session:
            rows = await deliveries.changes(session)
        changes = [Change(r.action, r.key, r.due, r.period, r.audience, r.title) for r in rows]
        return calendar(years or (this - 1, this, this + 1), changes, self.policy.standing_agency)

    async def due(self) -> list[Run]:
        """Runs whose time has come (within the grace period), oldest first."""
        p = self.policy
        found = due_runs(
            await self.deadlines(), self.now(), p.grace, self.zone, p.before, p.after, p.workdays
        )
        return sorted(found, key=lambda r: (r.at, r.key))

    async def upcoming(self) -> Run | None:
        p = self.policy
        return next_run(
            await self.deadlines(), self.now(), self.zone, p.before, p.after, p.workdays
        )

    async def runs_on(self, day: date) -> list[Run]:
        """Every run that goes out on a local calendar day (for a dry run)."""
        p = self.policy
        all_runs = [
            r
            for d in await self.deadlines((day.year - 1, day.year, day.year + 1))
            for r in runs(d, self.zone, p.before, p.after, p.workdays)
        ]
        return [r for r in all_runs if r.at.astimezone(self.zone).date() == day]

    async def outgoing(self, run: Run) -> list[Outgoing]:
        """What a run sends, computed from the values stored now: nothing to agencies that have
        reported everything."""
        framework, directory = await self._scores.reference()
        deadline = run.deadline
        async with self._sessions() as session:
            if deadline.audience == LEADERS:
                groups = await deliveries.leaders_groups(session)
                return [] if run.overdue else [Outgoing(g, "conference") for g in groups]
            stored = await values_repo.submissions(session, framework.code)
            people = await deliveries.focal_points(session, self.now())
            groups = (
                await deliveries.leaders_groups(session)
                if run.offset == -min(self.policy.after, default=1)
                else []
            )
        reported = {
            s.code
            for s in stored
            if s.period == deadline.period and s.status != values_repo.RETURNED
        }
        owed = owed_by_agency(framework, directory, deadline, reported)
        kind = "overdue" if run.overdue else "reminder"
        messages = []
        for chat_id, (language, agencies) in people.items():
            missing = tuple((a, owed[a]) for a in agencies if owed.get(a))
            if missing:
                messages.append(Outgoing(chat_id, kind, missing, language=language))
        if groups:
            late = tuple((a, codes) for a, codes in owed.items() if codes)
            expected = len(owed)
            messages += [
                Outgoing(g, "summary", late, expected - len(late), expected) for g in groups
            ]
        return messages

    async def claim(self, key: str, run_key: str, chat_id: int, kind: str) -> bool:
        """Take the right to send one delivery (see storage.deliveries.claim)."""
        async with self._sessions() as session, session.begin():
            return await deliveries.claim(
                session, key, run_key, chat_id, kind, self.owner, self.now(), LEASE
            )

    async def finish(
        self, key: str, chat_id: int, status: str, attempts: int, error: str = ""
    ) -> None:
        async with self._sessions() as session, session.begin():
            await deliveries.finish(session, key, self.owner, status, attempts, self.now(), error)
            if status == deliveries.BLOCKED:
                await deliveries.mark_blocked(session, chat_id, self.now())

    async def subscribe(self, person: Person, chat_id: int, schedule: Schedule | None) -> None:
        """Give a group a weekly or monthly summary (None stops it); one schedule per group."""
        async with self._sessions() as session, session.begin():
            row = await session.scalar(select(DigestRow).where(DigestRow.chat_id == chat_id))
            if row is None and schedule is not None:
                row = DigestRow(chat_id=chat_id, created_by=person.actor, created_at=self.now())
                session.add(row)
            if row is not None:
                row.active = schedule is not None
                if schedule is not None:
                    row.frequency, row.day = schedule.frequency, schedule.day
                    row.hour, row.minute = schedule.at.hour, schedule.at.minute
            repo.audit(
                session,
                self.now(),
                person.actor,
                "subscribe",
                "digest",
                str(chat_id),
                schedule=str(schedule),
            )

    async def due_digests(self) -> list[tuple[str, str, int]]:
        """(delivery key, slot key, chat id) of every summary whose latest slot is due."""
        async with self._sessions() as session:
            rows = (
                await session.scalars(select(DigestRow).where(DigestRow.active.is_(True)))
            ).all()
        due = []
        for row in rows:
            slot = Schedule(row.frequency, row.day, time(row.hour, row.minute)).latest_slot(
                self.now(), self.zone
            )
            if self.now() - slot <= self.policy.grace:
                run_key = f"digest:{slot.isoformat()}"
                due.append((f"{run_key}|{row.chat_id}", run_key, row.chat_id))
        return due

    async def pause(self, person: Person, days: int) -> datetime:
        until = self.now() + timedelta(days=days)
        async with self._sessions() as session, session.begin():
            await deliveries.pause(session, person.telegram_id, until)
            repo.audit(
                session,
                self.now(),
                person.actor,
                "pause",
                "reminders",
                str(person.telegram_id),
                days=days,
            )
        return until

    async def resume(self, person: Person) -> None:
        async with self._sessions() as session, session.begin():
            await deliveries.pause(session, person.telegram_id, None)
            repo.audit(
                session, self.now(), person.actor, "resume", "reminders", str(person.telegram_id)
            )

    async def change(self, person: Person, change: Change) -> DeadlineChangeRow:
        """Record an administrator's add, move or cancel; the calendar applies it from now on."""
        row = DeadlineChangeRow(
            action=change.action,
            key=change.key,
            due=change.due,
            period=change.period,
            audience=change.audience,
            title=change.title,
            created_by=person.actor,
            created_at=self.now(),
        )
        async with self._sessions() as session, session.begin():
            await repo.add_audited(
                session, row, self.now(), person.actor, change.action, deadline=change.key
            )
        return row

    async def next_custom_key(self) -> str:
        async with self._sessions() as session:
            rows = await deliveries.changes(session)
        return f"custom:{1 + sum(1 for r in rows if r.action == 'add')}"

    async def register_group(
        self, person: Person, chat_id: int, title: str, leaders: bool = True
    ) -> None:
        async with self._sessions() as session, session.begin():
            await deliveries.register_group(session, chat_id, title, leaders)
            repo.audit(
                session,
                self.now(),
                person.actor,
                "register" if leaders else "unregister",
                "chat",
                str(chat_id),
                title=title,
            )

    async def operator_view(self) -> OperatorView:
        upcoming = await self.upcoming()
        count = len(await self.outgoing(upcoming)) if upcoming else 0
        async with self._sessions() as session:
            last = await deliveries.last_run(session)
        return OperatorView(upcoming, count, last[0] if last else None, last[1] if last else {})


def owed_by_agency(
    framework: Framework, directory: Directory, deadline: Deadline, reported: set[str]
) -> dict[str, tuple[str, ...]]:
    """Agency -> the sub-index codes it answers for under this deadline that have no value for
    its period yet. Agencies answering for nothing under it are left out."""
    audience = deadline.audience
    owed: dict[str, list[str]] = {}

    def add(agency: str, sub: SubIndex) -> None:
        codes = owed.setdefault(agency, [])
        if sub.code not in reported and sub.code not in codes:
            codes.append(sub.code)

    for sub in framework.sub_indices:
        if audience.startswith(AGENCY):
            add(audience.removeprefix(AGENCY), sub)
            continue
        holders = (
            sub.lead
            if audience == LEADS
            else (*sub.lead, *sub.coordinate)
            if audience == HOLDERS
            else ()
        )
        for code in holders:
            for agency in directory.expand(code):
                add(agency, sub)
    return {a: tuple(c) for a, c in owed.items()}
