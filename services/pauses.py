"""A focal point's pause of their reminders (/tamdung, /tieptuc)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.clock import Calendar
from services.identity import Person
from storage import deliveries, repo


class PauseService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], calendar: Calendar) -> None:
        self._sessions = sessions
        self._calendar = calendar

    async def pause(self, person: Person, days: int) -> datetime:
        """No reminders to this person for `days` days; returns when they start again."""
        now = self._calendar.now()
        until = now + timedelta(days=days)
        async with self._sessions() as session, session.begin():
            await deliveries.pause(session, person.telegram_id, until)
            repo.audit(
                session,
                now,
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
                session,
                self._calendar.now(),
                person.actor,
                "resume",
                "reminders",
                str(person.telegram_id),
            )
