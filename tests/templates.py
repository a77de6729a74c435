"""Template databases: migrated (and seeded) once per test session, copied for each test.

Migrating a database runs every Alembic migration and seeding it parses every YAML file under
data/: about half a second of CPU, which every test that opens the services used to pay. Here
each kind of prepared database is made once, by the bot's own start-up steps (bot.runtime), and
each test gets a copy of it: a file copy for SQLite (a millisecond), `CREATE DATABASE ... TEMPLATE`
for PostgreSQL. A copy is what those steps would have made in the test's own database (the seed
stamps rows with the clock's time, so there is one seeded template per starting time), and it is
the test's alone: isolation is the same as with a database made from nothing.

PostgreSQL's CREATE DATABASE writes the whole template to the WAL and waits for the disk (half
a second and more on a busy machine). From PostgreSQL 15 on, the copy is made with
`STRATEGY = FILE_COPY`: the files copied as they are after a checkpoint, which costs the
server about a third less CPU for a database of this size (and its DROP a half less) than
writing every page to the WAL, the default since 15. `PgDatabases` makes each worker's next
databases, empty or copies, in a thread of its own while the tests run; a test takes one that
is ready. Every test database commits without waiting for the disk (`synchronous_commit =
off`): what other sessions see, and when, is the same; only a crash of the PostgreSQL server
itself, which no test makes, could lose the latest commits.

Only a database that is still empty is replaced by a copy; a database the test has used already
(a second start on the same database, say) goes through the real start-up steps, which is what
such tests are about.

A start on a copy reads the framework and the agencies from it (bot.startup.check_reference), as
every start does: what it reads is what the same start on the template read, so `kept_reference`
keeps that and gives it to the next start on a copy of the same template. Only while that start
opens, and only from that copy: once the runtime is open, or from any other database, every read
is the database's own."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import shutil
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from storage import repo
from storage.db import make_engine
from storage.migrate import upgrade

Clock = Callable[[], datetime]
# The copy a start is opening on, while it opens: its URL and its template's name.
_OPENING: ContextVar[tuple[str, str] | None] = ContextVar("opening_copy", default=None)
_OBJECTS_IN_PUBLIC = (
    "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)"
    " + (SELECT count(*) FROM pg_type WHERE typnamespace = 'public'::regnamespace)"
    " + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace)"
)


class Templates:
    """The session's template databases, made on first use; `drop` removes PostgreSQL's."""

    def __init__(self, folder: Path, data_dir: Path, pg: PgDatabases | None) -> None:
        self.folder, self.data_dir, self.pg = folder, data_dir.resolve(), pg
        self._made: dict[tuple[str, str], str] = {}  # (backend, kind) -> SQLite path / PG name
        self._reference: dict[tuple[Any, ...], Any] = {}  # (template, reader, args) -> read

    # ------------------------------------------------------------------ for fixtures and tests
    @asynccontextmanager
    async def open_runtime(self, settings: Settings, clock: Clock) -> AsyncIterator[Runtime]:
        """bot.runtime.open_runtime, on a copy of the seeded template when the database is
        still empty and the data folder is the bundled one."""
        prepared = False
        kind = f"seeded {clock().isoformat()}"
        if settings.data_dir.resolve() == self.data_dir:
            prepared = await self.copy(settings.database_url, kind)
        async with AsyncExitStack() as stack:
            opening = None
            if prepared:
                backend = make_url(settings.database_url).get_backend_name()
                opening = (_address(settings.database_url), self._made[backend, kind])
            token = _OPENING.set(opening)
            try:
                runtime = await stack.enter_async_context(
                    open_runtime(settings, clock, prepared=prepared)
                )
            finally:
                _OPENING.reset(token)
            yield runtime

    @contextmanager
    def kept_reference(self) -> Iterator[None]:
        """storage.repo's readers of frameworks and agencies answered from what an earlier
        start on a copy of the same template read, while a start on a copy opens (see the
        module's docstring)."""
        with pytest.MonkeyPatch.context() as patch:
            for name in ("load_framework", "load_directory"):
                patch.setattr(repo, name, self._kept(getattr(repo, name)))
            yield

    def _kept(self, read: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def kept(session: Any, *args: Any) -> Any:
            opening = _OPENING.get()
            if opening is None or _address(session.bind.url) != opening[0]:
                return await read(session, *args)
            key = (opening[1], read.__name__, *args)
            if key not in self._reference:
                self._reference[key] = await read(session, *args)
            return self._reference[key]

        return kept

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
        empty, pristine = await self.pg.admin.is_empty(target.database)
        if not empty:
            return False
        await self.pg.replace(target.database, await self._template(backend, kind), pristine)
        return True

    async def _template(self, backend: str, kind: str) -> str:
        made = self._made.get((backend, kind))
        if made is None:
            made = await self._make(backend, kind)
            self._made[backend, kind] = made
        return made

    async def _make(self, backend: str, kind: str) -> str:
        if backend == "sqlite":
            return await self._make_sqlite(kind)
        assert self.pg is not None
        name = f"dti_template_{uuid.uuid4().hex[:12]}"
        await self.pg.admin.create(name)
        await self._prepare(self.pg.admin.url(name), kind)
        return name

    async def _make_sqlite(self, kind: str) -> str:
        """A SQLite template is a file named after its kind, in a folder the run's workers
        share (conftest): the first process to need it makes it, under a lock that the others
        wait on (they all start at once, wanting the same template), then they use it as it
        is. It is made under a name of its own and renamed into place once whole."""
        digest = hashlib.sha256(kind.encode()).hexdigest()[:16]
        final = self.folder / f"dti_template_{digest}.sqlite3"
        with (self.folder / f"dti_template_{digest}.lock").open("w") as lock:
            await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
            if final.exists():
                return str(final)
            made = self.folder / f"dti_template_{uuid.uuid4().hex[:12]}.sqlite3"
            await self._prepare(f"sqlite+aiosqlite:///{made}", kind)
            assert not _used(Path(f"{made}-wal")), "the WAL was not merged"
            os.replace(made, final)
            return str(final)

    async def _prepare(self, url: str, kind: str) -> None:
        """Migrate (and seed) the empty database at `url` as the template of `kind`."""
        if kind == "migrated":
            engine = make_engine(url)
            try:
                await upgrade(engine)
            finally:
                await engine.dispose()
            return
        now = datetime.fromisoformat(kind.removeprefix("seeded "))
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, database_url=url, bot_token=None, data_dir=self.data_dir,
            admin_ids="1", reminder_tick_seconds=0, evidence_dir=self.folder / "evidence",
        )  # fmt: skip
        async with open_runtime(settings, lambda: now):
            pass  # the engine is disposed on exit: a SQLite file is whole, a PG template free

    def templates(self) -> list[str]:
        """PostgreSQL's templates, to drop at the session's end."""
        return [name for (backend, _kind), name in self._made.items() if backend != "sqlite"]


def _address(url: Any) -> str:
    return make_url(url).render_as_string(hide_password=False)


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

    async def is_empty(self, database: str) -> tuple[bool, bool]:
        """No table in the database's public schema yet; and nothing else in it either (a
        database as CREATE DATABASE makes it)."""
        conn = await self._connect(database)
        try:
            tables = await conn.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            )
            objects = await conn.fetchval(_OBJECTS_IN_PUBLIC)
            return int(tables) == 0, int(objects) == 0
        finally:
            await conn.close()

    async def create(self, name: str, template: str | None = None) -> None:
        """A new database (a copy of `template`) whose commits do not wait for the disk."""
        conn = await self._connect(self.admin_db)
        try:
            clauses = "" if template is None else f' TEMPLATE "{template}"'
            if conn.get_server_version() >= (15, 0):
                clauses += " STRATEGY = FILE_COPY"
            await conn.execute(f'CREATE DATABASE "{name}"{clauses}')
            await conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        finally:
            await conn.close()

    async def drop(self, name: str) -> None:
        await self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def swap(self, database: str, ready: str, spare: str) -> None:
        """Rename the database to `spare` and give its name to the database `ready`."""
        conn = await self._connect(self.admin_db)
        try:
            await conn.execute(f'ALTER DATABASE "{database}" RENAME TO "{spare}"')
            await conn.execute(f'ALTER DATABASE "{ready}" RENAME TO "{database}"')
        finally:
            await conn.close()

    async def _connect(self, database: str):  # type: ignore[no-untyped-def]
        import asyncpg  # noqa: PLC0415 - only where PostgreSQL is used

        return await asyncpg.connect(
            host=self.host, port=self.port, user="postgres", database=database
        )


