"""The province's official DTI rank per year. Callers own the transaction."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RankingRow


async def rankings(session: AsyncSession) -> list[RankingRow]:
    return list((await session.scalars(select(RankingRow).order_by(RankingRow.year))).all())


async def set_ranking(
    session: AsyncSession, year: int, rank: int, of_total: int, dti: Decimal | None, source: str
) -> str | None:
    """Record or correct a year's rank; returns what it was before ("15/34 0.6123"), if any."""
    row = await session.scalar(select(RankingRow).where(RankingRow.year == year))
    if row is None:
        session.add(RankingRow(year=year, rank=rank, of_total=of_total, dti=dti, source=source))
        return None
    before = f"{row.rank}/{row.of_total} {row.dti}"
    row.rank, row.of_total, row.dti, row.source = rank, of_total, dti, source
    return before
