"""Time to route and preview a quick update, and to store a confirmed one, on SQLite and (when
reachable) PostgreSQL.

Run: .venv/bin/python bench/updates.py"""

from __future__ import annotations

import asyncio
import logging
import socket
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.runtime import open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from parsing.intents import Update  # noqa: E402
from parsing.router import route  # noqa: E402
from services.identity import Caller  # noqa: E402
from services.updates import Preview  # noqa: E402

ROUNDS = 200
PG = ("127.0.0.1", 5432)


def clock() -> datetime:
    return datetime(2025, 11, 30, 2, 0, tzinfo=UTC)


async def measure(url: str) -> tuple[list[float], list[float], list[float]]:
    settings = Settings(_env_file=None, database_url=url, admin_ids="1")  # type: ignore[call-arg]
    async with open_services(settings, clock) as svc:
        admin = await svc.identity.person(Caller(1, "Quản trị"))
        parse_ms, preview_ms, store_ms = [], [], []
        lexicon = await svc.scores.lexicon()
        for n in range(ROUNDS):
            text = f"/capnhat 8.2 {10 + n % 40},5% quý 4 theo số liệu Sở KH&CN"
            start = time.perf_counter()
            request = route(text, lexicon, svc.calendar.today())
            parse_ms.append((time.perf_counter() - start) * 1000)
            assert isinstance(request, Update)
            start = time.perf_counter()
            preview = await svc.updates.preview(admin, request, None)
            preview_ms.append((time.perf_counter() - start) * 1000)
            assert isinstance(preview, Preview)
            start = time.perf_counter()
            await svc.updates.confirm(admin, preview.draft_id)
            store_ms.append((time.perf_counter() - start) * 1000)
    return parse_ms, preview_ms, store_ms


def line(name: str, timings: list[float], base: float | None = None) -> str:
    median = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[18]
    ratio = f"  ×{median / base:5.2f} of SQLite" if base else ""
    return f"{name:<36} median {median:8.3f} ms  p95 {p95:8.3f} ms{ratio}"


async def postgres_url() -> tuple[str, str] | None:
    try:
        socket.create_connection(PG, timeout=0.5).close()
    except OSError:
        return None
    import asyncpg  # noqa: PLC0415

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


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        parse_ms, preview_ms, store_ms = await measure(f"sqlite+aiosqlite:///{tmp}/bench.sqlite3")
    print(f"{ROUNDS} updates of sub-index 8.2, each parsed, previewed and confirmed")
    print(line("parse the update text", parse_ms))
    print(line("preview (validate, score, draft) SQLite", preview_ms))
    print(line("store confirmed update, SQLite", store_ms))
    pg = await postgres_url()
    if pg is None:
        print("PostgreSQL not reachable on 127.0.0.1:5432: skipped")
        return
    try:
        _, pg_preview, pg_store = await measure(pg[0])
    finally:
        await drop(pg[1])
    print(line("preview, PostgreSQL", pg_preview, statistics.median(preview_ms)))
    print(line("store confirmed update, PostgreSQL", pg_store, statistics.median(store_ms)))


if __name__ == "__main__":
    asyncio.run(main())
