"""Migration 0007 renames stored statuses and roles to the glossary's names, both ways, on SQLite
and PostgreSQL, and adds the forum topic of group subscriptions."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.db import make_engine
from storage.migrate import MIGRATIONS

BEFORE = "0007-1"  # whatever 0007 follows once the revisions are chained


def _migrate(connection: Connection, to: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, to)


LEGACY = [
    "INSERT INTO users (id, telegram_id, full_name, role, created_at)"
    " VALUES (1, 11, 'A', 'guest', '2025-01-01'), (2, 12, 'B', 'leader', '2025-01-01')",
    "INSERT INTO frameworks (id, code, name, year, kind, source, total_max, imported_at)"
    " VALUES (1, 'f', 'F', 2025, 'dti', '', 1000, '2025-01-01')",
    "INSERT INTO indicators (id, framework_id, code, position, name, name_en, aliases,"
    " max_points, unit, rule, levels) VALUES (1, 1, '8.2', 0, 'x', '', '[]', 50, '%', 'ratio',"
    " '[]')",
    "INSERT INTO periods (id, code, kind, starts_on, ends_on)"
    " VALUES (1, '2025-Q4', 'quarter', '2025-10-01', '2025-12-31')",
    "INSERT INTO submissions (id, indicator_id, period_id, unit, status, source, note,"
    " created_at) VALUES (1, 1, 1, '%', 'submitted', '', '', '2025-01-01'),"
    " (2, 1, 1, '%', 'approved', '', '', '2025-01-01'),"
    " (3, 1, 1, '%', 'submitted', '', '', '2025-01-01')",
    "INSERT INTO reviews (id, submission_id, decision, comment, at)"
    " VALUES (1, 3, 'returned', 'no', '2025-01-01'), (2, 2, 'approved', '', '2025-01-01')",
    "INSERT INTO drafts (id, user_id, indicator_id, period_id, value, note, status, created_at)"
    " VALUES (1, 1, 1, 1, 1, '', 'pending', '2025-01-01'),"
    " (2, 1, 1, 1, 1, '', 'confirmed', '2025-01-01')",
]


def _values(connection: Connection) -> dict[str, list[Any]]:
    def column(sql: str) -> list[Any]:
        return [row[0] for row in connection.execute(text(sql))]

    return {
        "submissions": column("SELECT status FROM submissions ORDER BY id"),
        "reviews": column("SELECT decision FROM reviews ORDER BY id"),
        "drafts": column("SELECT status FROM drafts ORDER BY id"),
        "users": column("SELECT role FROM users ORDER BY id"),
    }


def _columns(connection: Connection, table: str) -> set[str]:
    return {c["name"] for c in inspect(connection).get_columns(table)}


def _round_trip(connection: Connection) -> list[dict[str, list[Any]]]:
    _migrate(connection, BEFORE)
    for statement in LEGACY:
        connection.execute(text(statement.replace("'2025-01-01'", "'2025-01-01 00:00:00'")))
    seen = [_values(connection)]
    _migrate(connection, "0007")
    seen.append(_values(connection))
    assert {"thread_id"} <= _columns(connection, "chats")
    assert {"thread_id"} <= _columns(connection, "digests")
    _migrate(connection, BEFORE, down=True)
    seen.append(_values(connection))
    assert "thread_id" not in _columns(connection, "digests")
    return seen


async def test_migration_0007_renames_statuses_and_roles_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            before, after, back = await connection.run_sync(_round_trip)
    finally:
        await engine.dispose()
    assert after == {
        "submissions": ["pending", "approved", "pending"],
        "reviews": ["rejected", "approved"],
        "drafts": ["open", "confirmed"],
        "users": ["member", "leader"],
    }
    assert back == {**before, "users": ["member", "leader"]}  # "guest" was never given out


def _provenance_round_trip(connection: Connection) -> tuple[list[Any], list[Any]]:
    _migrate(connection, "0007")
    for statement in LEGACY[:4]:
        connection.execute(text(statement.replace("'2025-01-01'", "'2025-01-01 00:00:00'")))
    # An evaluator's points (seeded: no user) and a focal point's value waiting for review.
    connection.execute(
        text(
            "INSERT INTO submissions (id, indicator_id, period_id, points, unit, status, source,"
            " note, user_id, created_at) VALUES"
            " (1, 1, 1, 40, 'điểm', 'approved', 'Báo cáo', '', NULL, '2025-01-01 00:00:00'),"
            " (2, 1, 1, NULL, '%', 'pending', '', '', 1, '2025-01-01 00:00:00')"
        )
    )
    _migrate(connection, "0008")
    after = [
        tuple(row)
        for row in connection.execute(
            text("SELECT status, provenance, part FROM submissions ORDER BY id")
        )
    ]
    assert {"source_notes", "chat_frameworks"} <= set(inspect(connection).get_table_names())
    _migrate(connection, "0007", down=True)
    assert "provenance" not in _columns(connection, "submissions")
    back = [row[0] for row in connection.execute(text("SELECT status FROM submissions"))]
    return after, back


async def test_migration_0008_follows_0007_marks_evaluators_points_official_and_goes_back(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            after, back = await connection.run_sync(_provenance_round_trip)
    finally:
        await engine.dispose()
    # 0007's review statuses are kept as they are; 0008 only adds what each value is.
    assert after == [("approved", "official", ""), ("pending", "reported", "")]
    assert sorted(back) == ["approved", "pending"]


def _archive_round_trip(connection: Connection) -> list[set[str]]:
    _migrate(connection, "0011-1")
    tables = set(inspect(connection).get_table_names())
    assert "sha256" not in _columns(connection, "evidence")
    _migrate(connection, "0011")
    added = set(inspect(connection).get_table_names()) - tables
    assert "sha256" in _columns(connection, "evidence")
    _migrate(connection, "0011-1", down=True)
    assert "sha256" not in _columns(connection, "evidence")
    return [added, set(inspect(connection).get_table_names()) - tables]


async def test_migration_0011_adds_the_archive_digest_broadcasts_and_imports_and_back(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            added, left = await connection.run_sync(_archive_round_trip)
    finally:
        await engine.dispose()
    assert added == {"broadcasts", "framework_imports", "revisions"}
    assert left == set()
