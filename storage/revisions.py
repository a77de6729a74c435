"""Counters of changes to data that processes keep in memory. Callers own the transaction."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upserts
from storage.models import RevisionRow

REFERENCE = "reference"  # agencies, groups, frameworks, assignments
VALUES = "values"  # submissions and reviews: counted by triggers on insert (migration 0013)


async def bump(session: AsyncSession, name: str = REFERENCE) -> None:
    """Count one change; every process sees the new value once this transaction commits."""
    insert = upserts.insert(session, RevisionRow)
    await session.execute(
        insert.values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"])
    )
    await session.execute(
        update(RevisionRow).where(RevisionRow.name == name).values(value=RevisionRow.value + 1)
    )


async def current(session: AsyncSession, name: str = REFERENCE) -> int:
    found = await session.scalar(select(RevisionRow.value).where(RevisionRow.name == name))
    return int(found or 0)
