"""Reads keep the scoreboard between messages and take no write lock: what is kept is dropped
when a value or a review commits, in this process or in another one, and a read never waits
for a writer."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal as D
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.status import ReviewStatus
from parsing.intents import Score, Subject, SubjectKind
from services.clock import Calendar
from services.scores import ScoreAnswer, ScoreService
from storage import repo
from storage import values as values_repo
from storage.db import make_engine, make_sessions, reading
from storage.migrate import MIGRATIONS
from storage.models import ValueChangeRow
from tests.templates import Templates

T = TypeVar("T")
NOW = datetime(2025, 10, 1, 1, 0, tzinfo=UTC)
FRAMEWORK = "dti-province-2025"


def clock() -> datetime:
    return NOW


SEEDED = f"seeded {NOW.isoformat()}"  # the template migrated and seeded at NOW (templates.py)


@pytest.fixture
async def sessions(
    database_url: str, templates: Templates
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A migrated, seeded database of each kind (a copy of the template seeded at NOW)."""
    assert await templates.copy(database_url, SEEDED)
    engine = make_engine(database_url)
    try:
        yield make_sessions(engine)
    finally:
        await engine.dispose()


def scores_of(sessions: async_sessionmaker[AsyncSession]) -> ScoreService:
    return ScoreService(sessions, calendar=Calendar(clock, ZoneInfo("Asia/Ho_Chi_Minh")))


async def store(
    sessions: async_sessionmaker[AsyncSession],
    code: str,
    value: D,
    decision: ReviewStatus | None = None,
) -> None:
    """A value stored (and reviewed) as the update and review services store it."""
    async with sessions() as session, session.begin():
        ids = await repo.indicator_ids(session, FRAMEWORK)
        row = await values_repo.add_submission(
            session, indicator_id=ids[code], period_id=await repo.period_id(session, "2025-Q3"),
            value=value, unit="%", source="test", note="", user_id=None, agency_id=None,
            chat_id=None, at=NOW,
        )  # fmt: skip
        if decision is not None:
            await values_repo.add_review(session, row.id, decision, "", None, NOW)


async def total_answer(scores: ScoreService) -> ScoreAnswer:
    answer = await scores.answer(Score())  # "tổng điểm DTI"
    assert isinstance(answer, ScoreAnswer)
    return answer


