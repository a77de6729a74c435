"""Administrators' changes to the deadline calendar (add, move, cancel). Callers own the
transaction; the changes are only ever inserted and applied in id order."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import repo
from storage.models import DeadlineChangeRow


async def changes(session: AsyncSession) -> list[DeadlineChangeRow]:
    return list(
        (await session.scalars(select(DeadlineChangeRow).order_by(DeadlineChangeRow.id))).all()
    )


async def add_change(
    session: AsyncSession,
    *,
    action: str,
    key: str,
    due: date | None,
    period: str,
    audience: str,
    title: str,
    actor: str,
    at: datetime,
) -> int:
    """Record one change with its audit entry; returns its id."""
    row = DeadlineChangeRow(
        action=action, key=key, due=due, period=period, audience=audience, title=title,
        created_by=actor, created_at=at,
    )  # fmt: skip
    return await repo.add_audited(session, row, at, actor, action, deadline=key)
