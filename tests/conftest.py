"""Shared fixtures: the bundled data, databases (SQLite always, PostgreSQL when reachable)."""

from __future__ import annotations

import asyncio
import compileall
import functools
import gc
import os
import socket
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from hypothesis import settings as hypothesis_settings
from telegram.ext import Application

import tests
from bot.app import build_application
from bot.outbound import Outbound, Policy
from bot.pacing import Limits
from bot.settings import Settings
from parsing.lexicon import Lexicon
from scoring.loading import parse_directory, parse_framework
from scoring.model import Directory, Framework
from services.container import Services
from tests.botapi import TOKEN, FakeBotApi
from tests.templates import PgAdmin, PgDatabases, Templates

if TYPE_CHECKING:
    from bot.runtime import Runtime

# The plugins' modules conftest imports are rewritten and kept by now (tests/__init__.py).
sys.dont_write_bytecode = tests.DONT_WRITE_BYTECODE

# PTB 22 warns on every RetryAfter unless this opts in to timedelta values (as bot/__main__.py
# does); with filterwarnings=error the warning would replace the 429 the tests inject.
os.environ.setdefault("PTB_TIMEDELTA", "true")
# The tests speak plain HTTP on loopback only, yet each HTTP client PTB builds (two for every
# Application) loads the whole CA bundle first, 20 ms of CPU each; a folder with no CA in it
# (this one) costs nothing.
os.environ.pop("SSL_CERT_FILE", None)
os.environ["SSL_CERT_DIR"] = str(Path(__file__).resolve().parent)

# Hypothesis' deadline (200 ms an example) measures the machine's load, not the code: on the
# 2-core machine running both workers it failed examples that pass in 20 ms on their own.
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PACKAGES = ("bot", "domain", "handlers", "locales", "parsing", "reports", "reminders", "scoring",
            "services", "storage")  # fmt: skip
PG_HOST, PG_PORT, PG_ADMIN_DB = "127.0.0.1", 5432, "test"
T = TypeVar("T")


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
            return True
    except OSError:
        return False


POSTGRES = _postgres_reachable()
SKIP_PG = f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT}: PostgreSQL storage tests skipped"


def pytest_configure(config: pytest.Config) -> None:
    """The bot's own modules compiled once (the controller, before any worker starts): with
    PYTHONDONTWRITEBYTECODE set, as on this project's machines, every `python -m bot` a test
    starts would compile them all again, a second and more of CPU each."""
    if not hasattr(config, "workerinput"):
        for package in PACKAGES:
            compileall.compile_dir(ROOT / package, quiet=1)


@pytest.hookimpl(wrapper=True)
def pytest_collection() -> Iterator[object]:
    """pytest's rewritten test modules kept in tests/__pycache__ even with
    PYTHONDONTWRITEBYTECODE set (as pytest_configure keeps the bot's): rewriting the asserts of
    every test module costs each worker three seconds of CPU at every run otherwise."""
    was = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        return (yield)
    finally:
        sys.dont_write_bytecode = was


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection made (every module of the bot, the libraries, the test items) left out of
    the garbage collector's passes: it lives until the process ends, yet each full pass walked
    all of it again, a seventh of a worker's CPU. Objects made by the tests are collected as
    before, in fewer, larger passes: at Python's default thresholds (a pass every 700 new
    objects, a full pass every 100 passes) the collector took a tenth of the CPU of the
    end-to-end tests, which make objects by the hundred thousand (SQLAlchemy's, Telegram's);
    full passes were seven tenths of that. Garbage in cycles is freed all the same, a little
    later."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 100)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers a core. A hundred tests spend most of their time waiting, not
    computing (Telegram's real pace, a 429's wait, a stop's grace, bot processes starting), about
    a minute and a half in all; with one worker a core, each of those waits left a core idle.
    The extra workers cost their own collection and templates, a few seconds of CPU each."""
    return 2 * (os.cpu_count() or 1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tests first, shared out at the head of each worker's share: pytest-xdist's
    worksteal gives each worker one contiguous part of the list (the first n // workers, then
    the same of what is left …) and lets an idle one take another's tail, so a test of ten
    seconds and more left for the end would keep one worker alone at work."""
    slow = [item for item in items if item.get_closest_marker("slow")]
    if not slow:
        return
    rest = [item for item in items if not item.get_closest_marker("slow")]
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    ordered: list[pytest.Item] = []
    left, taken = len(items), 0
    for worker in range(workers):
        share = left // (workers - worker)
        left -= share
        head = slow[worker::workers]
        fill = max(share - len(head), 0)
        ordered += [*head, *rest[taken : taken + fill]]
        taken += fill
    items[:] = [*ordered, *rest[taken:]]


def pytest_report_header(config: pytest.Config) -> str:
    pg = f"PostgreSQL on {PG_HOST}:{PG_PORT}" if POSTGRES else f"not PostgreSQL ({SKIP_PG})"
    return f"storage backends: SQLite (always) and {pg}"


@pytest.fixture(scope="session", autouse=True)
def _bundled_data_read_once() -> Iterator[None]:
    """The province and the work calendar of the bundled data folder, read from its files once
    per test process instead of at every opening of the services (a YAML parse each, a third of
    an opening's CPU). Any other data folder (a test's own copy) is read as the bot reads it."""
    import bot.runtime  # noqa: PLC0415 - the module whose names are replaced

    bundled = DATA.resolve()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("home_province", "work_calendar"):
            read = getattr(bot.runtime, name)
            patch.setattr(bot.runtime, name, _once_for(bundled, read))
        yield


@pytest.fixture(scope="session", autouse=True)
def _lexicon_built_once_per_reference() -> Iterator[None]:
    """The router's lexicon made once per test process for each kept-lexicon folder and set of
    frameworks, agencies and province, not once per test: it is a function of those alone (and
    of the vocabulary files), and even loading the kept file takes a tenth of a second, which
    every test asking the bot a question paid. Reference data a test changes (an import, a new
    agency) is another key, so its lexicon is made afresh, as the bot makes it after `forget`.
    tests/test_lexicon_cache.py calls services.lexicon_cache itself, unaffected."""
    import services.scores  # noqa: PLC0415 - the module whose name is replaced

    make = services.scores.cached_lexicon

    @functools.lru_cache(maxsize=16)
    def made(
        folder: Path | None, frameworks: tuple[Framework, ...], directory: Directory, province: str
    ) -> Lexicon:
        return make(folder, frameworks, directory, province)

    def cached(
        folder: Path | None,
        frameworks: Sequence[Framework],
        directory: Directory,
        province: str,
        *more: Any,
    ) -> Lexicon:
        if more:
            return make(folder, frameworks, directory, province, *more)
        return made(folder, tuple(frameworks), directory, province)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services.scores, "cached_lexicon", cached)
        yield


