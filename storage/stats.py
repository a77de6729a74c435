"""Counts the metrics read from the database at each scrape. Read-only."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeliveryRow


async def delivery_counts(session: AsyncSession, owner: str) -> dict[tuple[str, str], int]:
    """The deliveries `owner` claimed, counted by (kind, status)."""
    rows = await session.execute(
        select(DeliveryRow.kind, DeliveryRow.status, func.count())
        .where(DeliveryRow.claimed_by == owner)
        .group_by(DeliveryRow.kind, DeliveryRow.status)
    )
    return {(kind, status): count for kind, status, count in rows}
