"""An answer's latency against the stored history: a bot on the seeded database against a bot
on one with 10,000 values more (each a runtime of its own, both open, measured in turns).

Run: .venv/bin/python bench/history.py  (PostgreSQL too when 127.0.0.1:5432 answers)
Aim (issue 12): at 10,000 stored values within 10 % of the empty database."""

from __future__ import annotations

import asyncio
import io
import logging
import random
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot import collector  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.console import CONSOLE_TOKEN, ConsoleRequest  # noqa: E402
from bot.runtime import Runtime, open_runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from domain.status import ReviewStatus  # noqa: E402
from handlers.score import board_text  # noqa: E402
from parsing.intents import Score  # noqa: E402
from parsing.router import route  # noqa: E402
from scoring.engine import evaluate  # noqa: E402
from scoring.model import Framework  # noqa: E402
from services.scores import ScoreAnswer  # noqa: E402
from storage import repo, values  # noqa: E402
from storage.db import make_engine, make_sessions, reading  # noqa: E402
from storage.models import ReviewRow, SubmissionRow  # noqa: E402

QUESTIONS = ["điểm Hạ tầng số hiện tại", "tổng điểm DTI", "chỉ số 6.4 được bao nhiêu điểm"]
HISTORY = 10_000
PERIODS = [f"{year}-Q{q}" for year in (2024, 2025) for q in (1, 2, 3, 4)]
ROUNDS = 120  # answers measured on each database, in turns
WARM = 5  # the first rounds of each measure, left out
AIM = 1.10
START = datetime(2024, 1, 5, 2, 0, tzinfo=UTC)


def clock() -> datetime:
    return datetime(2025, 11, 30, 2, 0, tzinfo=UTC)


