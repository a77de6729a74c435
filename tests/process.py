"""The bot as a separate process (`python -m bot`), for tests of the real entry point.

By default the process is a fork of a server that has imported the bot once (tests/forked.py):
the same `main()` in a process of its own, without two seconds of imports; `fresh=True` starts a
new interpreter, for the tests that prove the real command itself."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.botapi import TOKEN, FakeBotApi
from tests.forked import ForkedBot


def bot_env(api: FakeBotApi, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The bot's environment: a token for the local Bot API server, a fresh SQLite database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_URL"))}
    return env | {
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": api.base_url,
        "BOT_API_FILE_URL": api.base_file_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dti.sqlite3'}",
        "REMINDER_TICK_SECONDS": "0",
        **extra,
    }


async def run_bot(
    env: dict[str, str], cwd: Path, *args: str, fresh: bool = False
) -> tuple[int, str]:
    """Run `python -m bot ARGS` to its end (a minute at most): its exit status and everything
    it printed."""
    timeout = 60
    if not fresh:
        handle, name = tempfile.mkstemp(prefix="bot-", suffix=".out")  # not in the bot's folder
        os.close(handle)
        output_path = Path(name)
        forked = ForkedBot(env, cwd, args, output_path)
        try:
            status = await asyncio.wait_for(forked.wait(), timeout)
        except TimeoutError:
            pytest.fail(f"the bot did not stop within {timeout}s:\n{_taken(output_path)}")
        finally:
            forked.close()
        return status, _taken(output_path)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
        pytest.fail(f"the bot did not stop within {timeout}s:\n{output.decode()}")
    return process.returncode or 0, output.decode("utf-8", "replace")


@asynccontextmanager
async def serving(env: dict[str, str], cwd: Path, *, fresh: bool = False) -> AsyncIterator[Path]:
    """`python -m bot` running in the background; yields its log file (standard output and
    error); stops it with SIGTERM and checks it ends cleanly."""
    log_path = cwd / "bot.log"
    if not fresh:
        log_path.touch()
        forked = ForkedBot(env, cwd, (), log_path)
        try:
            yield log_path
            forked.send_signal(signal.SIGTERM)
            status = await asyncio.wait_for(forked.wait(), timeout=20)
        finally:
            forked.close()
        assert status == 0, log_path.read_text("utf-8")
        return
    with log_path.open("wb") as log:  # a pipe nobody reads would fill and block the bot
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=cwd, env=env, stdout=log, stderr=log
        )
        try:
            yield log_path
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=20)
    assert process.returncode == 0, log_path.read_text("utf-8")


def _taken(path: Path) -> str:
    """The file's text (as the bot wrote it, undecodable bytes replaced), the file removed."""
    text = path.read_bytes().decode("utf-8", "replace")
    path.unlink()
    return text
