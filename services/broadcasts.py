"""Broadcasts: an administrator's announcement to a role (everyone, focal points, leaders,
administrators) or to the focal points of an agency or group.

A broadcast is a draft with a preview until an administrator confirms it; confirming moves it to
"sending" once (a second press is refused), and each recipient's message is then claimed in the
deliveries table before it is sent (run key "broadcast:<id>"), as reminders are: a broadcast
sent again after a crash, or by two processes, reaches nobody twice."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.status import UserRole
from scoring.model import Directory
from scoring.text import fold
from services.agencies import find_holder
from services.clock import Calendar
from services.identity import Person
from services.refusal import Refusal
from services.scores import ScoreService
from storage import broadcasts, repo
from storage.broadcasts import Recipient

MAX_TEXT = 3500  # leaves room under Telegram's 4096 characters for the heading
ROLES = ("all", "focal", "leaders", "admins")
# The words that name a role audience (folded), Vietnamese first.
ROLE_WORDS = {
    "tatca": "all", "moinguoi": "all", "all": "all", "everyone": "all",
    "daumoi": "focal", "focal": "focal",
    "lanhdao": "leaders", "leaders": "leaders",
    "quantri": "admins", "quantrivien": "admins", "admins": "admins",
}  # fmt: skip
AGENCY = "agency:"
MAX_NAME_WORDS = 8  # an agency's name typed in full: "Sở Văn hóa, Thể thao và Du lịch"


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    audience: str  # a role of ROLES, or "agency:<code>"
    text: str
    status: str
    recipients: int

    @property
    def agency(self) -> str | None:
        return self.audience.removeprefix(AGENCY) if self.audience.startswith(AGENCY) else None


def find_audience(directory: Directory, words: list[str]) -> tuple[str, int] | None:
    """The audience the first words name, and how many words that took: a role word, or an
    agency or group by code, name or alias (the longest name that matches)."""
    if not words:
        return None
    role = ROLE_WORDS.get(fold(words[0]).replace(" ", ""))
    if role is not None:
        return role, 1
    for size in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
        code = find_holder(directory, " ".join(words[:size]))
        if code is not None:
            return AGENCY + code, size
    return None


class BroadcastService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        scores: ScoreService,
        calendar: Calendar,
        admin_ids: frozenset[int],
    ) -> None:
        self._sessions = sessions
        self._scores = scores
        self._calendar = calendar
        self._admin_ids = admin_ids

    async def prepare(self, actor: Person, audience: str, text: str) -> Broadcast:
        """A draft to preview; refused when it is empty, too long, or would reach nobody."""
        if not actor.is_admin:
            raise Refusal("problem.review.not_admin")
        text = text.strip()
        if not text:
            raise Refusal("broadcast.usage")
        if len(text) > MAX_TEXT:
            raise Refusal("broadcast.too_long", length=len(text), max=MAX_TEXT)
        count = len(await self.recipients(audience))
        if count == 0:
            raise Refusal("broadcast.nobody")
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            row = await broadcasts.add(session, audience, text, actor.actor, now)
            repo.audit(
                session, now, actor.actor, "create", "broadcast", str(row.id),
                audience=audience, recipients=count, length=len(text),
            )  # fmt: skip
        return Broadcast(row.id, audience, text, broadcasts.DRAFT, count)

    async def recipients(self, audience: str) -> list[Recipient]:
        """Who receives a broadcast to `audience` now (never someone who blocked the bot)."""
        directory = None
        if audience.startswith(AGENCY):
            _, directory = await self._scores.reference()
        async with self._sessions() as session:
            if audience == "all":
                return await broadcasts.everyone(session)
            if audience == "focal":
                return await broadcasts.focal_points(session, None)
            if audience == "leaders":
                roles = (UserRole.LEADER, UserRole.ADMIN)
                return await broadcasts.with_roles(session, roles, self._admin_ids)
            if audience == "admins":
                return await broadcasts.with_roles(session, (UserRole.ADMIN,), self._admin_ids)
            if directory is not None:
                agencies = directory.expand(audience.removeprefix(AGENCY))
                return await broadcasts.focal_points(session, agencies) if agencies else []
        raise Refusal("broadcast.usage")

    async def get(self, broadcast_id: int) -> Broadcast:
        async with self._sessions() as session:
            row = await broadcasts.get(session, broadcast_id)
        if row is None:
            raise Refusal("broadcast.gone")
        count = len(await self.recipients(row.audience))
        return Broadcast(row.id, row.audience, row.text, row.status, count)

    async def confirm(self, actor: Person, broadcast_id: int) -> Broadcast:
        """Start sending a draft, once."""
        return await self._decide(actor, broadcast_id, broadcasts.SENDING, "confirm")

    async def cancel(self, actor: Person, broadcast_id: int) -> Broadcast:
        return await self._decide(actor, broadcast_id, broadcasts.CANCELLED, "cancel")

    async def finish(
        self, broadcast_id: int, actor: str, sent: int, blocked: int, failed: int, unknown: int
    ) -> None:
        """Record the end of a sending run: nothing was left to send."""
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            if await broadcasts.move(
                session, broadcast_id, broadcasts.SENDING, broadcasts.SENT, now
            ):
                repo.audit(
                    session, now, actor, "sent", "broadcast", str(broadcast_id),
                    sent=sent, blocked=blocked, failed=failed, unknown=unknown,
                )  # fmt: skip

    async def _decide(
        self, actor: Person, broadcast_id: int, status: str, action: str
    ) -> Broadcast:
        if not actor.is_admin:
            raise Refusal("problem.review.not_admin")
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            row = await broadcasts.get(session, broadcast_id)
            if row is None:
                raise Refusal("broadcast.gone")
            if not await broadcasts.move(session, broadcast_id, broadcasts.DRAFT, status, now):
                if row.status == broadcasts.CANCELLED:
                    raise Refusal("broadcast.was_cancelled")
                raise Refusal("broadcast.was_sent")
            repo.audit(session, now, actor.actor, action, "broadcast", str(broadcast_id))
        return await self.get(broadcast_id)
