"""Bring a database to the newest schema with Alembic, from inside the running bot.

Alembic (10 MB, a fifth of a second) is imported only when the schema is behind: the start of
a bot whose database is current reads the revision the database records and compares it with
the newest revision of the migration files, read from their `revision` lines."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
# The two assignments every migration file opens with (storage/migrations/script.py.mako).
_REVISION = re.compile(r"^revision(?:\s*:[^=]*)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:\s*:[^=]*)?\s*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@cache
def head_revisions() -> frozenset[str]:
    """The newest revision(s) of the migration files: those no other revision follows."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        down = _DOWN_REVISION.search(source)
        if revision is None or down is None:
            raise ValueError(f"{path.name}: no revision or down_revision line")
        revisions.add(revision.group(1))
        followed.update(_QUOTED.findall(down.group(1)))  # None, "0011" or ("0011", "0012")
    return frozenset(revisions - followed)


def recorded_revisions(connection: Connection) -> frozenset[str]:
    """The revision(s) the database says it is at; none for a new database."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))  # noqa: S608 - a constant
    return frozenset(str(row[0]) for row in rows)


def _upgrade(connection: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def is_current(engine: AsyncEngine) -> bool:
    """Whether the database is at the newest revision of the migration files."""
    async with engine.connect() as conn:
        return await conn.run_sync(recorded_revisions) == head_revisions()


async def upgrade(engine: AsyncEngine) -> None:
    """Apply every migration not yet applied; without importing Alembic when there is none."""
    if await is_current(engine):
        return
    async with engine.begin() as conn:
        # Looking again takes SQLite's write lock (its BEGIN IMMEDIATE goes with the first
        # statement) before Alembic starts, and finds what another process starting at the same
        # time migrated meanwhile.
        if await conn.run_sync(recorded_revisions) == head_revisions():
            return
        await conn.run_sync(_upgrade)
