"""Reminder deliveries and who takes reminders. Callers own the transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AgencyRow, DeliveryRow, UserAgencyRow, UserRow

CLAIMED, SENT, FAILED, BLOCKED = "claimed", "sent", "failed", "blocked"


async def claim(
    session: AsyncSession,
    key: str,
    run_key: str,
    chat_id: int,
    kind: str,
    owner: str,
    now: datetime,
    lease: timedelta,
) -> bool:
    """Take the right to send one delivery. True for exactly one caller: the first to insert its
    key, or whoever takes over a claim its owner left unfinished for longer than `lease` (a
    process that died mid-run)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert(DeliveryRow) if dialect == "postgresql" else sqlite_insert(DeliveryRow)
    result = await session.execute(
        insert.values(
            key=key, run_key=run_key, chat_id=chat_id, kind=kind, status=CLAIMED, attempts=0,
            claimed_by=owner, claimed_at=now, error="",
        ).on_conflict_do_nothing(index_elements=["key"])
    )  # fmt: skip
    if result.rowcount:  # type: ignore[attr-defined]
        return True
    taken = await session.execute(
        update(DeliveryRow)
        .where(
            DeliveryRow.key == key,
            DeliveryRow.status == CLAIMED,
            DeliveryRow.claimed_at < now - lease,
        )
        .values(claimed_by=owner, claimed_at=now)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


async def finish(
    session: AsyncSession,
    key: str,
    owner: str,
    status: str,
    attempts: int,
    now: datetime,
    error: str = "",
) -> None:
    await session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.key == key, DeliveryRow.claimed_by == owner)
        .values(status=status, attempts=attempts, finished_at=now, error=error[:500])
    )


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
