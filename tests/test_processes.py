"""The real entry point as separate processes: a kill -9 in the middle of handling loses no
update, and two webhook processes behind one URL on one PostgreSQL database answer each update
exactly once."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import socket
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.web import SECRET_HEADER
from storage.db import make_engine
from storage.models import UpdateJournalRow
from tests.botapi import TOKEN, FakeBotApi
from tests.conftest import PG, PG_HOST, PG_PORT, POSTGRES, SKIP_PG
from tests.forked import ForkedBot
from tests.intake import SECRET, eventually, until, webhook_path

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(api: FakeBotApi, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    return env | {
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": api.base_url,
        "BOT_API_FILE_URL": api.base_file_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "INFO",
        **extra,
    }


@asynccontextmanager
async def bot_process(env: dict[str, str], cwd: Path, name: str) -> AsyncIterator[Process]:
    """`python -m bot` as a process of its own: a fork of the test process's fork server
    (tests/forked.py), the same `main()` with its own pid, signals, exit status and database
    connections, without an interpreter's start and imports each time (a second of CPU each);
    the fresh command itself is proven by tests/test_console_and_settings.py."""
    log = cwd / f"{name}.log"
    process = ForkedBot(env, cwd, (), log)
    running = Process(process, log)
    try:
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        process.close()


class Process:
    def __init__(self, process: ForkedBot, log: Path) -> None:
        self.process, self.log = process, log

    async def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=30)

    def logs(self) -> str:
        return self.log.read_text("utf-8", "replace")


def answered(api: FakeBotApi, prefix: str) -> Counter[str]:
    """How often each command `/<prefix>N` was answered ("Không có lệnh /w17 …")."""
    found = (re.search(rf"/({prefix}\d+)", str(m.get("text"))) for m in api.sent("sendMessage"))
    return Counter(match.group(1) for match in found if match)


async def handled(database_url: str) -> dict[str, int]:
    """update journal: handled updates by the process that handled them."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(UpdateJournalRow.owner, func.count())
                .where(UpdateJournalRow.status == "handled")
                .group_by(UpdateJournalRow.owner)
            )
            return {owner: count for owner, count in rows}
    finally:
        await engine.dispose()


async def all_handled(database_url: str, count: int) -> bool:
    return sum((await handled(database_url)).values()) == count


@pytest.mark.slow
async def test_updates_fetched_before_a_kill_9_are_each_answered_once_after_the_restart(
    api: FakeBotApi, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.sqlite3'}"
    env = bot_env(api, url, MAX_CONCURRENT_UPDATES="4")
    updates = [api.private_text(f"/k{n}", user_id=7000 + n % 10) for n in range(40)]
    last = updates[-1]["update_id"]
    api.delay_next("sendMessage", 120, times=10_000)  # answers hang: the kill comes mid-handling

    def confirmed() -> bool:
        return any(
            c.method == "getUpdates" and int(c.params.get("offset") or 0) > last for c in api.calls
        )

    def answering() -> bool:
        return len([c for c in api.calls if c.method == "sendMessage"]) >= 4

    async with bot_process(env, tmp_path, "first") as first:
        await eventually(confirmed, "the batch confirmed to Telegram", timeout=60)
        await eventually(answering, "answers in flight", timeout=30)
        first.process.kill()  # SIGKILL: no clean-up at all
        await first.process.wait()
    assert not api.sent("sendMessage")  # nothing was answered before the kill
    api.clear_faults()
    async with bot_process(env, tmp_path, "second") as second:
        await api.wait_for("sendMessage", count=40, timeout=60)
        await until(lambda: all_handled(url, 40), "40 updates marked handled")
        assert await second.stop() == 0
    counts = answered(api, "k")
    assert counts == Counter({f"k{n}": 1 for n in range(40)}), second.logs()
    assert "Traceback" not in first.logs() + second.logs()
    assert "handling 40 update(s) received before a restart" in second.logs()


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES, reason=SKIP_PG)
async def test_two_webhook_processes_on_one_postgresql_answer_500_updates_exactly_once(
    api: FakeBotApi, tmp_path: Path
) -> None:
    name = f"dti_test_{uuid.uuid4().hex[:12]}"
    await PG.create(name)
    url = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    ports = [free_port(), free_port()]
    common = {"WEBHOOK_URL": "https://bot.example.test", "WEBHOOK_SECRET": SECRET}
    envs = [bot_env(api, url, HTTP_PORT=str(port), **common) for port in ports]
    try:
        # Started together on a fresh database: the start-up lock lets one migrate and seed.
        async with (
            bot_process(envs[0], tmp_path, "a") as a,
            bot_process(envs[1], tmp_path, "b") as b,
            aiohttp.ClientSession() as http,
        ):
            for port in ports:
                await _until_healthy(http, port, a, b)
            path = webhook_path(api)
            updates = [api.private_text(f"/w{n}", user_id=8000 + n % 50) for n in range(500)]
            gate = asyncio.Semaphore(16)
            turn = itertools.cycle(ports)

            async def deliver(update: dict[str, object], port: int, retry: bool) -> None:
                async with gate:
                    for target in (port, ports[1 - ports.index(port)]) if retry else (port,):
                        async with http.post(
                            f"http://127.0.0.1:{target}{path}",
                            json=update,
                            headers={SECRET_HEADER: SECRET},
                        ) as response:
                            assert response.status == 200, await response.text()

            # Alternately to each process; every tenth also to the other one, as Telegram
            # retries an update whose answer was slow.
            await asyncio.gather(
                *(deliver(u, next(turn), n % 10 == 0) for n, u in enumerate(updates))
            )
            await api.wait_for("sendMessage", count=500, timeout=120)
            await until(lambda: all_handled(url, 500), "500 updates marked handled")
            by_process = await handled(url)
            assert await a.stop() == 0
            assert await b.stop() == 0
        counts = answered(api, "w")
        assert counts == Counter({f"w{n}": 1 for n in range(500)})
        assert len(api.sent("sendMessage")) == 500
        assert len(by_process) == 2  # both processes answered some
        logs = a.logs() + b.logs()
        assert "Traceback" not in logs
        assert TOKEN not in logs
        assert SECRET not in logs
    finally:
        await PG.drop(name)


async def _until_healthy(http: aiohttp.ClientSession, port: int, *processes: Process) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    while True:
        for process in processes:
            assert process.process.returncode is None, process.logs()
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        assert loop.time() < deadline, "\n".join(p.logs() for p in processes)
        await asyncio.sleep(0.1)