@pytest.fixture(scope="session", autouse=True)
def _statements_compiled_once_per_process() -> Iterator[None]:
    """Every engine of the test process compiles a statement into SQL once, not every engine
    once: SQLAlchemy keeps compiled statements per engine, and each test makes its own engines
    (its own database), so each test compiled again every statement it ran, a tenth of the
    CPU of a test that opens the services. The compiled form depends only on the dialect's
    class and settings; engines whose dialects are alike in both (checked once connected, the
    dialect initialised) share one cache, any other engine keeps its own."""
    from sqlalchemy import event  # noqa: PLC0415 - only this fixture uses them
    from sqlalchemy.engine import Connection, Engine  # noqa: PLC0415

    shared = SharedStatements()

    def connected(connection: Connection) -> None:
        engine = connection.engine
        if not isinstance(engine._compiled_cache, SharedStatements.View):  # noqa: SLF001
            engine._compiled_cache = shared.view(engine.dialect)  # noqa: SLF001

    event.listen(Engine, "engine_connect", connected)
    try:
        yield
    finally:
        event.remove(Engine, "engine_connect", connected)


class SharedStatements:
    """One bounded cache of compiled statements for the engines of alike dialects: a view
    stands for one engine, and puts its dialect's likeness in place of the dialect itself in
    SQLAlchemy's keys (dialect, statement, ...)."""

    CAPACITY = 5000

    def __init__(self) -> None:
        from sqlalchemy.util import LRUCache  # noqa: PLC0415 - SQLAlchemy's own cache

        self.store: LRUCache[Any, Any] = LRUCache(self.CAPACITY)
        self.kinds: dict[tuple[Any, ...], int] = {}  # a likeness -> its number (cheap to hash)

    def view(self, dialect: Any) -> SharedStatements.View:
        likeness = _likeness(dialect)
        return self.View(self.store, self.kinds.setdefault(likeness, len(self.kinds)))

    class View:
        def __init__(self, store: Any, likeness: int) -> None:
            self.store, self.likeness = store, likeness

        def get(self, key: tuple[Any, ...]) -> Any:
            return self.store.get((self.likeness, *key[1:]))

        def __setitem__(self, key: tuple[Any, ...], compiled: Any) -> None:
            self.store[(self.likeness, *key[1:])] = compiled

        def clear(self) -> None:
            self.store.clear()


def _likeness(dialect: Any) -> tuple[Any, ...]:
    """The dialect's class and every setting of its own: plain values as they are, any other
    object (its driver, its identifier quoting) by its class."""
    plain = (type(None), bool, int, float, str, tuple, frozenset)
    return (
        type(dialect),
        *sorted(
            (name, value if isinstance(value, plain) else type(value))
            for name, value in vars(dialect).items()
        ),
    )


