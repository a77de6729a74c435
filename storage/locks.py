"""A database-wide lock for start-up, so processes starting together migrate and seed once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# Any fixed 64-bit number works; this one is "DTI" and "start" in ASCII, unlikely to collide
# with another application's advisory locks on a shared server.
STARTUP_LOCK = 0x445449_7374617274


@asynccontextmanager
async def startup_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Hold the start-up lock for the block. PostgreSQL: a session advisory lock, so a second
    process waits here until the first has migrated and seeded, then finds nothing to do (the
    lock goes with the connection if the process dies). SQLite: nothing more is needed, since the
    migration and the seeding each run in one transaction that takes the database's write lock
    first (storage.db begins every transaction IMMEDIATE)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK})
        await conn.commit()  # the lock belongs to the session, not to this transaction
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK})
            await conn.commit()
