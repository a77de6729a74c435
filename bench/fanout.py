"""Reminder fan-out: one reminder run to N focal points through a local Bot API server that
enforces Telegram's 30 messages per second; rate, 429s, duplicates and missing recipients.

Run: .venv/bin/python bench/fanout.py [--recipients N] [--no-baseline]"""

from __future__ import annotations

import os

# PTB 22 warns on every RetryAfter unless this opts in to timedelta values (as bot/__main__.py
# does); set before telegram is imported.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import argparse  # noqa: E402
import asyncio  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.runtime import open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.reminder_job import Report, send_due  # noqa: E402
from services.container import Services  # noqa: E402
from storage import deliveries  # noqa: E402
from storage.db import make_engine, make_sessions  # noqa: E402
from storage.models import AgencyRow, UserAgencyRow, UserRow  # noqa: E402
from tests.botapi import TOKEN, FakeBotApi  # noqa: E402

LIMIT = 30  # messages per second, Telegram's broadcast limit
PENALTY = 1.1  # seconds AIORateLimiter holds every request after a 429 (retry_after 1 + 0.1)
FIRST_ID = 100_000
ADMIN = 1
# 08:00:30 local on 18/12/2025: the run 7 days before the 2025-Q4 deadline is due.
NOW = datetime(2025, 12, 18, 1, 0, 30, tzinfo=UTC)
EXPECTED_RUN = "quarterly:2025-Q4@+7"


def clock() -> datetime:
    return NOW


@dataclass
class Outcome:
    recipients: int
    agencies: int  # the recipients are spread over these
    report: Report
    elapsed: float
    sends: Counter[int]  # chat id -> successful sendMessage calls
    throttled: int  # 429s the server answered
    attempts: int  # sendMessage requests that reached the server
    statuses: dict[str, int]  # the deliveries table after the run
    split: dict[str, float]  # seconds inside ReminderService.claim and .finish

    @property
    def rate(self) -> float:
        return self.report.sent / self.elapsed if self.elapsed else 0.0

    def duplicates(self) -> int:
        return sum(1 for n in self.sends.values() if n > 1)

    def missing(self) -> int:
        expected = range(FIRST_ID, FIRST_ID + self.recipients)
        return sum(1 for chat_id in expected if not self.sends[chat_id])


async def register(url: str, services: Services, count: int) -> list[str]:
    """`count` focal points spread round-robin over the agencies that hold sub-indices, inserted
    in one transaction (5,000 redeem() calls would time the set-up, not the fan-out)."""
    framework, directory = await services.scores.reference()
    holders = sorted(
        {
            agency
            for sub in framework.sub_indices
            for code in (*sub.lead, *sub.coordinate)
            for agency in directory.expand(code)
        }
    )
    engine = make_engine(url)
    try:
        async with make_sessions(engine)() as session, session.begin():
            rows = await session.execute(select(AgencyRow.code, AgencyRow.id))
            ids = {code: agency_id for code, agency_id in rows}
            users = [
                UserRow(
                    telegram_id=FIRST_ID + n,
                    full_name=f"Đầu mối {n}",
                    role="member",
                    language="vi",
                    created_at=NOW,
                )
                for n in range(count)
            ]
            session.add_all(users)
            await session.flush()  # user ids for the links
            session.add_all(
                UserAgencyRow(user_id=u.id, agency_id=ids[holders[n % len(holders)]])
                for n, u in enumerate(users)
            )
    finally:
        await engine.dispose()
    return holders


