"""Template databases: migrated (and seeded) once per test session, copied for each test.

Migrating a database runs every Alembic migration and seeding it parses every YAML file under
data/: about half a second of CPU, which every test that opens the services used to pay. Here
each kind of prepared database is made once, by the bot's own start-up steps (bot.runtime), and
each test gets a copy of it: a file copy for SQLite (a millisecond), `CREATE DATABASE ... TEMPLATE`
for PostgreSQL. A copy is what those steps would have made in the test's own database (the seed
stamps rows with the clock's time, so there is one seeded template per starting time), and it is
the test's alone: isolation is the same as with a database made from nothing.

Only a database that is still empty is replaced by a copy; a database the test has used already
(a second start on the same database, say) goes through the real start-up steps, which is what
such tests are about."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from storage.db import make_engine
from storage.migrate import upgrade

Clock = Callable[[], datetime]


class Templates:
    """The session's template databases, made on first use; `drop` removes PostgreSQL's."""

    def __init__(self, folder: Path, data_dir: Path, pg: PgAdmin | None) -> None:
        self.folder, self.data_dir, self.pg = folder, data_dir.resolve(), pg
        self._made: dict[tuple[str, str], str] = {}  # (backend, kind) -> SQLite path / PG name

    # ------------------------------------------------------------------ for fixtures and tests
    @asynccontextmanager
    async def open_runtime(self, settings: Settings, clock: Clock) -> AsyncIterator[Runtime]:
        """bot.runtime.open_runtime, on a copy of the seeded template when the database is
        still empty and the data folder is the bundled one."""
        prepared = False
        if settings.data_dir.resolve() == self.data_dir:
            prepared = await self.copy(settings.database_url, f"seeded {clock().isoformat()}")
        async with open_runtime(settings, clock, prepared=prepared) as runtime:
            yield runtime

    async def migrate(self, url: str) -> None:
        """storage.migrate.upgrade, by a copy of the migrated template when the database is
        still empty."""
        if not await self.copy(url, "migrated"):
            engine = make_engine(url)
            try:
                await upgrade(engine)
            finally:
                await engine.dispose()

    # ------------------------------------------------------------------ the mechanism
    async def copy(self, url: str, kind: str) -> bool:
        """Make the empty database at `url` a copy of the template of `kind` ("migrated", or
        "seeded <the clock's time>"); False, and nothing done, when the database is not empty."""
        target = make_url(url)
        backend = target.get_backend_name()
        if backend == "sqlite":
            path = Path(target.database or "")
            if _used(path):
                return False
            shutil.copyfile(await self._template(backend, kind), path)
            return True
        assert self.pg is not None
        assert target.database
        if not await self.pg.is_empty(target.database):
            return False
        await self.pg.recreate(target.database, await self._template(backend, kind))
        return True

    async def _template(self, backend: str, kind: str) -> str:
        made = self._made.get((backend, kind))
        if made is None:
            made = await self._make(backend, kind)
            self._made[backend, kind] = made
        return made

    async def _make(self, backend: str, kind: str) -> str:
        name = f"dti_template_{uuid.uuid4().hex[:12]}"
        if backend == "sqlite":
            made = str(self.folder / f"{name}.sqlite3")
            url = f"sqlite+aiosqlite:///{made}"
        else:
            assert self.pg is not None
            made = name
            await self.pg.execute(f'CREATE DATABASE "{name}"')
            url = self.pg.url(name)
        if kind == "migrated":
            engine = make_engine(url)
            try:
                await upgrade(engine)
            finally:
                await engine.dispose()
            return made
        now = datetime.fromisoformat(kind.removeprefix("seeded "))
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, database_url=url, bot_token=None, data_dir=self.data_dir,
            admin_ids="1", reminder_tick_seconds=0, evidence_dir=self.folder / "evidence",
        )  # fmt: skip
        async with open_runtime(settings, lambda: now):
            pass  # the engine is disposed on exit: a SQLite file is whole, a PG template free
        assert backend != "sqlite" or not _used(Path(f"{made}-wal")), "the WAL was not merged"
        return made

    async def drop(self) -> None:
        if self.pg is None:
            return
        for (backend, _kind), name in self._made.items():
            if backend != "sqlite":
                await self.pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _used(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


class PgAdmin:
    """Statements on the PostgreSQL server's administrative database."""

    def __init__(self, host: str, port: int, admin_db: str) -> None:
        self.host, self.port, self.admin_db = host, port, admin_db

    def url(self, name: str) -> str:
        return f"postgresql+asyncpg://postgres@{self.host}:{self.port}/{name}"

    async def execute(self, sql: str, database: str | None = None) -> None:
        conn = await self._connect(database or self.admin_db)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def is_empty(self, database: str) -> bool:
        """No table in the database's public schema yet."""
        conn = await self._connect(database)
        try:
            query = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            return int(await conn.fetchval(query)) == 0
        finally:
            await conn.close()

    async def recreate(self, database: str, template: str) -> None:
        """Drop the (empty) database and make it again as a copy of `template`."""
        await self.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        await self.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')

    async def _connect(self, database: str):  # type: ignore[no-untyped-def]
        import asyncpg  # noqa: PLC0415 - only where PostgreSQL is used

        return await asyncpg.connect(
            host=self.host, port=self.port, user="postgres", database=database
        )
