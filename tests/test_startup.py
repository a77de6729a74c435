"""Start-up failures: the real entry point (`python -m bot`, a process of its own) ends every
misconfiguration and broken file with exit status 2 and one line naming what to fix; no
traceback; with no network it waits for Telegram instead of dying."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import socket
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.settings import Settings
from bot.startup import connect_to_telegram, open_database
from tests.botapi import TOKEN, FakeBotApi
from tests.conftest import DATA, PG_HOST, PG_PORT, POSTGRES, SKIP_PG
from tests.process import bot_env, run_bot, serving

WRONG_TOKEN = "987654321:" + "WRONG-token-refused-by-the-server"
LOG_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING) ")


@dataclass(frozen=True)
class Case:
    env: dict[str, str] = field(default_factory=dict)
    names: str = ""  # the setting or file the line must name
    data: str = ""  # "yaml", "binary", "holidays": DATA_DIR is a copy with one file broken so
    needs_postgres: bool = False


def _free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CASES = {
    "ADMIN_IDS that is not a number": Case({"ADMIN_IDS": "abc"}, "ADMIN_IDS"),
    "a LOG_LEVEL that does not exist": Case({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    "an unknown TIMEZONE": Case({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
    "a DEFAULT_LANGUAGE without a catalog": Case({"DEFAULT_LANGUAGE": "fr"}, "DEFAULT_LANGUAGE"),
    "a garbage DATABASE_URL": Case({"DATABASE_URL": "not a url at all"}, "DATABASE_URL"),
    "a PostgreSQL URL without +asyncpg": Case(
        {"DATABASE_URL": f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test"}, "DATABASE_URL"
    ),
    "a DATA_DIR pointing nowhere": Case({"DATA_DIR": "/nowhere/dti-data"}, "DATA_DIR"),
    "a FRAMEWORK that does not exist": Case({"FRAMEWORK": "nonexistent"}, "FRAMEWORK"),
    "a database folder that cannot be created": Case(
        {"DATABASE_URL": "sqlite+aiosqlite:///{tmp}/a-file/dti.sqlite3"}, "DATABASE_URL"
    ),
    # /sys refuses new files even to root, for whom a chmod'ed folder would still be writable.
    "a read-only database folder": Case(
        {"DATABASE_URL": "sqlite+aiosqlite:////sys/dti.sqlite3"}, "DATABASE_URL"
    ),
    "a corrupt SQLite file": Case(
        {"DATABASE_URL": "sqlite+aiosqlite:///{tmp}/a-file"}, "DATABASE_URL"
    ),
    "an unreachable PostgreSQL": Case(
        {"DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:{free_port}/test"},
        "DATABASE_URL",
    ),
    "a missing PostgreSQL database": Case(
        {"DATABASE_URL": f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/no_such_dti_db"},
        "DATABASE_URL",
        needs_postgres=True,
    ),
    "a data file with a YAML syntax error": Case({}, "dti-province-2025.yaml, line 4", "yaml"),
    "a data file of binary garbage": Case({}, "khanh-hoa.yaml", "binary"),
    "a holiday calendar naming an unknown country": Case({}, "calendar/holidays.yaml", "holidays"),
    "a token Telegram refuses (401)": Case({"BOT_TOKEN": WRONG_TOKEN}, "BOT_TOKEN"),
    "a wrong BOT_API_BASE_URL prefix (404)": Case(
        {"BOT_API_BASE_URL": "{api}/api/bot"}, "BOT_API_BASE_URL"
    ),
}


def _broken_data(tmp_path: Path, how: str) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    if how == "yaml":
        (folder / "frameworks" / "dti-province-2025.yaml").write_text(
            "code: dti\nname: DTI\npillars: [\n  - code: '1'\n", "utf-8"
        )
    elif how == "holidays":
        (folder / "calendar" / "holidays.yaml").write_text(
            "country: XX\nweekend: [saturday, sunday]\n", "utf-8"
        )
    else:
        (folder / "agencies" / "khanh-hoa.yaml").write_bytes(bytes(range(256)) * 4)
    return folder


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
async def test_each_misconfiguration_ends_with_status_2_and_one_line_naming_it(
    case: Case, api: FakeBotApi, tmp_path: Path
) -> None:
    if case.needs_postgres and not POSTGRES:
        pytest.skip(SKIP_PG)
    (tmp_path / "a-file").write_text("this is not a database\n" * 100)
    fill = {"tmp": str(tmp_path), "api": api.base_url.rsplit("/bot", 1)[0]}
    fill["free_port"] = str(_free_port())
    extra = {k: v.format(**fill) for k, v in case.env.items()}
    if case.data:
        extra["DATA_DIR"] = str(_broken_data(tmp_path, case.data))
    status, output = await run_bot(bot_env(api, tmp_path, **extra), tmp_path)
    # The log of a normal start may come first (LOG_LEVEL=INFO); then the one line.
    lines = [line for line in output.strip().splitlines() if not LOG_RECORD.match(line)]
    assert status == 2, output
    assert 1 <= len(lines) <= 2, output
    assert "Traceback" not in output
    assert case.names in lines[0]
    assert TOKEN not in output
    assert WRONG_TOKEN not in output
    assert "WRONG-token" not in output  # nor the secret part of it


async def test_at_debug_a_misconfiguration_also_shows_its_traceback(
    api: FakeBotApi, tmp_path: Path
) -> None:
    env = bot_env(api, tmp_path, LOG_LEVEL="DEBUG", DATA_DIR=str(_broken_data(tmp_path, "yaml")))
    # A fresh interpreter (the others are forks, tests/forked.py): the real command's status.
    status, output = await run_bot(env, tmp_path, fresh=True)
    assert status == 2
    assert "Traceback" in output
    assert output.strip().splitlines()[-1].startswith("tro-ly-dti: data file ")


async def test_with_no_network_the_bot_waits_one_line_per_attempt_and_stops_on_sigterm(
    api: FakeBotApi, tmp_path: Path
) -> None:
    nowhere = f"http://127.0.0.1:{_free_port()}/bot"
    async with serving(bot_env(api, tmp_path, BOT_API_BASE_URL=nowhere), tmp_path) as log:
        for _ in range(300):
            if log.read_text("utf-8").count("Telegram is not reachable") >= 2:
                break
            await asyncio.sleep(0.1)
    logs = log.read_text("utf-8")
    attempts = [line for line in logs.splitlines() if "Telegram is not reachable" in line]
    assert len(attempts) >= 2, logs
    assert "attempt 1, next in 1 s" in attempts[0]
    assert "attempt 2, next in 2 s" in attempts[1]
    assert "Traceback" not in logs
    assert TOKEN not in logs


class FlakyApplication:
    """Stands in for the Application at start: initialize() fails as told, then succeeds."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.attempts = 0

    async def initialize(self) -> None:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)


