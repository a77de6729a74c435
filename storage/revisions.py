"""Counters of changes to data that processes keep in memory. Callers own the transaction, except
for `Probe`, which asks for one counter as committed now."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

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


class Probe:
    """A counter's value as committed now, asked before every answer (is what is kept still
    exact?), so it must cost next to nothing.

    On a SQLite file it is read by a connection of its own in the event loop's thread: one row by
    its key, a statement with no transaction around it, which sees the newest commit of any
    process. In WAL mode a read never waits for a writer, so this takes microseconds, where a
    read-only transaction through the pool took three trips to aiosqlite's thread and back
    (BEGIN, SELECT, ROLLBACK) and the session's set-up: about a millisecond of CPU. The
    connection never waits for a lock (timeout 0). None (ask in a transaction) on PostgreSQL,
    and whenever SQLite answers with an error (busy while it recovers the WAL after a crash)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._path: str | None = None
        self._connection: sqlite3.Connection | None = None
        engine = sessions.kw.get("bind")
        if isinstance(engine, AsyncEngine) and engine.dialect.name == "sqlite":
            url = engine.url
            if url.database and url.database != ":memory:" and not url.query:
                self._path = url.database
                event.listen(engine.sync_engine, "engine_disposed", self._disposed)

    def committed(self, name: str = REFERENCE) -> int | None:
        if self._path is None:
            return None
        try:
            if self._connection is None:
                self._connection = sqlite3.connect(
                    self._path, timeout=0, isolation_level=None, check_same_thread=False
                )
                self._connection.execute("PRAGMA query_only=ON")
            # fetchall: stepped to the end, the statement's read transaction is over at once
            rows = self._connection.execute(_PROBE, (name,)).fetchall()
        except sqlite3.Error:
            self.close()  # opened again next time
            return None
        return int(rows[0][0] or 0) if rows else 0

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _disposed(self, _engine: Any) -> None:
        self.close()


_PROBE = f"SELECT value FROM {RevisionRow.__tablename__} WHERE name = ?"  # noqa: S608 - a constant
