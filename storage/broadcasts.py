"""Broadcasts (an administrator's announcement) and who receives them. Callers own the
transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.status import UserRole
from storage.models import AgencyRow, BroadcastRow, UserAgencyRow, UserRow

DRAFT, SENDING, SENT, CANCELLED = "draft", "sending", "sent", "cancelled"
Recipient = tuple[int, str | None]  # (Telegram id, language)


async def add(
    session: AsyncSession, audience: str, text: str, actor: str, at: datetime
) -> BroadcastRow:
    row = BroadcastRow(audience=audience, text=text, status=DRAFT, created_by=actor, created_at=at)
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, broadcast_id: int) -> BroadcastRow | None:
    return await session.get(BroadcastRow, broadcast_id)


async def move(
    session: AsyncSession, broadcast_id: int, before: str, after: str, at: datetime
) -> bool:
    """Move a broadcast from status `before` to `after`; False when it was no longer `before`
    (a second press of Confirm, or Cancel after Confirm)."""
    values: dict[str, object] = {"status": after}
    values["finished_at" if after == SENT else "decided_at"] = at
    result = await session.execute(
        update(BroadcastRow)
        .where(BroadcastRow.id == broadcast_id, BroadcastRow.status == before)
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def everyone(session: AsyncSession) -> list[Recipient]:
    """Everyone who has written to the bot and not blocked it."""
    rows = await session.execute(
        select(UserRow.telegram_id, UserRow.language)
        .where(UserRow.blocked_at.is_(None))
        .order_by(UserRow.id)
    )
    return [(t, lang) for t, lang in rows]


async def with_roles(
    session: AsyncSession, roles: tuple[UserRole, ...], also: frozenset[int]
) -> list[Recipient]:
    """Users holding one of `roles`, or whose Telegram id is in `also` (ADMIN_IDS)."""
    rows = await session.execute(
        select(UserRow.telegram_id, UserRow.language)
        .where(
            UserRow.blocked_at.is_(None),
            or_(UserRow.role.in_(roles), UserRow.telegram_id.in_(also)),
        )
        .order_by(UserRow.id)
    )
    return [(t, lang) for t, lang in rows]


async def focal_points(session: AsyncSession, agencies: tuple[str, ...] | None) -> list[Recipient]:
    """Focal points of the given agencies (None: of every agency), each once."""
    query = (
        select(UserRow.telegram_id, UserRow.language)
        .join(UserAgencyRow, UserAgencyRow.user_id == UserRow.id)
        .join(AgencyRow, AgencyRow.id == UserAgencyRow.agency_id)
        .where(UserRow.blocked_at.is_(None))
        .order_by(UserRow.id)
    )
    if agencies is not None:
        query = query.where(AgencyRow.code.in_(agencies))
    rows = await session.execute(query)
    return list(dict.fromkeys((t, lang) for t, lang in rows))
