"""The tests' template databases (tests/templates.py): a copy holds exactly what the bot's own
start-up makes in an empty database, and only an empty database is replaced by one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.runtime import open_runtime
from bot.settings import Settings
from tests.conftest import MovableClock
from tests.templates import Templates


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


async def test_a_copy_of_the_seeded_template_equals_a_database_migrated_and_seeded_from_nothing(
    settings: Settings, templates: Templates, tmp_path: Path
) -> None:
    clock = MovableClock()
    clock.advance(days=3)  # a starting time no other test uses: its own template
    made = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'a'}"})
    copied = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'b'}"})
    async with open_runtime(made, clock):
        pass
    async with templates.open_runtime(copied, clock) as runtime:
        assert (await runtime.services.scores.reference())[0].code == "dti-province-2025"
    assert dump(tmp_path / "b") == dump(tmp_path / "a")
    assert len(dump(tmp_path / "a")) > 100


async def test_a_database_already_in_use_is_not_replaced_by_a_copy(
    settings: Settings, templates: Templates, tmp_path: Path
) -> None:
    path = tmp_path / "used.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE mine (x INTEGER)")
    url = f"sqlite+aiosqlite:///{path}"
    assert not await templates.copy(url, "migrated")
    await templates.migrate(url)  # migrates for real, beside the table already there
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"mine", "alembic_version", "frameworks"} <= tables
