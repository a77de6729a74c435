"""Intake throughput: updates per second through the bot's own long polling, through the
aiohttp webhook endpoint with one process, and with two processes behind one URL on one
database (PostgreSQL when reachable) — the real `python -m bot` processes against the local Bot
API server.

Two rates per run: intake (updates recorded in the journal and acknowledged to Telegram: the
getUpdates offset passing the last one, or every POST answered 200) and replies (every update
answered; bounded by the outgoing rate limiter, about 29 messages/s per process).

Run: .venv/bin/python bench/webhook.py [--updates N] [--users N] [--connections N]"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import socket
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.web import SECRET_HEADER  # noqa: E402
from tests.botapi import TOKEN, FakeBotApi  # noqa: E402

SECRET = "bench-webhook-secret-0123456789"  # noqa: S105 - the local test server's
PG = ("127.0.0.1", 5432)


@dataclass
class Row:
    mode: str
    database: str
    updates: int
    intake_s: float
    replies_s: float

    def line(self) -> str:
        return (
            f"{self.mode:<22} {self.database:<10} {self.updates:>6} "
            f"{self.updates / self.intake_s:>10.1f} {self.updates / self.replies_s:>10.1f}"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start(api: FakeBotApi, url: str, folder: Path, name: str, **extra: str):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env |= {
        "BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": api.base_url,
        "BOT_API_FILE_URL": api.base_file_url, "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
        **extra,
    }  # fmt: skip
    with (folder / f"{name}.log").open("ab") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=folder, env=env, stdout=log, stderr=log
        )


async def stop(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        await asyncio.wait_for(process.wait(), timeout=60)


async def wait(condition, what: str, timeout: float = 300) -> None:  # type: ignore[no-untyped-def]  # noqa: ASYNC109
    deadline = time.perf_counter() + timeout
    while True:
        if condition():
            return
        if time.perf_counter() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        await asyncio.sleep(0.005)


async def polling(folder: Path, url: str, database: str, count: int, users: int) -> Row:
    async with FakeBotApi() as api:
        process = await start(api, url, folder, "polling")
        try:
            await wait(lambda: any(c.method == "getUpdates" for c in api.calls), "first poll")
            started = time.perf_counter()
            last = 0
            for n in range(count):
                last = api.private_text(f"/p{n}", user_id=50_000 + n % users)["update_id"]

            def confirmed() -> bool:
                return any(
                    c.method == "getUpdates" and int(c.params.get("offset") or 0) > last
                    for c in api.calls
                )

            await wait(confirmed, "the last update confirmed")
            intake = time.perf_counter() - started
            await api.wait_for("sendMessage", count=count, timeout=600)
            return Row("long polling", database, count, intake, time.perf_counter() - started)
        finally:
            await stop(process)


async def webhook(
    folder: Path, url: str, database: str, count: int, users: int, processes: int, conns: int
) -> Row:
    async with FakeBotApi() as api, aiohttp.ClientSession() as http:
        ports = [free_port() for _ in range(processes)]
        running = [
            await start(
                api, url, folder, f"webhook{i}", WEBHOOK_URL="https://bench.example.test",
                WEBHOOK_SECRET=SECRET, HTTP_PORT=str(port), WEBHOOK_MAX_CONNECTIONS=str(conns),
            )
            for i, port in enumerate(ports)
        ]  # fmt: skip
        try:
            for port in ports:
                await healthy(http, port)
            path = "/" + api.webhook_url.split("://", 1)[1].split("/", 1)[1]
            updates = [
                api.private_text(f"/w{n}", user_id=60_000 + n % users) for n in range(count)
            ]
            turn = itertools.cycle(ports)
            gate = asyncio.Semaphore(conns)  # Telegram's max_connections in flight at once

            async def post(update: dict[str, object], port: int) -> None:
                async with gate, http.post(
                    f"http://127.0.0.1:{port}{path}", json=update,
                    headers={SECRET_HEADER: SECRET},
                ) as response:  # fmt: skip
                    assert response.status == 200, await response.text()

            started = time.perf_counter()
            await asyncio.gather(*(post(u, next(turn)) for u in updates))
            intake = time.perf_counter() - started
            await api.wait_for("sendMessage", count=count, timeout=600)
            mode = f"webhook, {processes} process{'es' if processes > 1 else ''}"
            return Row(mode, database, count, intake, time.perf_counter() - started)
        finally:
            await stop(*running)


async def healthy(http: aiohttp.ClientSession, port: int) -> None:
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise SystemExit(f"the bot on port {port} did not become healthy")


async def postgres() -> tuple[str, str] | None:
    try:
        socket.create_connection(PG, timeout=0.5).close()
    except OSError:
        return None
    import asyncpg  # noqa: PLC0415 - only when PostgreSQL is there

    name = f"dti_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(host=PG[0], port=PG[1], user="postgres", database="test")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"postgresql+asyncpg://postgres@{PG[0]}:{PG[1]}/{name}", name


async def drop(name: str) -> None:
    import asyncpg  # noqa: PLC0415

    conn = await asyncpg.connect(host=PG[0], port=PG[1], user="postgres", database="test")
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def main(count: int, users: int, conns: int) -> None:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows.append(
            await polling(
                folder, f"sqlite+aiosqlite:///{folder}/p.sqlite3", "SQLite", count, users
            )
        )
        rows.append(
            await webhook(
                folder, f"sqlite+aiosqlite:///{folder}/w.sqlite3", "SQLite", count, users, 1, conns
            )
        )
        pg = await postgres()
        if pg is None:
            print("PostgreSQL is not reachable on 127.0.0.1:5432: two processes on SQLite")
            url, database = f"sqlite+aiosqlite:///{folder}/w2.sqlite3", "SQLite"
        else:
            url, database = pg[0], "PostgreSQL"
        try:
            rows.append(await webhook(folder, url, database, count, users, 2, conns))
        finally:
            if pg is not None:
                await drop(pg[1])
    print(f"{count} updates from {users} users; webhook POSTs {conns} at a time")
    print(f"{'mode':<22} {'database':<10} {'updates':>6} {'intake/s':>10} {'replies/s':>10}")
    for row in rows:
        print(row.line())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--connections", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(main(args.updates, args.users, args.connections))
