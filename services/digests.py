"""Groups that get summaries: leaders' groups (late agencies after a deadline, conference
reminders) and weekly or monthly summary subscriptions, each in the forum topic it was asked
for in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.chat import Destination
from reminders.calendar import Schedule
from services.clock import Calendar
from services.deadlines import Policy
from services.identity import Person
from storage import groups, repo


@dataclass(frozen=True, slots=True)
class DueDigest:
    """A summary whose slot has come: `key` makes its delivery happen once."""

    key: str
    run_key: str
    destination: Destination


class DigestService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], calendar: Calendar, policy: Policy
    ) -> None:
        self._sessions = sessions
        self._calendar = calendar
        self._policy = policy

    async def register_group(
        self, person: Person, destination: Destination, title: str, leaders: bool = True
    ) -> None:
        """Make a group (in the topic given) a leaders' group, or stop being one."""
        async with self._sessions() as session, session.begin():
            await groups.register_group(session, destination, title, leaders)
            repo.audit(
                session,
                self._calendar.now(),
                person.actor,
                "register" if leaders else "unregister",
                "chat",
                str(destination.chat_id),
                title=title,
                thread=destination.thread_id,
            )

    async def subscribe(
        self, person: Person, destination: Destination, schedule: Schedule | None
    ) -> None:
        """Give a group a weekly or monthly summary (None stops it); one schedule per group."""
        slot = (
            None
            if schedule is None
            else (schedule.frequency, schedule.day, schedule.at.hour, schedule.at.minute)
        )
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            await groups.subscribe(session, destination, slot, person.actor, now)
            repo.audit(
                session,
                now,
                person.actor,
                "subscribe",
                "digest",
                str(destination.chat_id),
                schedule=str(schedule),
                thread=destination.thread_id,
            )

    async def due_digests(self) -> list[DueDigest]:
        """Every summary whose latest slot is due (within the grace period)."""
        async with self._sessions() as session:
            rows = await groups.subscriptions(session)
        now, zone = self._calendar.now(), self._calendar.zone
        due = []
        for row in rows:
            schedule = Schedule(row.frequency, row.day, time(row.hour, row.minute))
            slot = schedule.latest_slot(now, zone)
            if now - slot <= self._policy.grace:
                run_key = f"digest:{slot.isoformat()}"
                chat_id = row.destination.chat_id
                due.append(DueDigest(f"{run_key}|{chat_id}", run_key, row.destination))
        return due