def _once_for(bundled: Path, read: Callable[[Path], T]) -> Callable[[Path], T]:
    found: list[T] = []

    def cached(data_dir: Path) -> T:
        if data_dir.resolve() != bundled:
            return read(data_dir)
        if not found:
            found.append(read(data_dir))
        return found[0]

    return cached


@pytest.fixture(scope="session")
def directory() -> Directory:
    return parse_directory(
        (DATA / "agencies" / "khanh-hoa.yaml").read_text("utf-8"), "khanh-hoa.yaml"
    )


@pytest.fixture(scope="session")
def framework(directory: Directory) -> Framework:
    text = (DATA / "frameworks" / "dti-province-2025.yaml").read_text("utf-8")
    return parse_framework(text, "dti-province-2025.yaml", directory)


PG = PgAdmin(PG_HOST, PG_PORT, PG_ADMIN_DB)


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases | None]:
    """This process's PostgreSQL test databases, made ahead and dropped behind in threads
    (tests/templates.py); None without PostgreSQL."""
    if not POSTGRES:
        yield None
        return
    databases = PgDatabases(PG)
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def templates(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_databases: PgDatabases | None,
) -> Iterator[Templates]:
    """The session's template databases (tests/templates.py), dropped at its end. The SQLite
    ones are files in a folder that the workers of one run share (as the kept lexicon's): the
    first worker to need one makes it, the others copy it."""
    made = Templates(_run_folder(request, tmp_path_factory, "templates"), DATA, pg_databases)
    with made.kept_reference():
        yield made
    if pg_databases is not None:
        pg_databases.close(made.templates())


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_databases: PgDatabases | None
) -> AsyncIterator[str]:
    """A fresh, empty database of each kind; PostgreSQL gets its own database (made before the
    test needed it, dropped after it: pg_databases)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'dti.sqlite3'}"
        return
    if pg_databases is None:
        pytest.skip(SKIP_PG)
    name = await pg_databases.take()
    try:
        yield PG.url(name)
    finally:
        await asyncio.sleep(0)
        pg_databases.drop(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'dti.sqlite3'}"


@pytest.fixture(scope="session")
def lexicon_cache(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """One kept lexicon for the session's tests (services.lexicon_cache): a test on the
    bundled data loads it; one on other data builds its own and replaces it. With pytest-xdist
    the workers of one run share the folder (each worker's temporary folder is in the run's):
    the first to need the bundled data's lexicon builds it, the others load it, as a second bot
    process does (the file is written whole or not at all)."""
    return _run_folder(request, tmp_path_factory, "cache")


def _run_folder(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Path:
    """A folder of this run: with pytest-xdist, the same for all its workers (each worker's
    temporary folder is in the run's)."""
    if hasattr(request.config, "workerinput"):
        shared = tmp_path_factory.getbasetemp().parent / name
        shared.mkdir(exist_ok=True)
        return shared
    return tmp_path_factory.mktemp(name)


@pytest.fixture
def settings(sqlite_url: str, lexicon_cache: Path) -> Settings:
    # The reminder job is off: tests send due reminders themselves, after moving the clock.
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=sqlite_url,
        cache_dir=lexicon_cache,
        bot_token=None,
        data_dir=DATA,
        admin_ids="1",
        reminder_tick_seconds=0,
    )


class MovableClock:
    """A clock the test moves; 09:00 in Ho Chi Minh on 30/11/2025 (quarter 2025-Q4) at first."""

    def __init__(self, start: datetime = datetime(2025, 11, 30, 2, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def runtime(
    settings: Settings, clock: MovableClock, templates: Templates
) -> AsyncIterator[Runtime]:
    """The bot's runtime on a fresh, migrated and seeded SQLite database (a copy of the
    session's template), on the test's clock."""
    async with templates.open_runtime(settings, clock) as opened:
        yield opened


@pytest.fixture
def services(runtime: Runtime) -> Services:
    """The services of `runtime`."""
    return runtime.services


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server
    assert server.internal_errors == []


# Telegram's limits, but one private chat's pace (a message a second after a burst of three) a
# hundred times quicker: the end-to-end tests ask one person many questions in a row, and each
# answer after the third waited a second that proves nothing about what they test. The pacing
# code runs all the same (queued, then let go by its timer); the real pace is tested on its own
# (tests/test_outbound_pacing.py, tests/test_e2e_outbound.py).
E2E_LIMITS = Limits(private_interval=0.01)


@asynccontextmanager
async def running_bot(
    api: FakeBotApi, settings: Settings, services: Services
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The real Application, long-polling the local Bot API server (E2E_LIMITS' pace)."""
    local = settings.model_copy(
        update={"bot_api_base_url": api.base_url, "bot_api_file_url": api.base_file_url}
    )
    outbound = Outbound(Policy(limits=E2E_LIMITS))
    app = build_application(local, services, token=TOKEN, outbound=outbound)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.fixture
async def bot(
    api: FakeBotApi, settings: Settings, services: Services
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async with running_bot(api, settings, services) as app:
        yield app
