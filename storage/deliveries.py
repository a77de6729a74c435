"""Reminder deliveries and who takes reminders. Callers own the transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upserts
from storage.models import AgencyRow, DeliveryRow, UserAgencyRow, UserRow

CLAIMED, SENT, FAILED, BLOCKED = "claimed", "sent", "failed", "blocked"
# The send timed out after it left: Telegram may have delivered it or not, and cannot be asked.
# Sent once more after a check window (see claim), never more: a rare duplicate rather than a
# rare lost reminder.
UNKNOWN = "unknown"


async def claim(
    session: AsyncSession,
    key: str,
    run_key: str,
    chat_id: int,
    kind: str,
    owner: str,
    now: datetime,
    lease: timedelta,
    recheck: timedelta,
) -> int | None:
    """Take the right to send one delivery: its id for exactly one caller, else None. That is
    the first to insert its key; whoever takes over a claim its owner left unfinished for longer
    than `lease` (a process that died mid-run); or whoever takes a delivery whose outcome was
    unknown, `recheck` after it ended, for its one second send."""
    insert = upserts.insert(session, DeliveryRow)
    inserted = await session.scalar(
        insert.values(
            key=key, run_key=run_key, chat_id=chat_id, kind=kind, status=CLAIMED, attempts=0,
            claimed_by=owner, claimed_at=now, error="",
        ).on_conflict_do_nothing(index_elements=["key"]).returning(DeliveryRow.id)
    )  # fmt: skip
    if inserted is not None:
        return int(inserted)
    taken = await session.scalar(
        update(DeliveryRow)
        .where(
            DeliveryRow.key == key,
            or_(
                and_(DeliveryRow.status == CLAIMED, DeliveryRow.claimed_at < now - lease),
                and_(
                    DeliveryRow.status == UNKNOWN,
                    DeliveryRow.resent_at.is_(None),
                    DeliveryRow.finished_at < now - recheck,
                ),
            ),
        )
        .values(
            claimed_by=owner,
            claimed_at=now,
            status=CLAIMED,
            resent_at=case((DeliveryRow.status == UNKNOWN, now), else_=DeliveryRow.resent_at),
        )
        .returning(DeliveryRow.id)
    )
    return None if taken is None else int(taken)


async def finish(
    session: AsyncSession,
    delivery_id: int,
    owner: str,
    status: str,
    attempts: int,
    now: datetime,
    error: str = "",
) -> None:
    """Record how a claimed delivery ended (by id: its key follows a chat that moved)."""
    await session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id == delivery_id, DeliveryRow.claimed_by == owner)
        .values(status=status, attempts=attempts, finished_at=now, error=error[:500])
    )


async def release(session: AsyncSession, delivery_id: int, owner: str) -> None:
    """Give back a claim whose message never left (the bot was stopping): the next run sends
    it. A second send of an unknown outcome goes back to waiting for its turn."""
    mine = (
        DeliveryRow.id == delivery_id,
        DeliveryRow.claimed_by == owner,
        DeliveryRow.status == CLAIMED,
    )
    await session.execute(delete(DeliveryRow).where(*mine, DeliveryRow.resent_at.is_(None)))
    await session.execute(update(DeliveryRow).where(*mine).values(status=UNKNOWN, resent_at=None))


async def move_chat(session: AsyncSession, old: int, new: int) -> bool:
    """A group became a supergroup with a new id: its deliveries follow it, so that a run already
    sent to the group is not sent again to the supergroup. True if there were any."""
    taken = set(await session.scalars(select(DeliveryRow.key).where(DeliveryRow.chat_id == new)))
    moved = False
    for row in await session.scalars(select(DeliveryRow).where(DeliveryRow.chat_id == old)):
        moved = True
        key = _moved_key(row.key, row.run_key, old, new)
        if key not in taken:
            row.key, row.chat_id = key, new
    return moved


def _moved_key(key: str, run_key: str, old: int, new: int) -> str:
    """Delivery keys are "run key|chat id" or "run key|chat id|kind" (services.deliveries and
    services.digests)."""
    prefix = f"{run_key}|{old}"
    if key == prefix or key.startswith(prefix + "|"):
        return f"{run_key}|{new}{key[len(prefix) :]}"
    return key


async def last_run(session: AsyncSession) -> tuple[str, dict[str, int]] | None:
    """The newest run that sent anything, with its deliveries counted by status."""
    run_key = await session.scalar(
        select(DeliveryRow.run_key)
        .order_by(DeliveryRow.claimed_at.desc(), DeliveryRow.id.desc())
        .limit(1)
    )
    if run_key is None:
        return None
    rows = await session.execute(
        select(DeliveryRow.status, func.count())
        .where(DeliveryRow.run_key == run_key)
        .group_by(DeliveryRow.status)
    )
    return run_key, {status: count for status, count in rows}


async def focal_points(
    session: AsyncSession, now: datetime
) -> dict[int, tuple[str | None, list[str]]]:
    """Telegram id -> (language, agency codes) of every focal point who takes reminders now
    (not paused, not blocked)."""
    rows = await session.execute(
        select(UserRow.telegram_id, UserRow.language, AgencyRow.code)
        .join(UserAgencyRow, UserAgencyRow.user_id == UserRow.id)
        .join(AgencyRow, AgencyRow.id == UserAgencyRow.agency_id)
        .where(
            UserRow.blocked_at.is_(None),
            or_(UserRow.reminders_paused_until.is_(None), UserRow.reminders_paused_until <= now),
        )
        .order_by(UserRow.telegram_id, UserAgencyRow.id)
    )
    found: dict[int, tuple[str | None, list[str]]] = {}
    for telegram_id, language, agency in rows:
        found.setdefault(telegram_id, (language, []))[1].append(agency)
    return found


async def mark_blocked(session: AsyncSession, telegram_id: int, now: datetime) -> None:
    await session.execute(
        update(UserRow).where(UserRow.telegram_id == telegram_id).values(blocked_at=now)
    )


async def pause(session: AsyncSession, telegram_id: int, until: datetime | None) -> None:
    await session.execute(
        update(UserRow)
        .where(UserRow.telegram_id == telegram_id)
        .values(reminders_paused_until=until)
    )
