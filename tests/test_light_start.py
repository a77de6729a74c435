"""A light start: the libraries only charts, exports, migrations and holiday questions need are
not loaded by a start that does not use them, and what replaces them answers the same."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from alembic.script import ScriptDirectory
from sqlalchemy import event

from bot import collector
from bot.__main__ import SUBCOMMANDS, parser
from scoring import yaml_reader
from services.seeding import seed
from storage.db import make_engine, make_sessions
from storage.migrate import MIGRATIONS, head_revisions, is_current, upgrade
from tests.botapi import FakeBotApi
from tests.conftest import DATA
from tests.process import bot_env

ROOT = Path(__file__).resolve().parent.parent
# What a start that draws no chart, writes no export and migrates nothing must not import.
HEAVY = ("matplotlib", "numpy", "openpyxl", "PIL", "alembic", "holidays", "hypothesis")
RUNTIME = (
    "bot.__main__", "bot.app", "bot.runtime", "bot.console", "bot.inbound", "bot.polling",
    "bot.web", "services.container", "handlers.reports", "reports.charts", "reports.export",
    "scoring.framework_files",
)  # fmt: skip
# The subcommands' modules: imported only when one of them is asked for.
SUBCOMMAND_MODULES = (
    "bot.admin_cli",
    "bot.backup",
    "bot.broadcast_cli",
    "bot.check",
    "bot.framework_cli",
)
# Prints the heavy modules the interpreter holds, as the last line of its output.
REPORT = (
    "import json, sys\n"
    f"heavy = {list(HEAVY)!r}\n"
    "print(json.dumps(sorted(m for m in sys.modules"
    " if any(m == h or m.startswith(h + '.') for h in heavy))))\n"
)
# The real entry point, answering the question given as its arguments.
ONCE = (
    "import sys\n"
    "from bot.__main__ import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as end:\n"
    "    assert not end.code, end.code\n"
)


# Notes, in `passes`, the collector's full passes made from the interpreter's start to each
# `resume` (bot/collector.py).
WATCH = (
    "import gc\n"
    "from bot import collector\n"
    "passes, resume = [], collector.resume\n"
    "def noted():\n"
    "    passes.append(gc.get_stats()[2]['collections'])\n"
    "    resume()\n"
    "collector.resume = noted\n"
)


def _loaded_after(code: str, *args: str, env: dict[str, str] | None = None) -> list[Any]:
    """The heavy modules a fresh interpreter holds after running `code` (or what else the
    last line of its output lists)."""
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


async def _current_database(folder: Path) -> dict[str, str]:
    """The environment of a bot on a SQLite database in `folder`, migrated as an earlier start
    left it."""
    url = f"sqlite+aiosqlite:///{folder / 'dti.sqlite3'}"
    engine = make_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_URL"))}
    return env | {"DATABASE_URL": url, "PTB_TIMEDELTA": "true"}


# Each start below is a fresh interpreter (a second of CPU); the tests that look at the same
# kind of start read what one of them reported (module fixtures), each asserting its own part.
@pytest.fixture(scope="module")
def current_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return asyncio.run(_current_database(tmp_path_factory.mktemp("current")))


@pytest.fixture(scope="module")
def once_total(current_env: dict[str, str]) -> dict[str, Any]:
    """`--once "tổng điểm DTI"` on a current database, the collector watched (WATCH): the full
    passes before `resume`, the collector then, the bot's modules and the heavy ones held after
    the answer; then `main` once more for "điểm Hạ tầng số hiện tại" and the heavy ones held
    after both; then the runtime modules imported on top, and the heavy ones held after all."""
    after = (
        "import importlib, json, sys\n"
        "def heavy():\n"
        f"    return sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.')"
        f" for h in {list(HEAVY)!r}))\n"
        "found = {'passes': passes[0], 'enabled': gc.isenabled(),"
        " 'frozen': gc.get_freeze_count() > 0, 'heavy': heavy(),"
        " 'bot': sorted(m for m in sys.modules if m.startswith('bot.'))}\n"
        "try:\n"
        "    main(['--once', 'điểm Hạ tầng số hiện tại'])\n"
        "except SystemExit as end:\n"
        "    assert not end.code, end.code\n"
        "found['heavy after both'] = heavy()\n"
        + "".join(f"importlib.import_module({name!r})\n" for name in RUNTIME)
        + "found['runtime heavy'] = heavy()\n"
        "print(json.dumps([found]))\n"
    )
    found = _loaded_after(WATCH + ONCE + after, "--once", "tổng điểm DTI", env=current_env)
    return dict(found[0])


def test_importing_the_runtime_modules_loads_no_chart_export_or_migration_library(
    once_total: dict[str, Any],
) -> None:
    # In the interpreter that answered `--once` (which loads none of them either: below).
    assert once_total["runtime heavy"] == []


def test_a_question_answered_on_a_current_database_loads_none_of_them(
    once_total: dict[str, Any],
) -> None:
    # Either question, and both in turn (what one of them loads stays loaded).
    assert once_total["heavy"] == []
    assert once_total["heavy after both"] == []
    loaded = once_total["bot"]
    assert set(loaded) & set(SUBCOMMAND_MODULES) == set()
    assert "bot.console" in loaded


def test_the_collector_makes_no_full_pass_while_the_bot_starts_and_is_on_after(
    once_total: dict[str, Any],
) -> None:
    found = [once_total["passes"], once_total["enabled"], once_total["frozen"]]
    assert found == [0, True, True]


# What the served bot does not import before its first getUpdates: the settings' former
# library, PostgreSQL's driver on SQLite, and the rarely used services with what only they use.
NOT_BEFORE_POLLING = (
    "pydantic", "pydantic_settings", "dotenv", "asyncpg", "services.insights",
    "services.reports", "services.digests", "services.agencies", "services.framework_import",
    "services.broadcasts", "services.evidence", "services.review", "handlers.reports",
    "reports.charts", "reports.export", "scoring.diff", "storage.archive",
)  # fmt: skip


@pytest.fixture(scope="module")
def served_first_line(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """The served bot, once: the full passes made before `resume` and whether the collector is
    on when polling starts (WATCH), and the rarely needed modules held by then."""
    watch = WATCH + (
        "import json, sys\n"
        "noted = collector.resume\n"
        "def resumed():\n"
        "    noted()\n"
        "    from bot import polling  # imported by then: not before, with the collector on\n"
        "    poll = polling.Poller.run\n"
        "    async def polls(self, stop):\n"
        f"        rare = {list(NOT_BEFORE_POLLING)!r}\n"
        "        held = [m for m in rare if m in sys.modules]\n"
        "        print(json.dumps([passes, gc.isenabled(), held]), flush=True)\n"
        "        await poll(self, stop)\n"
        "    polling.Poller.run = polls\n"
        "collector.resume = resumed\n"
    )

    async def served() -> bytes:
        async with FakeBotApi() as api:
            return await _first_line_served(api, tmp_path_factory.mktemp("served"), watch)

    return list(json.loads(asyncio.run(served())))


def test_the_served_bot_makes_no_full_pass_while_it_starts_and_polls_with_it_on(
    served_first_line: list[Any],
) -> None:
    assert served_first_line[:2] == [[0], True]


def test_the_served_bot_polls_before_importing_what_only_rare_requests_need(
    served_first_line: list[Any],
) -> None:
    assert served_first_line[2] == []


def test_resuming_leaves_off_a_collector_someone_else_turned_off() -> None:
    gc.disable()
    try:
        collector.pause()
        collector.resume()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_subcommand_loads_its_own_module_and_help_names_every_one() -> None:
    code = (
        "import json, sys\n"
        "from bot.__main__ import _asked_for, parser\n"
        "parser(_asked_for(sys.argv[1:])).parse_args(sys.argv[1:])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('bot.'))))\n"
    )
    loaded = _loaded_after(code, "backup", "var/copy")
    assert set(loaded) & set(SUBCOMMAND_MODULES) == {"bot.backup"}
    usage = parser().format_help()
    for name in SUBCOMMANDS:
        assert SUBCOMMANDS[name].help.split()[0] in usage, name


def test_the_newest_revision_read_from_the_files_is_alembic_s_head() -> None:
    assert head_revisions() == frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


async def test_a_new_database_is_behind_until_migrated_then_current(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'dti.sqlite3'}")
    try:
        assert not await is_current(engine)
        await upgrade(engine)
        assert await is_current(engine)
        await upgrade(engine)  # nothing to do: still current
        assert await is_current(engine)
    finally:
        await engine.dispose()


def test_data_files_are_read_by_libyaml_where_it_is_built_with_their_lines() -> None:
    if yaml.__with_libyaml__:
        assert issubclass(yaml_reader._LineLoader, yaml.CSafeLoader)
    data = yaml_reader.load("a: 1\nb:\n  - c: 2\n", "f.yaml")
    assert data == {"a": 1, "b": [{"c": 2, yaml_reader.LINE: 3}], yaml_reader.LINE: 1}


async def test_a_start_on_the_files_seeded_before_reads_only_their_digest(tmp_path: Path) -> None:
    data = shutil.copytree(DATA, tmp_path / "data")
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'dti.sqlite3'}")
    statements: list[str] = []  # what reaches the database, but the transactions' BEGIN

    def count(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        if not sql.startswith("BEGIN"):
            statements.append(sql)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        await upgrade(engine)
        sessions = make_sessions(engine)
        now = datetime(2025, 10, 1, tzinfo=UTC)
        assert (await seed(sessions, data, lambda: now)).changed
        statements.clear()
        again = await seed(sessions, data, lambda: now)
        assert not again.changed
        assert len(statements) == 1  # the digest, nothing more
        assert "bot_state" in statements[0]
        # A file that changed is read again; what it holds is there already.
        agencies = next((data / "agencies").glob("*.yaml"))
        agencies.write_text(agencies.read_text(encoding="utf-8") + "\n# sửa\n", "utf-8")
        statements.clear()
        assert not (await seed(sessions, data, lambda: now)).changed
        assert len(statements) > 10
        statements.clear()
        await seed(sessions, data, lambda: now)
        assert len(statements) == 1
    finally:
        await engine.dispose()


async def _first_line_served(api: FakeBotApi, tmp_path: Path, watch: str) -> bytes:
    """The first line the served bot prints with `watch` run before it starts; then stopped."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", watch + ONCE, cwd=ROOT, env=bot_env(api, tmp_path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        return await asyncio.wait_for(proc.stdout.readline(), 120)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 60)
