"""Fuzz the bot with 10,000 updates: random commands, arguments, free text, files and button
data, from a stranger, a focal point, a leader and an administrator, in private chats and a
group, through the real Application against the local Bot API server and a fresh SQLite
database (tests/fuzzing.py has the generators and the checks the property test uses).

Prints tracebacks, "đã có lỗi" replies, texts over Telegram's limits, unanswered button presses
and rows written by refused updates; all must be 0 (the exit status is 1 otherwise).

Run: .venv/bin/python bench/fuzz.py [UPDATES] [SEED] [sqlite|postgresql]
(PostgreSQL: a scratch database on 127.0.0.1:5432, user postgres, dropped afterwards.)"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from bot.runtime import open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.botapi import FakeBotApi  # noqa: E402
from tests.conftest import DATA, MovableClock  # noqa: E402
from tests.fuzzing import Fuzzer, Step, Tally, fuzzed_bot, scenarios  # noqa: E402

UPDATES = 10_000
SHOWN = 5  # problems of each kind printed in full


def fuzz(fuzzer: Fuzzer, loop: asyncio.AbstractEventLoop, updates: int, start: int) -> None:
    """Generate scenarios with hypothesis (generation only: nothing is shrunk or replayed) and
    play each one on `loop`, which runs in the main thread, until `updates` were played."""

    @seed(start)
    @settings(
        max_examples=updates,  # an upper bound: the run stops once enough updates were played
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(scenario=scenarios)
    def play(scenario: list[Step]) -> None:
        if fuzzer.tally.updates < updates:
            asyncio.run_coroutine_threadsafe(fuzzer.play(scenario), loop).result()

    play()


def report(tally: Tally, seconds: float) -> int:
    kinds = {
        "tracebacks": tally.tracebacks,
        "'đã có lỗi' replies": tally.internal_error_replies,
        "texts over the limits or refused by Telegram": tally.over_limit,
        "button presses never answered": tally.unanswered,
        "refused updates that wrote rows": tally.refused_writes,
    }
    for name, found in kinds.items():
        for problem in found[:SHOWN]:
            print(f"--- {name}\n{problem}\n")
    rate = tally.updates / seconds if seconds else 0.0
    print(f"updates played: {tally.updates} in {seconds:.0f} s ({rate:.0f}/s)")
    print(f"refused (answered with a refusal): {tally.refused}")
    for name, found in kinds.items():
        print(f"{name}: {len(found)}")
    return 1 if tally.problems() else 0


@asynccontextmanager
async def scratch_database(kind: str) -> AsyncIterator[str]:
    """The URL of an empty database of `kind`, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="dti-fuzz-") as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'fuzz.sqlite3'}"
        return
    import asyncpg  # noqa: PLC0415 - only when PostgreSQL is asked for

    name = f"dti_fuzz_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="test")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _main(updates: int, start: int, kind: str) -> int:
    loop = asyncio.get_running_loop()
    async with scratch_database(kind) as url:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=url,
            bot_token=None,
            data_dir=DATA,
            admin_ids="1",
            reminder_tick_seconds=0,
        )
        async with (
            FakeBotApi() as api,
            open_services(settings, MovableClock()) as services,
            fuzzed_bot(api, settings, services) as fuzzer,
        ):
            began = time.perf_counter()
            # Hypothesis drives a synchronous function, in a worker thread; each scenario runs on
            # this loop, which keeps serving the Bot API server meanwhile.
            await asyncio.to_thread(fuzz, fuzzer, loop, updates, start)
            return report(fuzzer.tally, time.perf_counter() - began)


def main() -> int:
    updates = int(sys.argv[1]) if len(sys.argv) > 1 else UPDATES
    start = int(sys.argv[2]) if len(sys.argv) > 2 else random.SystemRandom().randrange(2**32)
    kind = sys.argv[3] if len(sys.argv) > 3 else "sqlite"
    print(f"fuzzing {updates} updates on {kind}, seed {start} (again: {updates} {start} {kind})")
    return asyncio.run(_main(updates, start, kind))


if __name__ == "__main__":
    sys.exit(main())