async def fill(url: str, count: int) -> None:
    """`count` values over every sub-index and 8 quarters: corrections, most approved, some
    waiting, some returned, each dated after the one before."""
    rng = random.Random(12)  # noqa: S311 - a repeatable history, not a secret
    engine = make_engine(url)
    try:
        async with make_sessions(engine)() as session, session.begin():
            framework = await repo.load_framework(session, "dti-province-2025")
            assert framework is not None
            ids = await repo.indicator_ids(session, framework.code)
            periods = [await repo.period_id(session, p) for p in PERIODS]
            subs = [s for s in framework.sub_indices if s.max_points]
            rows, fates = [], []
            for n in range(count):
                sub = rng.choice(subs)
                rows.append(
                    {
                        "indicator_id": ids[sub.code],
                        "period_id": periods[min(n * len(periods) // count, len(periods) - 1)],
                        "points": (sub.max_points * Decimal(rng.randint(0, 100)) / 100).quantize(
                            Decimal("0.01")
                        ),
                        "status": ReviewStatus.PENDING,
                        "source": "bench",
                        "created_at": START + timedelta(minutes=n),
                    }
                )
                fates.append(rng.choices(["approved", "rejected", None], [75, 10, 15])[0])
            found = await session.execute(insert(SubmissionRow).returning(SubmissionRow.id), rows)
            reviews = [
                {"submission_id": sid, "decision": fate, "at": clock()}
                for sid, fate in zip(found.scalars(), fates, strict=True)
                if fate is not None
            ]
            await session.execute(insert(ReviewRow), reviews)
    finally:
        await engine.dispose()


async def store_one(runtime: Runtime, n: int) -> None:
    """One value stored and approved: the next answer cannot use what was kept."""
    async with runtime.sessions() as session, session.begin():
        ids = await repo.indicator_ids(session, "dti-province-2025")
        row = await values.add_submission(
            session, indicator_id=ids["8.2"], period_id=await repo.period_id(session, "2025-Q4"),
            value=Decimal(n % 90), unit="%", source="bench", note="", user_id=None,
            agency_id=None, chat_id=None, at=clock(),
        )  # fmt: skip
        await values.add_review(session, row.id, ReviewStatus.APPROVED, "", None, clock())


Samples = list[tuple[float, float]]  # (wall clock, CPU time of this process) in ms
Step = Callable[[int], Awaitable[None]]


async def sample(step: Step, n: int, before: Step | None) -> tuple[float, float]:
    if before is not None:
        await before(n)
    start, cpu = time.perf_counter(), time.process_time()
    await step(n)
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def steps(runtime: Runtime, framework: Framework) -> dict[str, tuple[Step, Step | None, int]]:
    """What is measured on one runtime: name -> (the measured step, a step before it that is
    not timed, rounds)."""
    svc = runtime.services
    t = svc.texts.for_language("vi")

    async def answer(_n: int) -> None:  # as the bot does: route the question, answer the intent
        for q in QUESTIONS:
            intent = route(q, await svc.scores.lexicon(), svc.calendar.today())
            assert isinstance(intent, Score), q
            result = await svc.scores.answer(intent)
            assert isinstance(result, ScoreAnswer)
            board_text(t, result)  # rendered once per values revision, as handlers/score.py does

    async def whole_history(_n: int) -> None:  # the read before this change: every value, ORM
        async with reading(runtime.sessions) as session:
            every = await values.measurements(session, framework.code, include_pending=True)
        evaluate(framework, every)

    async def stored(n: int) -> None:
        await store_one(runtime, n)

    return {
        "answer (3 questions)": (answer, None, ROUNDS),
        "answer after a value is stored": (answer, stored, ROUNDS),
        # a second and more at +10,000: a few rounds tell
        "old read: every value through the ORM": (whole_history, None, 10),
    }


@asynccontextmanager
async def started(url: str) -> AsyncIterator[dict[str, tuple[Step, Step | None, int]]]:
    """A runtime opened on `url` as a bot started on that database: the collector paused while
    it is built and its objects frozen after (bot/collector.py); what is measured on it."""
    settings = bench_settings(url)
    collector.pause()
    async with open_runtime(settings, clock) as runtime:
        request = ConsoleRequest(io.StringIO(), lambda: 0)
        app = build_application(
            settings, runtime.services, token=CONSOLE_TOKEN, request=request, rate_limited=False
        )
        async with app:
            collector.resume()
            framework, _ = await runtime.services.scores.reference()
            yield steps(runtime, framework)


async def run(seeded: str, long: str) -> dict[str, tuple[Samples, Samples]]:
    """The seeded database against one with HISTORY values more, each with a runtime of its own,
    both open at once and measured in turns, one sample each (the first of a round alternates):
    a drift of the machine's speed, or of the database server's, falls on both alike. The
    first WARM rounds of each measure warm caches and connections and are left out."""
    for url in (seeded, long):
        await migrated(url)
    await fill(long, HISTORY)
    figures: dict[str, tuple[Samples, Samples]] = {}
    async with started(seeded) as first, started(long) as second:
        both = (first, second)
        for name in first:
            found: tuple[Samples, Samples] = ([], [])
            rounds = first[name][2]
            for n in range(rounds):
                for i in (0, 1) if n % 2 == 0 else (1, 0):
                    step, before, _ = both[i][name]
                    taken = await sample(step, n, before)
                    if n >= min(WARM, rounds // 2):
                        found[i].append(taken)
            figures[name] = found
    return figures


def bench_settings(url: str) -> Settings:
    """The bot's settings on `url`, offline, with no reminder run during the measures."""
    return Settings(_env_file=None, database_url=url, bot_token=None, reminder_tick_seconds=0)  # type: ignore[call-arg]


async def migrated(url: str) -> None:
    settings = bench_settings(url)
    async with open_runtime(settings, clock):
        pass


def report(backend: str, figures: dict[str, tuple[Samples, Samples]]) -> None:
    """Wall clock, the aim's measure, and the CPU time of the process, the steadier one when
    other processes share the machine (PostgreSQL's own CPU is not in it)."""
    print(f"\n{backend}: median ms, seeded database -> +{HISTORY:,} values (ratio, aim {AIM})")
    for name, (empty, full) in figures.items():
        for i, kind in enumerate(("wall", "CPU")):
            a = statistics.median(s[i] for s in empty)
            b = statistics.median(s[i] for s in full)
            print(f"  {name:<40} {kind:>4} {a:8.3f} -> {b:8.3f}   ratio {b / a:5.2f}")


async def postgres() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            pass
    except OSError:
        return None
    import asyncpg  # noqa: PLC0415 - only when PostgreSQL answers

    name = f"dti_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(host="127.0.0.1", user="postgres", database="test")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return name


async def drop(name: str) -> None:
    import asyncpg  # noqa: PLC0415 - only when PostgreSQL answers

    conn = await asyncpg.connect(host="127.0.0.1", user="postgres", database="test")
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        report("SQLite", await run(f"sqlite+aiosqlite:///{tmp}/s.sqlite3",
                                   f"sqlite+aiosqlite:///{tmp}/l.sqlite3"))  # fmt: skip
    names = [await postgres() for _ in range(2)]
    if None in names:
        print("\nPostgreSQL: not reachable on 127.0.0.1:5432, skipped")
        return
    try:
        report(
            "PostgreSQL",
            await run(*(f"postgresql+asyncpg://postgres@127.0.0.1/{n}" for n in names)),
        )
    finally:
        for name in names:
            await drop(name)  # type: ignore[arg-type]


if __name__ == "__main__":
    asyncio.run(main())