_DONE: Future[None] = Future()
_DONE.set_result(None)


class PgDatabases:
    """A test process's PostgreSQL databases, made one ahead in a thread and dropped behind in
    others: a test takes a database made while the tests before it ran (empty, or a copy of a
    template), and never waits for one to be dropped (a DROP DATABASE waits for a checkpoint;
    drops at the same time share one, so those left at the session's end go together). `close`
    waits for all of it, and fails if any of it failed."""

    def __init__(self, admin: PgAdmin) -> None:
        self.admin = admin
        self._makes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-create")
        self._drops = ThreadPoolExecutor(max_workers=4, thread_name_prefix="pg-drop")
        self._ahead: dict[str | None, deque[tuple[str, Future[None]]]] = {}  # template -> made
        self._dropping: list[Future[None]] = []

    async def take(self, template: str | None = None) -> str:
        """The name of a new database of the test's own: empty, or a copy of `template`."""
        ahead = self._ahead.setdefault(template, deque())
        if not ahead:
            ahead.append(self._make(template))
        name, made = ahead.popleft()
        if not ahead:
            ahead.append(self._make(template))  # the next test's, made while this one runs
        await asyncio.wrap_future(made)
        return name

    async def replace(self, database: str, template: str, pristine: bool) -> None:
        """Make the (empty) `database` a copy of `template`: a ready copy takes its name, and
        the database itself, under another name, is the next test's empty one when nothing at
        all was made in it (else it is dropped)."""
        ready = await self.take(template)
        spare = f"dti_test_{uuid.uuid4().hex[:12]}"
        await self.admin.swap(database, ready, spare)
        if pristine:
            self._ahead.setdefault(None, deque()).appendleft((spare, _DONE))
        else:
            self.drop(spare)

    def drop(self, name: str) -> None:
        self._dropping.append(self._drops.submit(asyncio.run, self.admin.drop(name)))

    def close(self, templates: list[str] | None = None) -> None:
        """Wait for the databases being made, then drop every one left, and the `templates`
        they were copies of."""
        self._makes.shutdown(wait=True)
        for ahead in self._ahead.values():
            for name, made in ahead:
                made.result()
                self.drop(name)
        for name in templates or ():
            self.drop(name)
        self._ahead.clear()
        self._drops.shutdown(wait=True)
        for dropped in self._dropping:
            dropped.result()

    def _make(self, template: str | None) -> tuple[str, Future[None]]:
        name = f"dti_test_{uuid.uuid4().hex[:12]}"
        return name, self._makes.submit(asyncio.run, self.admin.create(name, template))
