"""The update journal and the start-up lock, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.inbound import dead_here, new_owner
from bot.runtime import open_runtime
from bot.settings import Settings
from storage import journal
from storage.db import make_engine, make_sessions
from storage.migrate import upgrade
from storage.models import Base
from tests.conftest import DATA
from tests.templates import Templates

BOT = 123456789
NOW = datetime(2025, 11, 30, 2, 0, tzinfo=UTC)
A, B = "host-a:11:aaaa", "host-b:22:bbbb"


@pytest.fixture
async def sessions(
    database_url: str, templates: Templates
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await templates.migrate(database_url)
    engine = make_engine(database_url)
    try:
        yield make_sessions(engine)
    finally:
        await engine.dispose()


async def record(
    sessions: async_sessionmaker[AsyncSession], update_id: int, owner: str, bot: int = BOT
) -> bool:
    async with sessions() as session, session.begin():
        return await journal.record(session, bot, update_id, "message", "{}", owner=owner, now=NOW)


async def test_an_update_is_recorded_once_per_bot_whoever_records_it_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert await record(sessions, 1, A)
    assert not await record(sessions, 1, B)  # a retry, or the other process
    assert await record(sessions, 1, A, bot=BOT + 1)  # another bot's update 1 is another update
    async with sessions() as session:
        assert [r.update_id for r in await journal.claimed_by(session, BOT, A)] == [1]
        assert await journal.claimed_by(session, BOT, B) == []


async def test_only_the_owner_closes_a_claim_and_only_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for update_id in (1, 2):
        await record(sessions, update_id, A)
    async with sessions() as session, session.begin():
        assert await journal.finish(session, BOT, [1, 2], owner=B, status="handled", now=NOW) == 0
        assert await journal.finish(session, BOT, [1], owner=A, status="handled", now=NOW) == 1
        assert await journal.finish(session, BOT, [1], owner=A, status="handled", now=NOW) == 0
        assert await journal.statuses(session, BOT) == {"handled": 1, "claimed": 1}


async def test_claims_are_taken_over_from_dead_owners_and_after_the_lease_by_one_taker(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await record(sessions, 1, A)
    await record(sessions, 2, B)
    later = NOW + timedelta(minutes=10)
    async with sessions() as session, session.begin():
        assert sorted(await journal.claim_owners(session, BOT)) == [A, B]
        assert await journal.take_over(session, BOT, owner="c:1:c", now=later, owners=[A]) == 1
        # nothing older than the lease yet, and one's own claims are never "taken over"
        assert (
            await journal.take_over(session, BOT, owner="c:1:c", now=later, claimed_before=NOW)
            == 0
        )
        assert await journal.take_over(session, BOT, owner="d:1:d", now=later, owners=[]) == 0
    async with sessions() as session, session.begin():
        taken = await journal.take_over(
            session, BOT, owner="d:1:d", now=later, claimed_before=later - timedelta(minutes=5)
        )
        assert taken == 1  # B's claim from NOW; c's is fresh
        (row,) = await journal.claimed_by(session, BOT, "d:1:d")
        assert row.update_id == 2
        assert row.attempts == 2


async def test_two_processes_taking_over_at_once_each_get_different_updates(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for update_id in range(1, 41):
        await record(sessions, update_id, A)

    async def take(owner: str) -> set[int]:
        async with sessions() as session, session.begin():
            await journal.take_over(session, BOT, owner=owner, now=NOW, owners=[A])
            return {r.update_id for r in await journal.claimed_by(session, BOT, owner)}

    first, second = await asyncio.gather(take("x:1:x"), take("y:2:y"))
    assert first | second == set(range(1, 41))
    assert not first & second


async def test_pruning_forgets_finished_updates_only_after_the_cutoff(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for update_id in (1, 2, 3):
        await record(sessions, update_id, A)
    async with sessions() as session, session.begin():
        await journal.finish(session, BOT, [1], owner=A, status="handled", now=NOW)
        await journal.finish(
            session, BOT, [2], owner=A, status="handled", now=NOW + timedelta(hours=2)
        )
        assert await journal.prune(session, NOW + timedelta(hours=1)) == 1
        assert await journal.statuses(session, BOT) == {"handled": 1, "claimed": 1}
    assert not await record(sessions, 2, B)  # still known: a late retry is recognised


async def test_a_kept_value_is_the_first_one_stored(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        assert await journal.kept_value(session, "k", "first", NOW) == "first"
    async with sessions() as session, session.begin():
        assert await journal.kept_value(session, "k", "second", NOW) == "first"


async def test_the_migration_creates_exactly_the_journal_the_models_describe(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    ours = [d for d in diff if "update_journal" in repr(d) or "bot_state" in repr(d)]
    assert ours == []


async def test_processes_starting_together_on_a_fresh_database_migrate_and_seed_once(
    database_url: str,
) -> None:
    settings = Settings(_env_file=None, database_url=database_url, data_dir=DATA)  # type: ignore[call-arg]
    done = []

    async def start() -> None:
        async with open_runtime(settings) as runtime:
            done.append(await runtime.services.scores.reference())

    # Without the lock, PostgreSQL's concurrent CREATE TABLEs wait on each other for good.
    await asyncio.wait_for(asyncio.gather(start(), start(), start()), timeout=60)
    assert len(done) == 3


def test_a_claim_is_known_dead_when_its_process_on_this_host_is_gone() -> None:
    me = new_owner()
    host, pid, _ = me.rsplit(":", 2)
    assert dead_here(f"{host}:{pid}:0ldn0nce", me)  # this pid, an earlier life (a container)
    assert dead_here(f"{host}:999999999:abc", me)  # no such process
    assert not dead_here(f"{host}:1:abc", me)  # pid 1 runs (init), it may be a live bot
    assert not dead_here(f"elsewhere:{pid}:abc", me)  # another host: only the lease tells
    assert not dead_here(me, me)


async def test_a_batch_is_recorded_in_one_statement_each_update_once(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """record_many: the ids recorded now; one recorded before, or twice in the batch (the
    first counts), is not recorded again; a batch longer than CHUNK goes in several
    statements; a skipped update is recorded finished."""
    await record(sessions, 2, B)
    monkeypatch.setattr(journal, "CHUNK", 3)
    entries = [journal.Entry(n, "message", "{}") for n in (1, 2, 3, 3, 4)]
    entries.append(journal.Entry(5, "message", "{", journal.SKIPPED, "unreadable"))
    async with sessions() as session, session.begin():
        recorded = await journal.record_many(session, BOT, entries, owner=A, now=NOW)
    assert recorded == {1, 3, 4, 5}
    async with sessions() as session:
        assert [r.update_id for r in await journal.claimed_by(session, BOT, A)] == [1, 3, 4]
        assert await journal.statuses(session, BOT) == {"claimed": 4, "skipped": 1}