def timed(target: Any, name: str, split: dict[str, float]) -> None:
    """Wrap one async method of one object so the wall-clock time spent in it adds up in
    `split[name]`. cProfile cannot give this: the queries run in aiosqlite's thread and an
    awaiting coroutine is charged nothing."""
    call: Callable[..., Awaitable[Any]] = getattr(target, name)

    async def measured(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await call(*args, **kwargs)
        finally:
            split[name] += time.perf_counter() - start

    setattr(target, name, measured)


async def fan_out(count: int, *, limited: bool) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/fanout.sqlite3"
        async with FakeBotApi() as api:
            # Without the server's limit the PTB limiter goes too: what is left is the cost of
            # the pipeline itself (query, claim, send, finish per message).
            api.rate_limit_per_second = LIMIT if limited else None
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                database_url=url,
                admin_ids=frozenset({ADMIN}),
                reminder_tick_seconds=0,
                bot_api_base_url=api.base_url,
                bot_api_file_url=api.base_file_url,
            )
            async with open_services(settings, clock) as services:
                holders = await register(url, services, count)
                due = [r.key for r in await services.deadlines.due()]
                assert due == [EXPECTED_RUN], due
                app = build_application(settings, services, token=TOKEN, rate_limited=limited)
                async with app:
                    api.clear()  # getMe of initialize() is not part of the run
                    split = {"claim": 0.0, "finish": 0.0}
                    for name in split:
                        timed(services.deliveries, name, split)
                    start = time.perf_counter()
                    report = await send_due(app.bot, services)
                    elapsed = time.perf_counter() - start
                engine = make_engine(url)
                try:
                    async with make_sessions(engine)() as session:
                        last = await deliveries.last_run(session)
                finally:
                    await engine.dispose()
            sends = Counter(int(p["chat_id"]) for p in api.sent("sendMessage"))
            sends.pop(ADMIN, None)  # a failure report to the administrator is not a reminder
            attempts = sum(1 for c in api.calls if c.method == "sendMessage")
            return Outcome(
                count,
                len(holders),
                report,
                elapsed,
                sends,
                api.throttled,
                attempts,
                last[1] if last else {},
                split,
            )


def show(title: str, o: Outcome, aim: bool) -> None:
    print(f"\n{title}")
    print(f"  recipients            {o.recipients} over {o.agencies} agencies")
    print(f"  sent, blocked, failed {o.report.sent}, {o.report.blocked}, {len(o.report.failed)}")
    print(f"  deliveries table      {dict(sorted(o.statuses.items()))}")
    print(f"  elapsed               {o.elapsed:.1f} s")
    print(f"  rate                  {o.rate:.1f} msgs/s", end="")
    print(f"  = {o.rate / LIMIT:.3f} of {LIMIT}/s (aim >= 0.9)" if aim else "")
    print(f"  per message           {1000 * o.elapsed / max(o.report.sent, 1):.1f} ms")
    print(f"  requests / 429s       {o.attempts} / {o.throttled}")
    print(f"  duplicates            {o.duplicates()} (must be 0)")
    print(f"  missing               {o.missing()} (must be 0)")
    claim, finish = o.split["claim"], o.split["finish"]
    per = 1000 / max(o.report.sent, 1)
    print(f"  in claim()            {claim:.1f} s = {claim * per:.1f} ms a message")
    print(f"  in finish()           {finish:.1f} s = {finish * per:.1f} ms a message")
    sending = o.elapsed - claim - finish
    print(f"  sending, limiter too  {sending:.1f} s = {sending * per:.1f} ms a message")
    if o.throttled:
        held = o.throttled * PENALTY
        print(f"  held after 429s       {held:.1f} s (429s x {PENALTY} s) of the time sending")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--no-baseline", action="store_true", help="skip the unlimited run")
    args = parser.parse_args()
    # ERROR: the seed's known warning about 6.8 is noise here; a limiter that gives up still logs
    logging.basicConfig(level=logging.ERROR)
    limited = await fan_out(args.recipients, limited=True)
    show(f"through the server's {LIMIT}/s limit, PTB's AIORateLimiter", limited, aim=True)
    if not args.no_baseline:
        free = await fan_out(args.recipients, limited=False)
        show("no limit anywhere (the pipeline's own cost)", free, aim=False)


if __name__ == "__main__":
    asyncio.run(main())
