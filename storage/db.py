"""Engine and sessions: embedded SQLite (WAL) by default, PostgreSQL when the URL says so."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

SQLITE_POOL = 24  # connections kept open to a SQLite file (10 more may be opened past them)
# Connections kept open to PostgreSQL: more than MAX_CONCURRENT_UPDATES (16) with the intake and
# the jobs, so that a busy moment does not open and close connections past the pool (each new
# one is a login and the driver's type set-up: many round trips and milliseconds of CPU).
POSTGRES_POOL = 20
# A PostgreSQL connection idle in the pool longer than this is checked (pinged) before use: the
# server may have restarted or dropped it meanwhile. One returned less than this ago answered
# then; pinging it too cost three round trips (BEGIN, ping, ROLLBACK) for every session.
PING_IDLE = 1.0
JOURNAL_POOL = 3  # the update journal's statements run one at a time, its maintenance beside them


def make_engine(url: str, *, ping_idle: float = PING_IDLE) -> AsyncEngine:
    """An async engine; SQLite files get WAL, foreign keys and a busy timeout; PostgreSQL
    connections idle longer than `ping_idle` seconds are checked before use. Statement
    parameters (invite codes, user text) never appear in its errors or logs."""
    if url.startswith("sqlite"):
        from storage import sqlite_driver  # aiosqlite and SQLite's dialect: not for PostgreSQL

        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            connect_args={"timeout": 30},
            hide_parameters=True,
            module=sqlite_driver.dbapi(),  # one trip to aiosqlite's thread per statement
            # Connections kept for every handler running at once (MAX_CONCURRENT_UPDATES), the
            # intake and the jobs: one opened past the pool is a new thread and a new file
            # handle, closed again as soon as it is returned.
            pool_size=SQLITE_POOL,
            # The connection returned last is taken first: each has its own thread and page
            # cache, and at a steady pace the same warm one serves one statement after another
            # (first in, first out, every statement woke a thread idle the longest).
            pool_use_lifo=True,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return _postgres_engine(url, POSTGRES_POOL, ping_idle)


def make_journal_engine(engine: AsyncEngine) -> AsyncEngine:
    """The engine the update journal (bot.inbound) writes with. On PostgreSQL one of its own,
    whose commits return before the server has flushed them to disk (synchronous_commit off):
    a reply no longer waits for a disk flush (0.3 ms on this machine's disk, milliseconds on a
    busy one) before it is handled. The journal keeps the durability SQLite's WAL gives with
    synchronous=NORMAL: its last rows (on disk within a fraction of a second) are lost only if
    the database server goes down before that and the bot with it, before finishing those
    updates (a power loss); a bot that crashes alone loses nothing, the server has them. Metric
    values, evidence and reminders commit on `engine`, waiting for the disk, and each such
    commit makes every journal row before it durable too (the server's log is flushed in
    order). SQLite: `engine`."""
    if engine.dialect.name != "postgresql":
        return engine
    return _postgres_engine(
        engine.url, JOURNAL_POOL, PING_IDLE, server_settings={"synchronous_commit": "off"}
    )


def _postgres_engine(
    url: str | URL, pool_size: int, ping_idle: float, **connect_args: Any
) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        # The connection returned last is taken first: at a steady trickle of messages the same
        # one or two are used again and again, within PING_IDLE, and the others stay idle (and
        # are pinged when a busy moment needs them). First in, first out, every connection of
        # the pool took its turn and had been idle longer than PING_IDLE.
        pool_use_lifo=True,
        hide_parameters=True,
        connect_args=connect_args,
    )
    _ping_when_idle(engine, ping_idle)
    return engine


def _ping_when_idle(engine: AsyncEngine, idle: float) -> None:
    """SQLAlchemy's pool_pre_ping, for connections idle in the pool longer than `idle` seconds
    only. A failed ping, as there, replaces every connection opened before it (the server
    restarted), and the pool tries again with a new one before the caller gets it."""

    def returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("returned", 0.0) <= idle:
            return
        try:
            dbapi_connection.ping()
        except Exception as error:  # noqa: BLE001 - whatever the driver raised, it is gone
            raise exc.InvalidatePoolError(f"ping failed: {type(error).__name__}") from error

    pool = engine.sync_engine.pool
    event.listen(pool, "connect", returned)
    event.listen(pool, "checkin", returned)
    event.listen(pool, "checkout", checkout)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is off: _sqlite_begin starts every transaction instead.
    dbapi_connection.isolation_level = None
    dbapi_connection.to_wal(wait=30)
    cursor = dbapi_connection.cursor()
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit stays atomic and
    # consistent; only the last commits before a power loss (not a crash of the process) can
    # be lost.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# Execution options of a transaction that only reads (see `reading`): PostgreSQL begins it
# READ ONLY; SQLite begins it deferred, without the write lock.
READ_ONLY = {"postgresql_readonly": True, "dti_read_only": True}


def _sqlite_begin(connection: Any) -> None:
    """Take the write lock when a transaction starts, unless it only reads. A deferred
    transaction that reads, then writes, fails at once with "database is locked" when another
    writer got in between; an immediate one waits (busy_timeout) for its turn, so concurrent
    updates queue instead. A read takes a WAL snapshot and never waits for a writer. The BEGIN
    goes with the transaction's first statement, in the same trip to the driver's thread."""
    from storage import sqlite_driver  # imported by make_engine already

    options = connection.get_execution_options()
    if options.get("dti_one_statement"):
        return  # the statement is its own transaction (one_statement)
    begin = "BEGIN" if options.get("dti_read_only") else "BEGIN IMMEDIATE"
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite_driver.OneTripConnection):
        dbapi_connection.begin_with_next(begin)
    else:
        connection.exec_driver_sql(begin)


def as_utc(value: datetime) -> datetime:
    """SQLite returns timezone-aware columns without their zone; everything is stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


