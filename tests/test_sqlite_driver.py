"""The SQLite engine: one trip to aiosqlite's thread per statement, connections kept for a
burst of handlers, and the same results, rows, counts and errors as SQLAlchemy's own adapter."""

from __future__ import annotations

import asyncio
import importlib.util
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import event, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import SQLITE_POOL, make_engine, make_sessions, one_statement
from storage.models import Base, ChatFrameworkRow, UpdateJournalRow


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/d.sqlite3")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls handed to aiosqlite's thread, by name."""
    calls: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


async def test_a_read_in_a_transaction_is_two_trips(engine: AsyncEngine, trips: list[str]) -> None:
    """BEGIN IMMEDIATE with the SELECT (executed, fetched, closed at once), and the ROLLBACK;
    the pool's reset finds no transaction and makes no trip (SQLAlchemy's adapter made nine)."""
    sessions = make_sessions(engine)
    async with sessions() as session:  # the pool's first connection, opened
        await session.scalar(select(ChatFrameworkRow.framework_code))
    trips.clear()
    async with sessions() as session:
        found = await session.scalar(
            select(ChatFrameworkRow.framework_code).where(ChatFrameworkRow.chat_id == 5)
        )
    assert found is None
    assert trips == ["_run", "rollback"]


async def test_a_write_of_one_statement_is_two_trips_and_an_empty_transaction_none(
    engine: AsyncEngine, trips: list[str]
) -> None:
    """BEGIN IMMEDIATE goes with the statement, then the COMMIT; a transaction that executed
    nothing sends neither its BEGIN nor a COMMIT."""
    sessions = make_sessions(engine)
    async with sessions() as session:  # the pool's first connection, opened
        await session.scalar(select(ChatFrameworkRow.framework_code))
    trips.clear()
    async with sessions() as session, session.begin():
        await session.execute(update(ChatFrameworkRow).values(set_by="u"))
    assert trips == ["_run", "commit"]
    trips.clear()
    async with sessions() as session, session.begin():
        await session.connection()
    assert trips == []
    async with engine.begin() as conn:  # and the write lock was taken: BEGIN IMMEDIATE
        await conn.execute(text("INSERT INTO bot_state (key, value, created_at) "
                                "VALUES ('b', '1', '2025-01-01')"))  # fmt: skip
        other = sqlite3.connect(engine.url.database or "", timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


async def test_one_statement_is_one_trip_and_waits_its_turn_behind_another_writer(
    engine: AsyncEngine, trips: list[str]
) -> None:
    """No BEGIN, no COMMIT: the statement is its own transaction. It takes the write lock as it
    starts, so a writer holding the lock makes it wait (busy_timeout), not fail."""
    sessions = make_sessions(engine)
    async with one_statement(sessions) as conn:  # the pool's first connection, opened
        await conn.execute(select(ChatFrameworkRow.framework_code))
    trips.clear()
    async with one_statement(sessions) as conn:
        await conn.execute(text("INSERT INTO bot_state (key, value, created_at) "
                                "VALUES ('a', '1', '2025-01-01')"))  # fmt: skip
    async with one_statement(sessions) as conn:  # many rows: one transaction, the same trip
        await conn.execute(
            text("INSERT INTO bot_state (key, value, created_at) VALUES (:k, '1', '2025-01-01')"),
            [{"k": "b"}, {"k": "c"}],
        )
    assert trips == ["_run", "_run"]
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM bot_state WHERE key != 'a'"))
    other = sqlite3.connect(engine.url.database or "", timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE bot_state SET value = '2' WHERE key = 'a'")

    async def write() -> None:
        async with one_statement(sessions) as conn:
            await conn.execute(text("UPDATE bot_state SET value = value || '3' WHERE key = 'a'"))

    waiting = asyncio.create_task(write())
    await asyncio.sleep(0.2)
    assert not waiting.done()  # waits for the lock
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(waiting, 10)
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT value FROM bot_state"))).scalar_one() == "23"


async def test_rows_counts_and_ids_are_those_of_sqlite(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        first = await conn.execute(text("INSERT INTO bot_state (key, value, created_at) "
                                        "VALUES ('a', '1', '2025-01-01')"))  # fmt: skip
        assert first.lastrowid is not None
        assert first.rowcount == 1
        await conn.execute(
            text("INSERT INTO bot_state (key, value, created_at) VALUES (:k, :v, '2025-01-01')"),
            [{"k": f"k{n}", "v": str(n)} for n in range(5)],  # executemany
        )
        changed = await conn.execute(text("UPDATE bot_state SET value = 'x' WHERE key LIKE 'k%'"))
        assert changed.rowcount == 5
        rows = (await conn.execute(text("SELECT key, value FROM bot_state ORDER BY key"))).all()
        assert [tuple(r) for r in rows] == [("a", "1")] + [(f"k{n}", "x") for n in range(5)]
        result = await conn.execute(text("SELECT key FROM bot_state ORDER BY key"))
        assert result.fetchmany(2) == [("a",), ("k0",)]
        assert result.fetchone() == ("k1",)
        assert [r[0] for r in result] == ["k2", "k3", "k4"]
        streamed = await conn.stream(text("SELECT key FROM bot_state ORDER BY key"))
        assert [r[0] async for r in streamed] == ["a", *(f"k{n}" for n in range(5))]


async def test_orm_writes_returning_and_conflicts(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)
    row = ChatFrameworkRow(chat_id=7, framework_code="dti-2024", set_by="t", set_at=_at())
    async with sessions() as session, session.begin():
        session.add(row)
    assert row.id is not None  # the new row's id, read back
    async with sessions() as session, session.begin():
        await session.execute(
            update(ChatFrameworkRow).where(ChatFrameworkRow.chat_id == 7).values(set_by="u")
        )
    async with sessions() as session:
        assert await session.scalar(select(ChatFrameworkRow.set_by)) == "u"
    values = {"bot_id": 1, "update_id": 1, "kind": "message", "payload": "{}",
              "status": "claimed", "owner": "o", "attempts": 1, "received_at": _at(),
              "claimed_at": _at(), "error": ""}  # fmt: skip
    async with sessions() as session, session.begin():
        await session.execute(insert(UpdateJournalRow).values(values))
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            await session.execute(insert(UpdateJournalRow).values(values))


async def test_a_failed_transaction_is_rolled_back(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)

    async def fails() -> None:
        async with sessions() as session, session.begin():
            session.add(ChatFrameworkRow(chat_id=8, framework_code="x", set_by="t", set_at=_at()))
            await session.flush()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await fails()
    async with sessions() as session:
        assert await session.scalar(select(ChatFrameworkRow.chat_id)) is None
    # and the connection went back without its transaction: another writer gets in at once
    async with sessions() as session, session.begin():
        session.add(ChatFrameworkRow(chat_id=9, framework_code="x", set_by="t", set_at=_at()))


async def test_a_burst_of_handlers_reuses_connections(engine: AsyncEngine) -> None:
    """Sixteen sessions at once (MAX_CONCURRENT_UPDATES' default) all go back to the pool:
    the next burst opens no connection (each is a thread and a file handle)."""
    sessions = make_sessions(engine)
    opened: list[object] = []
    event.listen(engine.sync_engine, "connect", lambda *_: opened.append(1))

    async def one() -> None:
        async with sessions() as session:
            await session.scalar(select(ChatFrameworkRow.chat_id))
            await asyncio.sleep(0.01)

    await asyncio.gather(*(one() for _ in range(16)))
    before = len(opened)
    await asyncio.gather(*(one() for _ in range(16)))
    assert len(opened) == before
    assert SQLITE_POOL >= 16


def test_httpcore_finds_sniffio() -> None:
    """Without sniffio, httpcore tries (and fails) to import it at every request to
    Telegram: a search of sys.path each time."""
    assert importlib.util.find_spec("sniffio") is not None


def _at() -> datetime:
    return datetime(2025, 1, 1, tzinfo=UTC)


async def test_a_fresh_file_being_written_is_turned_to_wal_once_the_writer_is_done(
    tmp_path: Path,
) -> None:
    """Processes starting together on a new file: one migrates it while another connects.
    sqlite refuses the switch to WAL at once (no busy_timeout) while the other writes; the
    connection waits for the writer instead of failing with "database is locked"."""
    path = tmp_path / "fresh.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE first (x)")  # a rollback-journal file, as a new one is
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO first VALUES (1)")
    asyncio.get_running_loop().call_later(0.3, writer.commit)
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("SELECT count(*) FROM first"))).scalar() == 1
    finally:
        await engine.dispose()
        writer.close()
