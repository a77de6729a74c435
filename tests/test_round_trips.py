"""What saves round trips to the database keeps its guarantees: the values revision probe sees
every commit made before it is asked, whoever shares its statement; a single statement written
without a transaction around it is still all or nothing; a pooled connection the server dropped
while it was idle is replaced before anyone uses it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import revisions
from storage.db import make_engine, make_journal_engine, make_sessions, one_statement, reading
from storage.models import RevisionRow
from tests.conftest import PG_HOST, PG_PORT


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A database of each kind with the revisions table alone."""
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(RevisionRow.__table__.create)
        yield make_sessions(engine)
    finally:
        await engine.dispose()


async def bump(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Count one change of the values; the counter as this transaction committed it."""
    async with sessions() as session, session.begin():
        await revisions.bump(session, revisions.VALUES)
        return await revisions.current(session, revisions.VALUES)


async def drop_other_connections(database: str) -> None:
    """What a restart of the server does to every connection to `database`."""
    admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            database,
        )
    finally:
        await admin.close()


async def test_every_question_to_the_probe_sees_each_change_committed_before_it_was_asked(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Questions asked while the probe's statement is under way (sixteen handlers at once)
    share a later statement, never one that began before they were asked."""
    probe = revisions.Probe(sessions)
    assert await probe.committed(revisions.VALUES) == 0
    asked: list[tuple[int, asyncio.Task[int | None]]] = []
    for _ in range(30):
        committed = await bump(sessions)
        asked += [(committed, asyncio.create_task(probe.committed(revisions.VALUES)))]
        asked += [(committed, asyncio.create_task(probe.committed(revisions.VALUES)))]
        await asyncio.sleep(0)  # the questions run on while the next change commits
    for committed, question in asked:
        answer = await question
        assert answer is not None
        assert answer >= committed
    assert await probe.committed(revisions.VALUES) == 30
    assert await probe.committed(revisions.REFERENCE) == 0  # a counter never bumped


async def test_the_probe_answers_none_once_the_server_drops_it_then_connects_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    engine = sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("the SQLite probe reads the file in this process: no server to drop it")
    probe = revisions.Probe(sessions)
    assert await probe.committed(revisions.VALUES) == 0
    await drop_other_connections(str(engine.url.database))
    assert await probe.committed(revisions.VALUES) is None  # asked in a transaction instead
    other = make_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        assert await bump(make_sessions(other)) == 1  # another process, after the restart
    finally:
        await other.dispose()
    assert await probe.committed(revisions.VALUES) == 1


async def test_the_probe_closes_its_connection_with_the_engine(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the SQLite probe's connection is a file handle")
    engine = make_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(RevisionRow.__table__.create)
    probe = revisions.Probe(make_sessions(engine))
    assert await probe.committed(revisions.VALUES) == 0
    await engine.dispose()
    admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    try:
        for _ in range(100):  # the server notices the closed socket in a moment
            left = await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", engine.url.database
            )
            if left == 0:
                break
            await asyncio.sleep(0.01)
    finally:
        await admin.close()
    assert left == 0


async def test_one_statement_commits_as_it_runs(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The statement is its own transaction: no BEGIN and COMMIT round trips on PostgreSQL, no
    COMMIT trip to the driver's thread on SQLite."""
    engine = sessions.kw["bind"]
    other = make_sessions(make_engine(str(engine.url.render_as_string(hide_password=False))))
    try:
        async with one_statement(sessions) as session:
            await session.execute(insert(RevisionRow).values(name="a", value=1))
            async with reading(other) as reader:
                seen = await reader.scalar(select(func.count()).select_from(RevisionRow))
        assert seen == 1
        async with reading(other) as reader:
            assert await reader.scalar(select(func.count()).select_from(RevisionRow)) == 1
    finally:
        await other.kw["bind"].dispose()


async def test_a_statement_that_fails_in_one_statement_leaves_nothing_behind(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Three rows in one INSERT, the third breaking the key: none of them is stored."""
    with pytest.raises(IntegrityError):
        async with one_statement(sessions) as session:
            await session.execute(
                insert(RevisionRow),
                [{"name": "a", "value": 1}, {"name": "b", "value": 1}, {"name": "a", "value": 2}],
            )
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RevisionRow)) == 0


async def test_a_pooled_connection_the_server_dropped_while_idle_is_replaced_before_use(
    database_url: str,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    engine = make_engine(database_url, ping_idle=0.0)  # every connection counts as idle
    try:
        async with make_sessions(engine)() as session:
            assert await session.scalar(text("SELECT 1")) == 1
        await drop_other_connections(str(engine.url.database))
        async with make_sessions(engine)() as session:
            assert await session.scalar(text("SELECT 2")) == 2
    finally:
        await engine.dispose()


async def test_the_journal_commits_without_waiting_for_the_disk(database_url: str) -> None:
    """On PostgreSQL the update journal has an engine of its own whose commits do not wait for
    the disk flush; everything else commits as the server is set (waiting, unless told not to).
    A row it commits is seen by the others at once: only its durability is deferred, never its
    visibility. SQLite: the same engine."""
    engine = make_engine(database_url)
    journal = make_journal_engine(engine)
    try:
        if not database_url.startswith("postgresql"):
            assert journal is engine
            return
        assert journal is not engine
        setting = text("SELECT setting, source FROM pg_settings WHERE name = 'synchronous_commit'")
        async with journal.connect() as connection:
            assert tuple(await connection.execute(setting)) == (("off", "client"),)
        async with engine.connect() as connection:  # as the server is set (the tests: off)
            assert (await connection.execute(setting)).one().source != "client"
        async with engine.begin() as connection:
            await connection.run_sync(RevisionRow.__table__.create)
        async with one_statement(make_sessions(journal)) as session:
            await session.execute(insert(RevisionRow).values(name="journal", value=7))
        async with reading(make_sessions(engine)) as session:
            seen = await session.scalar(
                select(RevisionRow.value).where(RevisionRow.name == "journal")
            )
        assert seen == 7
    finally:
        if journal is not engine:
            await journal.dispose()
        await engine.dispose()


async def test_the_probe_reads_its_counters_by_key_however_often_they_were_rewritten(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Each stored value rewrites the values counter's row; on PostgreSQL the table stays as
    long as the rewrites made it after a vacuum, and the probe reads a few pages of it, not all
    of them."""
    engine = sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite rewrites the row in place and reads it by its key (_PROBE)")
    async with sessions() as session, session.begin():
        await revisions.bump(session, revisions.REFERENCE)
        await session.execute(  # in one transaction, as a bulk load's triggers rewrite it
            text(
                "DO $$ BEGIN FOR i IN 1..10000 LOOP UPDATE revisions SET value = value + 1"
                " WHERE name = 'reference'; END LOOP; END $$"
            )
        )
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE revisions"))
        pages = await connection.scalar(
            text("SELECT pg_relation_size('revisions') / current_setting('block_size')::int")
        )
        plan = await connection.scalar(
            text(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {revisions._PROBE_ALL}")
        )
    assert pages >= 30  # the rewrites left a long table behind
    read = plan[0]["Plan"]["Shared Hit Blocks"] + plan[0]["Plan"]["Shared Read Blocks"]
    assert read <= 8  # two keys: the index's root and leaf for each, and the row's page
    probe = revisions.Probe(sessions)
    assert await probe.committed(revisions.REFERENCE) == 10001
    assert await probe.committed(revisions.VALUES) == 0