async def test_the_scoreboard_is_kept_until_a_value_or_a_review_is_stored_in_this_process(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    scores = scores_of(sessions)
    first = await scores.scoreboard()
    assert await scores.scoreboard() is first
    before = await total_answer(scores)
    assert (await total_answer(scores)).board is before.board

    await store(sessions, "8.2", D("12.5"))  # waits for review: the official score stays
    assert await scores.scoreboard() == first
    assert (await total_answer(scores)).pending == before.pending + 1
    await store(sessions, "8.2", D("12.5"), ReviewStatus.APPROVED)
    now = await scores.scoreboard()
    assert now.sub_index("8.2").points == D("12.50")  # type: ignore[union-attr]
    assert now.total == first.total - D("7.6") + D("12.5")

    scores.forget()  # an import or an agency change drops what is kept as well
    assert await scores.scoreboard() is not now


async def test_source_notes_are_read_once_per_values_revision(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sub-index's notes (what a document says beside its values) are read with the first
    question after a change, then kept with the values."""
    reads: list[str] = []
    read = values_repo.source_notes

    async def counted(session: AsyncSession, framework: str, code: str) -> list[str]:
        reads.append(code)
        return await read(session, framework, code)

    monkeypatch.setattr(values_repo, "source_notes", counted)
    scores = scores_of(sessions)
    asked = Score(Subject(SubjectKind.SUB_INDEX, "3.5"))
    first = await scores.answer(asked)
    assert isinstance(first, ScoreAnswer)
    # data/assessments/khanh-hoa-2025-reported.yaml, notes: 3.5 (Báo cáo 05-BC/BCĐ, mục VI.2.a)
    assert any("chưa kết nối Nền tảng đám mây" in note for note in first.notes)
    assert await scores.answer(asked) == first
    await scores.answer(Score(Subject(SubjectKind.SUB_INDEX, "8.2")))
    assert reads == ["3.5", "8.2"]
    await store(sessions, "8.2", D("12.5"))  # a new values revision
    assert (await scores.answer(asked)).notes == first.notes
    assert reads == ["3.5", "8.2", "3.5"]


async def test_a_value_stored_by_another_process_is_counted_at_the_next_read(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Another engine stands for another process; it writes a plain INSERT, as a tool that
    knows nothing of this cache would."""
    scores = scores_of(sessions)
    first = await scores.scoreboard()
    other = make_engine(database_url)
    try:
        async with make_sessions(other)() as session, session.begin():
            ids = await repo.indicator_ids(session, FRAMEWORK)
            period = await repo.period_id(session, "2025-Q3")
            await session.execute(
                text(
                    "INSERT INTO submissions (indicator_id, period_id, value, unit, status,"
                    " source, note, created_at, provenance, part, text, verdict)"
                    " VALUES (:i, :p, 12.5, '%', 'approved', 'other', '', :at, 'reported',"
                    " '', '', '')"
                ),
                {"i": ids["8.2"], "p": period, "at": NOW},
            )
    finally:
        await other.dispose()
    now = await scores.scoreboard()
    assert now.total == first.total - D("7.6") + D("12.5")


async def test_a_read_does_not_wait_for_a_writer_that_holds_the_lock(
    sqlite_url: str, templates: Templates
) -> None:
    assert await templates.copy(sqlite_url, SEEDED)
    engine = make_engine(sqlite_url)
    try:
        sessions = make_sessions(engine)
        scores = scores_of(sessions)
        writer = sqlite3.connect(sqlite_url.split("///", 1)[1], isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("UPDATE revisions SET value = value + 1 WHERE name = 'values'")
            # A read that took the write lock would wait up to busy_timeout (30 s).
            board = await asyncio.wait_for(scores.scoreboard(), timeout=5)
            assert board.total == D("269.19")
        finally:
            writer.rollback()
            writer.close()
    finally:
        await engine.dispose()


async def test_a_read_only_session_refuses_a_write_on_postgresql(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no read-only transactions; a read there begins deferred")
    async with reading(sessions) as session:
        with pytest.raises(DBAPIError, match="read-only transaction"):
            await session.execute(text("UPDATE revisions SET value = value + 1"))


async def test_sqlite_syncs_at_checkpoints_in_wal_mode(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
            assert (await conn.exec_driver_sql("PRAGMA synchronous")).scalar() == 1  # NORMAL
    finally:
        await engine.dispose()


def _triggers_and_indexes(connection: Connection) -> tuple[set[str], set[str]]:
    if connection.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    triggers = {name for (name,) in connection.execute(text(query))}
    indexes = {i["name"] for i in inspect(connection).get_indexes("submissions")}
    return triggers, {name for name in indexes if name}


def _round_trip(
    connection: Connection, up: str, down: str, look: Callable[[Connection], T]
) -> list[T]:
    """What `look` sees after migrating up to `up`, down to `down` and up again."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    seen = []
    for step in (command.upgrade, command.downgrade, command.upgrade):
        step(config, up if step is command.upgrade else down)
        seen.append(look(connection))
    return seen


async def _migrated(
    database_url: str, up: str, down: str, look: Callable[[Connection], T]
) -> list[T]:
    """`_round_trip` on a fresh engine."""
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(_round_trip, up, down, look)
    finally:
        await engine.dispose()


async def test_migration_0013_adds_the_counting_triggers_and_the_newest_index_and_back(
    database_url: str,
) -> None:
    up, down, again = await _migrated(database_url, "0013", "0012", _triggers_and_indexes)
    counting = {"submissions_count_values", "reviews_count_values"}
    assert counting <= up[0]
    assert "ix_submissions_newest" in up[1]
    assert not counting & down[0]
    assert "ix_submissions_newest" not in down[1]
    assert again == up


def _pruning_triggers(connection: Connection) -> int:
    """How many counting triggers also remove old rows of value_changes."""
    if connection.dialect.name == "postgresql":
        query = "SELECT prosrc FROM pg_proc WHERE proname LIKE '%_count_values'"
    else:
        query = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_count_%'"
    return sum("DELETE FROM value_changes" in body for (body,) in connection.execute(text(query)))


async def test_migration_0014_makes_the_counting_triggers_prune_value_changes_and_back(
    database_url: str,
) -> None:
    up, down, again = await _migrated(database_url, "0014", "0013", _pruning_triggers)
    pruning = 2 if database_url.startswith("postgresql") else 4  # SQLite: insert and update
    assert (up, down, again) == (pruning, 0, pruning)


def _named_changes(connection: Connection) -> tuple[set[str], int]:
    """The columns of value_changes, and how many counting triggers name the value they touched
    (and still prune value_changes)."""
    columns = {c["name"] for c in inspect(connection).get_columns("value_changes")}
    if connection.dialect.name == "postgresql":
        query = "SELECT prosrc FROM pg_proc WHERE proname LIKE '%_count_values'"
    else:
        query = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_count_%'"
    bodies = [body for (body,) in connection.execute(text(query))]
    named = sum("submission_id, kind" in b and "DELETE FROM value_changes" in b for b in bodies)
    return columns, named


async def test_migration_0015_makes_value_changes_name_the_value_touched_and_back(
    database_url: str,
) -> None:
    up, down, again = await _migrated(database_url, "0015", "0014", _named_changes)
    named = 2 if database_url.startswith("postgresql") else 4  # SQLite: insert and update
    assert up == ({"revision", "indicator_id", "period_id", "submission_id", "kind"}, named)
    assert down == ({"revision", "indicator_id", "period_id"}, 0)
    assert again == up


async def test_value_changes_name_each_value_and_review_inserted_and_not_an_update(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A value stored and its review each name the value; an UPDATE names none (its sub-index
    and period is read again whole)."""
    async with reading(sessions) as session:
        held = await session.scalar(text("SELECT value FROM revisions WHERE name = 'values'"))
    await store(sessions, "8.2", D("12.5"), ReviewStatus.APPROVED)
    async with sessions() as session, session.begin():
        stored = await session.scalar(text("SELECT max(id) FROM submissions"))
        repair = text("UPDATE submissions SET note = 'x' WHERE id = :i")
        await session.execute(repair, {"i": stored})
    async with reading(sessions) as session:
        rows = (
            await session.execute(
                select(ValueChangeRow.submission_id, ValueChangeRow.kind)
                .where(ValueChangeRow.revision > held)
                .order_by(ValueChangeRow.revision)
            )
        ).all()
    assert [tuple(r) for r in rows] == [(stored, "value"), (stored, "review"), (None, None)]


KEPT = 10_000  # rows of value_changes the triggers keep (migration 0014)


async def test_a_process_whose_changes_were_pruned_from_value_changes_reads_everything_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Only the newest KEPT revisions keep their row: a process that kept values of an older
    revision cannot tell what changed since, and must not miss a value."""
    scores = scores_of(sessions)
    await scores.scoreboard()
    async with reading(sessions) as session:
        held = await session.scalar(text("SELECT value FROM revisions WHERE name = 'values'"))
    await store(sessions, "8.2", D("12.5"), ReviewStatus.APPROVED)  # revisions held + 1, + 2
    async with sessions() as session, session.begin():  # as if KEPT more values were stored
        await session.execute(
            text("UPDATE revisions SET value = :v WHERE name = 'values'"), {"v": held + KEPT}
        )
    await store(
        sessions, "6.4", D("50"), ReviewStatus.APPROVED
    )  # its two rows remove those of the 8.2 value
    async with reading(sessions) as session:
        left = await session.scalar(
            select(func.count()).where(ValueChangeRow.revision.in_([held + 1, held + 2]))
        )
    assert left == 0
    now = await scores.scoreboard()
    assert now.sub_index("8.2").points == D("12.50")  # type: ignore[union-attr]
    assert now == await scores_of(sessions).scoreboard()