# What runs a statement: an ORM session, or a connection for plain SQL (`one_statement`).
Executor = AsyncSession | AsyncConnection


def dialect_name(executor: Executor) -> str:
    """ "postgresql" or "sqlite": the database `executor` runs statements on."""
    if isinstance(executor, AsyncConnection):
        return executor.dialect.name
    return executor.bind.dialect.name if executor.bind is not None else ""


# Execution options of a connection that runs one statement (see `one_statement`). SQLite's
# connections are in autocommit already (_sqlite_pragmas): only its BEGIN is left out.
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}
_SQLITE_ONE_STATEMENT = {"dti_one_statement": True}


@asynccontextmanager
async def one_statement(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncConnection]:
    """A connection for one statement that writes, committed as it runs. A single statement is
    atomic by itself, so it runs with no transaction around it (its own, committed when it
    ends): on PostgreSQL that saves the BEGIN and COMMIT round trips, on SQLite the COMMIT's
    trip to the driver's thread (a writing statement takes the write lock as it starts, as
    BEGIN IMMEDIATE would, and waits its turn the same way). Use it for exactly one statement:
    two would commit separately. A plain connection, not an ORM session: for the update
    journal's statements, run with every update, the session's set-up and closing cost a
    quarter of the CPU the statement did."""
    engine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            yield await connection.execution_options(**AUTOCOMMIT)
    else:
        async with engine.connect() as connection:
            await connection.execution_options(**_SQLITE_ONE_STATEMENT)
            async with connection.begin():  # sends nothing: see _sqlite_begin
                yield connection


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session in a transaction, committed on leaving (rolled back on an error)."""
    async with sessions() as session, session.begin():
        yield session


@asynccontextmanager
async def reading(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose transaction only reads: it sees one snapshot, takes no write lock on
    SQLite and is READ ONLY on PostgreSQL (a write in it fails)."""
    async with sessions() as session:
        await session.connection(execution_options=READ_ONLY)
        yield session
