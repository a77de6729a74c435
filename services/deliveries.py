"""Reminder deliveries: who gets what for a run, and the record that makes each delivery happen
once across restarts and processes (a claim before sending, a finish after)."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.status import ReviewStatus
from reminders.calendar import LEADERS, Run
from reminders.owed import owed_by_agency
from services.clock import Calendar
from services.deadlines import DeadlineService
from services.scores import ScoreService
from storage import deliveries, groups, repo
from storage import values as values_repo

LEASE = timedelta(minutes=5)  # a claim older than this, unfinished, belonged to a dead process
# A send that timed out after it left waits this long before its one second send: a slow
# Telegram has delivered it or given up by then, and a lost reminder still arrives that morning.
RECHECK = timedelta(minutes=10)


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
    thread_id: int | None = None  # a group's forum topic (where it was registered)

    def key(self, run: Run) -> str:
        return f"{run.key}|{self.chat_id}|{self.kind}"


@dataclass(frozen=True, slots=True)
class OperatorView:
    next_run: Run | None
    next_recipients: int
    last_run: str | None
    last_counts: dict[str, int]


class DeliveryService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        scores: ScoreService,
        calendar: Calendar,
        deadlines: DeadlineService,
    ) -> None:
        self._sessions = sessions
        self._scores = scores
        self._calendar = calendar
        self._deadlines = deadlines
        # Which process holds a claim; a restarted process is a new owner.
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    async def outgoing(self, run: Run) -> list[Outgoing]:
        """What a run sends, computed from the values stored now: nothing to agencies that have
        reported everything."""
        framework, directory = await self._scores.reference()
        deadline = run.deadline
        after = self._deadlines.policy.after
        async with self._sessions() as session:
            if deadline.audience == LEADERS:
                leaders = await groups.leaders_groups(session)
                return (
                    []
                    if run.overdue
                    else [
                        Outgoing(g.chat_id, "conference", thread_id=g.thread_id) for g in leaders
                    ]
                )
            stored = await values_repo.submissions(session, framework.code)
            people = await deliveries.focal_points(session, self._calendar.now())
            leaders = (
                await groups.leaders_groups(session)
                if run.offset == -min(after, default=1)
                else []
            )
        reported = {
            s.code
            for s in stored
            if s.period == deadline.period and s.status is not ReviewStatus.REJECTED
        }
        owed = owed_by_agency(framework, directory, deadline, reported)
        kind = "overdue" if run.overdue else "reminder"
        messages = []
        for chat_id, (language, agencies) in people.items():
            missing = tuple((a, owed[a]) for a in agencies if owed.get(a))
            if missing:
                messages.append(Outgoing(chat_id, kind, missing, language=language))
        if leaders:
            late = tuple((a, codes) for a, codes in owed.items() if codes)
            expected = len(owed)
            messages += [
                Outgoing(
                    g.chat_id,
                    "summary",
                    late,
                    expected - len(late),
                    expected,
                    thread_id=g.thread_id,
                )
                for g in leaders
            ]
        return messages

    async def claim(self, key: str, run_key: str, chat_id: int, kind: str) -> int | None:
        """Take the right to send one delivery: its id, or None (see storage.deliveries.claim)."""
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            return await deliveries.claim(
                session, key, run_key, chat_id, kind, self.owner, now, LEASE, RECHECK
            )

    async def finish(
        self, delivery: int, chat_id: int, status: str, attempts: int, error: str = ""
    ) -> None:
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            await deliveries.finish(session, delivery, self.owner, status, attempts, now, error)
            if status == deliveries.BLOCKED:
                await deliveries.mark_blocked(session, chat_id, now)

    async def release(self, delivery: int) -> None:
        """A claimed delivery that was never sent (the bot is stopping): the next run sends it."""
        async with self._sessions() as session, session.begin():
            await deliveries.release(session, delivery, self.owner)

    async def move_chat(self, old: int, new: int) -> None:
        """A group became a supergroup (Telegram's ChatMigrated or its service message): its
        registration, summary subscription and delivery history follow it."""
        async with self._sessions() as session, session.begin():
            moved = await groups.move_chat(session, old, new)
            if await deliveries.move_chat(session, old, new) or moved:
                repo.audit(
                    session, self._calendar.now(), "telegram", "migrate", "chat", str(old), to=new
                )

    async def operator_view(self) -> OperatorView:
        """The next run with how many it would send, and the last run's deliveries by status."""
        upcoming = await self._deadlines.upcoming()
        count = len(await self.outgoing(upcoming)) if upcoming else 0
        async with self._sessions() as session:
            last = await deliveries.last_run(session)
        return OperatorView(upcoming, count, last[0] if last else None, last[1] if last else {})
