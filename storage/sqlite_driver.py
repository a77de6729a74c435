"""SQLAlchemy's aiosqlite adapter with one trip to the driver's thread per statement.

aiosqlite runs every sqlite3 call in a thread of its own; each call is a hand-over to that
thread and a wake-up of the event loop when it is done, which costs far more CPU than the call
(about 0.2 ms on a busy 2-core machine, against microseconds for a small statement). SQLAlchemy's
adapter makes four such calls per statement (open a cursor, execute, fetch, close it) and two
more per unit of work (a rollback by the session, and another by the pool on a connection that
has no transaction left), so a one-row read cost nine trips.

Here a statement is executed, fetched and its cursor closed in one call in that thread (the rows
are buffered whole, as SQLAlchemy's own adapter buffers them), and a rollback or a commit that
sqlite3 would skip anyway (no transaction open) skips the trip as well. The BEGIN of a transaction
(`begin_with_next`, storage.db) goes with its first statement, in the same call: a write
transaction of one statement is two trips (statement, COMMIT) instead of three. Server-side
cursors (`stream`) keep SQLAlchemy's own cursor. Same SQL, same transactions, same errors."""

from __future__ import annotations

import sqlite3
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

Description = tuple[tuple[Any, ...], ...] | None
Outcome = tuple[Description, int, int | None, list[Any]]


def _run(
    conn: sqlite3.Connection, operation: str, parameters: Any, many: bool, begin: str | None
) -> Outcome:
    """In the driver's thread: the transaction's BEGIN if it is still to be sent, the statement,
    its rows, and the cursor closed. A statement outside any transaction (storage.db's
    one_statement) is its own; executed for many rows, sqlite3 would commit each row apart, so
    those rows get one transaction, in the same trip."""
    if begin is not None:
        conn.execute(begin).close()
    elif many and not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE").close()
        try:
            outcome = _statement(conn, operation, parameters, many)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        return outcome
    return _statement(conn, operation, parameters, many)


def _statement(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    if many:
        cursor = conn.executemany(operation, parameters)
    elif parameters is None:
        cursor = conn.execute(operation)
    else:
        cursor = conn.execute(operation, parameters)
    try:
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _to_wal(conn: sqlite3.Connection, wait: float) -> None:
    """In the driver's thread: the file in WAL mode. Turning a fresh file to WAL needs it
    alone, and while another connection writes (a process migrating it as this one starts)
    sqlite answers "database is locked" at once rather than through busy_timeout: so try
    again, for `wait` seconds at most."""
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL").close()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class OneTripCursor:
    """A DB-API cursor over buffered results: execute() is one call in the driver's thread."""

    server_side = False

    def __init__(self, adapt_connection: OneTripConnection) -> None:
        self._adapt = adapt_connection
        self._rows: deque[Any] = deque()
        self.description: Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    def _call(self, operation: str, parameters: Any, many: bool) -> None:
        driver: aiosqlite.Connection = self._adapt._connection
        begin, self._adapt._begin = self._adapt._begin, None
        try:
            outcome: Outcome = await_(
                driver._execute(_run, driver._conn, operation, parameters, many, begin)
            )
        except Exception as error:  # noqa: BLE001 - translated as SQLAlchemy's adapter does
            self._adapt._handle_exception(error)
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = deque(rows)

    def execute(self, operation: str, parameters: Any = None) -> None:
        self._call(operation, parameters, many=False)

    def executemany(self, operation: str, seq_of_parameters: Sequence[Any]) -> None:
        self._call(operation, seq_of_parameters, many=True)

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(self.arraysize if size is None else size, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def __iter__(self) -> Any:
        while self._rows:
            yield self._rows.popleft()

    def setinputsizes(self, *sizes: Any) -> None:
        """Nothing to do (DB-API)."""

    def close(self) -> None:
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        """Called by SQLAlchemy's asyncio results: the sqlite3 cursor is closed already."""


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_begin",)
    _cursor_cls = OneTripCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: aiosqlite.Connection) -> None:
        super().__init__(dbapi, connection)
        self._begin: str | None = None  # a BEGIN to send with the next statement

    def begin_with_next(self, begin: str) -> None:
        """Start a transaction with `begin` (BEGIN, BEGIN IMMEDIATE) as the next statement is
        executed, in the same trip; a transaction that executes nothing never sends it."""
        self._begin = begin

    def cursor(self, server_side: bool = False) -> Any:
        if server_side and self._begin is not None:  # SQLAlchemy's own cursor: BEGIN first
            begin, self._begin = self._begin, None
            driver: aiosqlite.Connection = self._connection
            try:
                await_(driver._execute(_run, driver._conn, begin, None, False, None))
            except Exception as error:  # noqa: BLE001 - translated as SQLAlchemy's adapter does
                self._handle_exception(error)
        return super().cursor(server_side)

    def rollback(self) -> None:
        # sqlite3 issues no ROLLBACK when no transaction is open: neither is a trip needed
        # (the driver's thread is idle here: SQLAlchemy uses a connection one call at a time).
        self._begin = None
        if self._idle():
            return
        super().rollback()

    def commit(self) -> None:
        self._begin = None  # nothing was executed: nothing to commit
        if self._idle():
            return
        super().commit()

    def _idle(self) -> bool:
        driver: aiosqlite.Connection = self._connection
        return driver._connection is not None and not driver.in_transaction

    def to_wal(self, wait: float) -> None:
        driver: aiosqlite.Connection = self._connection
        try:
            await_(driver._execute(_to_wal, driver._conn, wait))
        except Exception as error:  # noqa: BLE001 - translated as SQLAlchemy's adapter does
            self._handle_exception(error)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def dbapi() -> OneTripDBAPI:
    """The module to give create_async_engine (`module=`) for a sqlite+aiosqlite URL."""
    return OneTripDBAPI(aiosqlite, sqlite3)
