"""Groups that receive summaries: leaders' groups (deadline summaries, conference reminders) and
weekly or monthly summary subscriptions, each with the forum topic it was registered in.
Callers own the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.chat import Destination
from storage.models import ChatRow, DigestRow


async def leaders_groups(session: AsyncSession) -> list[Destination]:
    rows = await session.execute(
        select(ChatRow.telegram_id, ChatRow.thread_id)
        .where(ChatRow.is_leaders_group.is_(True))
        .order_by(ChatRow.id)
    )
    return [Destination(chat_id, thread_id) for chat_id, thread_id in rows]


async def register_group(
    session: AsyncSession, destination: Destination, title: str, leaders: bool
) -> None:
    chat_id, thread_id = destination.chat_id, destination.thread_id
    chat = await session.scalar(select(ChatRow).where(ChatRow.telegram_id == chat_id))
    if chat is None:
        session.add(
            ChatRow(
                telegram_id=chat_id,
                type="group",
                title=title,
                is_leaders_group=leaders,
                thread_id=thread_id,
            )
        )
    else:
        chat.title, chat.is_leaders_group, chat.thread_id = title, leaders, thread_id


@dataclass(frozen=True, slots=True)
class Subscription:
    """A group's summary schedule: weekly on `day` 0 (Monday)-6 or monthly on day 1-28."""

    destination: Destination
    frequency: str
    day: int
    hour: int
    minute: int


async def subscribe(
    session: AsyncSession,
    destination: Destination,
    schedule: tuple[str, int, int, int] | None,
    actor: str,
    at: datetime,
) -> None:
    """Set (frequency, day, hour, minute) as the group's one schedule; None stops it."""
    row = await session.scalar(select(DigestRow).where(DigestRow.chat_id == destination.chat_id))
    if row is None and schedule is not None:
        row = DigestRow(chat_id=destination.chat_id, created_by=actor, created_at=at)
        session.add(row)
    if row is not None:
        row.active = schedule is not None
        if schedule is not None:
            row.frequency, row.day, row.hour, row.minute = schedule
            row.thread_id = destination.thread_id


async def subscriptions(session: AsyncSession) -> list[Subscription]:
    """Every active subscription."""
    rows = (await session.scalars(select(DigestRow).where(DigestRow.active.is_(True)))).all()
    return [
        Subscription(Destination(r.chat_id, r.thread_id), r.frequency, r.day, r.hour, r.minute)
        for r in rows
    ]


async def move_chat(session: AsyncSession, old: int, new: int) -> bool:
    """A group became a supergroup with a new id: its registration and its summary subscription
    follow it. True if anything was stored under the old id."""
    moved = False
    chat = await session.scalar(select(ChatRow).where(ChatRow.telegram_id == old))
    if chat is not None:
        moved = True
        existing = await session.scalar(select(ChatRow).where(ChatRow.telegram_id == new))
        if existing is None:
            chat.telegram_id, chat.type = new, "supergroup"
        else:  # the supergroup wrote first: keep its row, with the group's role
            existing.is_leaders_group = existing.is_leaders_group or chat.is_leaders_group
            existing.title = existing.title or chat.title
            await session.delete(chat)
    digest = await session.scalar(select(DigestRow).where(DigestRow.chat_id == old))
    if digest is not None:
        moved = True
        if await session.scalar(select(DigestRow.id).where(DigestRow.chat_id == new)) is None:
            digest.chat_id = new
        else:  # the supergroup has its own subscription: that one stands
            digest.active = False
    return moved
