"""Counters of changes to data that processes keep in memory. Callers own the transaction, except
for `Probe`, which asks for one counter as committed now."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage import upserts
from storage.models import RevisionRow

if TYPE_CHECKING:
    import asyncpg

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
    exact?), so it must cost next to nothing: one statement with no transaction around it, on a
    connection of the probe's own, which sees the newest commit of any process. None (ask in a
    transaction instead) for a database in memory and whenever the database answers with an
    error; the connection is opened again at the next question.

    On a SQLite file the statement runs in the event loop's thread: one row by its key, read in
    microseconds (in WAL mode a read never waits for a writer; the connection never waits for a
    lock, timeout 0), where a read-only transaction through the pool took three trips to
    aiosqlite's thread and back (BEGIN, SELECT, ROLLBACK) and the session's set-up.

    On PostgreSQL it is one round trip (the pool's read-only transaction took six: a ping in a
    transaction of its own, then BEGIN, SELECT, ROLLBACK), and questions asked while it is
    under way share the next one: each caller gets the answer of a statement that began after
    it asked, so a commit made before a question is always seen."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sqlite: str | None = None  # the file's path
        self._connection: sqlite3.Connection | None = None
        self._postgres: AsyncEngine | None = None
        self._server: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._begun = 0  # statements begun on PostgreSQL
        self._answer: tuple[int, dict[str, int] | None] = (0, {})  # the newest: number, values
        engine = sessions.kw.get("bind")
        if not isinstance(engine, AsyncEngine):
            return
        url = engine.url
        if engine.dialect.name == "sqlite":
            if url.database and url.database != ":memory:" and not url.query:
                self._sqlite = url.database
        elif engine.dialect.driver == "asyncpg":
            self._postgres = engine
        event.listen(engine.sync_engine, "engine_disposed", self._disposed)

    async def committed(self, name: str = REFERENCE) -> int | None:
        if self._sqlite is not None:
            return self._read_sqlite(self._sqlite, name)
        if self._postgres is None:
            return None
        asked = self._begun
        async with self._lock:
            number, values = self._answer
            if number <= asked:  # begun before this question: not good enough
                self._begun += 1
                values = await self._read_postgres(self._postgres)
                self._answer = self._begun, values
        # None: the database answered with an error, to this question or one asked with it
        return None if values is None else values.get(name, 0)

    async def _read_postgres(self, engine: AsyncEngine) -> dict[str, int] | None:
        try:
            server = self._server or await self._connect(engine)
            return {row[0]: int(row[1] or 0) for row in await server.fetch(_PROBE_ALL)}
        # Whatever the driver raised (a dropped connection can leave asyncpg's protocol in a
        # state it reports as an internal error): the caller asks in a transaction instead.
        except Exception:  # noqa: BLE001
            self.close()
            return None

    def _read_sqlite(self, path: str, name: str) -> int | None:
        try:
            if self._connection is None:
                self._connection = sqlite3.connect(
                    path, timeout=0, isolation_level=None, check_same_thread=False
                )
                self._connection.execute("PRAGMA query_only=ON")
            # fetchall: stepped to the end, the statement's read transaction is over at once
            rows = self._connection.execute(_PROBE, (name,)).fetchall()
        except sqlite3.Error:
            self.close()  # opened again next time
            return None
        return int(rows[0][0] or 0) if rows else 0

    async def _connect(self, engine: AsyncEngine) -> asyncpg.Connection:
        """A connection as the engine's own are made (its URL's host, user, database …),
        without the dialect's type set-up, which a row of integers does not need."""
        import asyncpg  # with PostgreSQL only: ~13 ms of a SQLite bot's start

        _, options = engine.dialect.create_connect_args(engine.url)
        for key in ("prepared_statement_cache_size", "prepared_statement_name_func"):
            options.pop(key, None)
        self._server = await asyncpg.connect(**options, timeout=CONNECT_TIMEOUT)
        return self._server

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._server is not None:
            # No await possible here (the engine is disposed in its own thread's terms): the
            # socket is closed at once; the server ends the session, which holds no transaction.
            self._server.terminate()
            self._server = None

    def _disposed(self, _engine: Any) -> None:
        self.close()


CONNECT_TIMEOUT = 10.0  # seconds
_PROBE = f"SELECT value FROM {RevisionRow.__tablename__} WHERE name = ?"  # noqa: S608 - a constant
# Every counter (two rows): one statement answers any name asked meanwhile. By their keys, not
# the whole table: each stored value rewrites its counter's row (migration 0013's triggers), and
# on PostgreSQL the old versions leave the table as many pages long as a bulk load made it (a
# hundred after 10,000 values), all read by a scan, where the key reads one once (auto)vacuum has
# cleared the dead versions.
_PROBE_ALL = (
    f"SELECT name, value FROM {RevisionRow.__tablename__} "  # noqa: S608 - constants
    f"WHERE name IN ('{REFERENCE}', '{VALUES}')"
)
