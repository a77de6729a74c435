"""Migration 0012: one review per submission. Duplicates a race left behind are resolved (the
newest stays, the older ones are copied whole into the audit log), then the database refuses a
second review; and back, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine
from tests.test_migrations import _migrate

BEFORE = "0012-1"  # whatever 0012 follows once the revisions are chained
ROWS = [
    "INSERT INTO users (id, telegram_id, full_name, role, created_at)"
    " VALUES (1, 11, 'Quản trị Một', 'admin', '2025-01-01 00:00:00'),"
    " (2, 12, 'Quản trị Hai', 'admin', '2025-01-01 00:00:00')",
    "INSERT INTO frameworks (id, code, name, year, kind, source, total_max, imported_at)"
    " VALUES (1, 'f', 'F', 2025, 'dti', '', 1000, '2025-01-01 00:00:00')",
    "INSERT INTO indicators (id, framework_id, code, position, name, name_en, aliases,"
    " max_points, unit, rule, levels) VALUES (1, 1, '8.2', 0, 'x', '', '[]', 50, '%', 'ratio',"
    " '[]')",
    "INSERT INTO periods (id, code, kind, starts_on, ends_on)"
    " VALUES (1, '2025-Q4', 'quarter', '2025-10-01', '2025-12-31')",
    "INSERT INTO submissions (id, indicator_id, period_id, unit, status, source, note,"
    " created_at) VALUES (1, 1, 1, '%', 'pending', '', '', '2025-01-01 00:00:00'),"
    " (2, 1, 1, '%', 'pending', '', '', '2025-01-01 00:00:00')",
    # Submission 1 was decided twice at once (approve, then return); submission 2 once.
    "INSERT INTO reviews (id, submission_id, decision, comment, reviewer_id, at)"
    " VALUES (1, 1, 'approved', '', 1, '2025-01-02 00:00:00'),"
    " (2, 1, 'rejected', 'Thiếu minh chứng', 2, '2025-01-02 00:00:00'),"
    " (3, 2, 'approved', '', 1, '2025-01-03 00:00:00')",
]


def _round_trip(connection: Connection) -> dict[str, Any]:
    _migrate(connection, BEFORE)
    for statement in ROWS:
        connection.execute(text(statement))
    _migrate(connection, "0012")
    seen: dict[str, Any] = {
        "reviews": connection.execute(
            text("SELECT id, submission_id, decision FROM reviews ORDER BY id")
        ).all(),
        "audit": connection.execute(
            text("SELECT actor, action, entity_key, detail FROM audit_log")
        ).all(),
    }
    with pytest.raises(IntegrityError), connection.begin_nested():
        connection.execute(
            text(
                "INSERT INTO reviews (id, submission_id, decision, comment, at)"
                " VALUES (10, 2, 'rejected', 'again', '2025-01-04 00:00:00')"
            )
        )
    _migrate(connection, BEFORE, down=True)
    connection.execute(
        text(
            "INSERT INTO reviews (id, submission_id, decision, comment, at)"
            " VALUES (11, 2, 'rejected', 'again', '2025-01-04 00:00:00')"
        )
    )  # after the downgrade a second review is possible again
    return seen


async def test_migration_0012_keeps_the_newest_review_audits_the_rest_and_refuses_a_second(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            seen = await connection.run_sync(_round_trip)
    finally:
        await engine.dispose()
    assert [tuple(r) for r in seen["reviews"]] == [(2, 1, "rejected"), (3, 2, "approved")]
    ((actor, action, key, detail),) = seen["audit"]
    assert (actor, action, key) == ("migration:0012", "review_superseded", "1")
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail["decision"] == "approved"
    assert detail["reviewer_id"] == 1
    assert detail["kept_review"] == 2