async def test_the_bot_connects_once_telegram_answers_after_network_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = FlakyApplication(NetworkError("httpx.ConnectError: boom"), TimedOut(), RetryAfter(0))
    connected = await connect_to_telegram(
        app,  # type: ignore[arg-type]
        asyncio.Event(),
        "https://api.telegram.org",
        first_wait=0.01,
    )
    assert connected
    assert app.attempts == 4
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.startup"]
    assert len(lines) == 3  # one line per failed attempt
    assert all(r.exc_info is None for r in caplog.records)  # and no traceback
    assert "(httpx.ConnectError: boom); attempt 1, next in 0.01 s" in lines[0]
    assert "flood control" in lines[2]


async def test_a_stop_while_waiting_for_telegram_ends_the_wait_at_once() -> None:
    stop = asyncio.Event()
    app = FlakyApplication(NetworkError("down"))
    asyncio.get_running_loop().call_later(0.05, stop.set)
    connected = await asyncio.wait_for(
        connect_to_telegram(app, stop, "https://api.telegram.org", first_wait=30),  # type: ignore[arg-type]
        timeout=5,
    )
    assert not connected


async def test_a_refused_token_or_a_bad_request_is_not_waited_for() -> None:
    for error in (InvalidToken("Unauthorized"), BadRequest("Bad Request: chat not found")):
        app = FlakyApplication(error)
        with pytest.raises(type(error)):
            await connect_to_telegram(app, asyncio.Event(), "x", first_wait=0.01)  # type: ignore[arg-type]
        assert app.attempts == 1


async def test_a_database_at_the_earlier_default_place_is_pointed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user-data"))
    (tmp_path / "var").mkdir()
    sqlite3.connect(tmp_path / "var" / "dti.sqlite3").close()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    engine = await open_database(settings)
    await engine.dispose()
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1
    assert f"sqlite+aiosqlite:///{tmp_path / 'var' / 'dti.sqlite3'}" in warned[0]
    assert str(tmp_path / "user-data" / "tro-ly-dti" / "dti.sqlite3") in warned[0]
