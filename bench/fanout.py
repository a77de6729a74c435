"""Reminder fan-out while people ask questions: one reminder run to N focal points through a local
Bot API server that enforces Telegram's 30 messages in any sliding second, with questions
arriving all along; reply latency against idle, the fan-out's share of what replies leave, the
peak send rate, 429s, duplicates and missing recipients.

Run: .venv/bin/python bench/fanout.py [--recipients N] [--rate Q] [--baseline]"""

from __future__ import annotations

import os

# PTB 22 warns on every RetryAfter unless this opts in to timedelta values (as bot/__main__.py
# does); set before telegram is imported.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import argparse  # noqa: E402
import asyncio  # noqa: E402
import logging  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.outbound import Counters, Outbound  # noqa: E402
from bot.runtime import open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.reminder_job import Report, send_due  # noqa: E402
from services.container import Services  # noqa: E402
from storage.db import make_engine, make_sessions  # noqa: E402
from storage.models import AgencyRow, UserAgencyRow, UserRow  # noqa: E402
from tests.botapi import TOKEN, Call, FakeBotApi  # noqa: E402

LIMIT = 30  # messages per second, Telegram's broadcast limit
FIRST_ID = 100_000  # focal points 100000 …
ASKERS = range(900_001, 900_051)  # 50 people asking questions
QUESTION = "điểm Hạ tầng số hiện tại"
ADMIN = 1
# 08:00:30 local on 18/12/2025: the run 7 days before the 2025-Q4 deadline is due.
NOW = datetime(2025, 12, 18, 1, 0, 30, tzinfo=UTC)
EXPECTED_RUN = "quarterly:2025-Q4@+7"


def clock() -> datetime:
    return NOW


@dataclass
class Phase:
    """Questions asked at a steady rate, and what became of them."""

    asked: list[tuple[int, float]] = field(default_factory=list)  # (chat, loop time)
    latencies: list[float] = field(default_factory=list)  # seconds to the reply's arrival

    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    def p95(self) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=20)[-1]


@dataclass
class Outcome:
    recipients: int
    agencies: int
    report: Report
    idle: Phase
    busy: Phase
    bulk: list[Call]  # successful reminder sends, in order
    replies_during: int  # replies the server took while the fan-out ran
    sends: Counter[int]  # chat id -> successful sendMessage calls
    throttled: int  # 429s the server answered
    peak: int  # most sends in any sliding second
    counters: dict[str, Counters]

    @property
    def span(self) -> float:
        return self.bulk[-1].at - self.bulk[0].at if len(self.bulk) > 1 else 0.0

    @property
    def rate(self) -> float:
        return (len(self.bulk) - 1) / self.span if self.span else 0.0

    @property
    def reply_rate(self) -> float:
        return self.replies_during / self.span if self.span else 0.0

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


async def ask(api: FakeBotApi, phase: Phase, rate: float, until: asyncio.Event) -> None:
    """One question every 1/rate s, round-robin over the askers, until `until` is set."""
    loop, n = asyncio.get_running_loop(), 0
    start = loop.time()
    while not until.is_set():
        chat = ASKERS[n % len(ASKERS)]
        phase.asked.append((chat, loop.time()))
        api.private_text(QUESTION, user_id=chat)
        n += 1
        await asyncio.sleep(max(0.0, start + n / rate - loop.time()))


def measure(api: FakeBotApi, phases: list[Phase]) -> None:
    """Each chat's k-th reply answers its k-th question (the outbound path keeps chat order)."""
    replies: dict[int, list[float]] = {}
    for call in api.calls:
        if call.method == "sendMessage" and call.ok:
            chat = int(call.params["chat_id"])
            if chat in ASKERS:
                replies.setdefault(chat, []).append(call.at)
    seen: Counter[int] = Counter()
    for phase in phases:
        for chat, at in phase.asked:
            answered = replies.get(chat, [])
            if seen[chat] < len(answered):
                phase.latencies.append(answered[seen[chat]] - at)
            seen[chat] += 1


async def fan_out(count: int, rate: float, idle_seconds: float, *, limited: bool) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/fanout.sqlite3"
        async with FakeBotApi() as api:
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
                outbound = Outbound()
                app = build_application(
                    settings, services, token=TOKEN, rate_limited=limited, outbound=outbound
                )
                idle, busy = Phase(), Phase()
                async with app:
                    await app.start()
                    assert app.updater is not None
                    await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
                    if rate:  # each asker's first contact registers them: not measured
                        done = asyncio.Event()
                        asking = asyncio.create_task(ask(api, Phase(), rate * 5, done))
                        await asyncio.sleep(len(ASKERS) / (rate * 5))
                        done.set()
                        await asking
                        await asyncio.sleep(1.0)
                    api.clear()  # start-up calls are not part of the run
                    if rate and idle_seconds:
                        done = asyncio.Event()
                        asking = asyncio.create_task(ask(api, idle, rate, done))
                        await asyncio.sleep(idle_seconds)
                        done.set()
                        await asking
                        await asyncio.sleep(1.0)  # the last answers
                    done = asyncio.Event()
                    questions = ask(api, busy, rate, done) if rate else done.wait()
                    asking = asyncio.create_task(questions)
                    report = await send_due(app.bot, services)
                    done.set()
                    await asking
                    await asyncio.sleep(1.0)
                    await app.updater.stop()
                    await app.stop()
            measure(api, [idle, busy])
            bulk = [
                c
                for c in api.calls
                if c.method == "sendMessage"
                and c.ok
                and FIRST_ID <= int(c.params["chat_id"]) < FIRST_ID + count
            ]
            first, last = (bulk[0].at, bulk[-1].at) if bulk else (0.0, 0.0)
            during = sum(
                1
                for c in api.calls
                if c.method == "sendMessage"
                and c.ok
                and int(c.params["chat_id"]) in ASKERS
                and first <= c.at <= last
            )
            return Outcome(
                recipients=count,
                agencies=len(holders),
                report=report,
                idle=idle,
                busy=busy,
                bulk=bulk,
                replies_during=during,
                sends=Counter(int(c.params["chat_id"]) for c in bulk),
                throttled=api.throttled,
                peak=api.peak_sends(1.0),
                counters=outbound.counters,
            )


def show(title: str, o: Outcome, rate: float) -> None:
    ms = 1000
    print(f"\n{title}")
    print(f"  recipients               {o.recipients} over {o.agencies} agencies")
    r = o.report
    print(f"  sent/blocked/unknown/failed {r.sent}, {r.blocked}, {r.unknown}, {len(r.failed)}")
    print(f"  fan-out                  {len(o.bulk)} in {o.span:.1f} s = {o.rate:.2f} msgs/s")
    if rate:
        left = LIMIT - o.reply_rate
        print(f"  replies meanwhile        {o.replies_during} = {o.reply_rate:.2f} msgs/s")
        print(
            f"  fan-out / what is left   {o.rate:.2f} / {left:.2f} = {o.rate / left:.3f}"
            "  (aim >= 0.9)"
        )
        idle, busy = o.idle, o.busy
        print(
            f"  reply latency, idle      median {idle.median() * ms:.1f} ms,"
            f" p95 {idle.p95() * ms:.1f} ms  ({len(idle.latencies)}/{len(idle.asked)} answered)"
        )
        print(
            f"  reply latency, fan-out   median {busy.median() * ms:.1f} ms,"
            f" p95 {busy.p95() * ms:.1f} ms  ({len(busy.latencies)}/{len(busy.asked)} answered)"
        )
        print(
            f"  busy / idle              median {busy.median() / idle.median():.2f},"
            f" p95 {busy.p95() / idle.p95():.2f}  (aim <= 1.5)"
        )
    else:
        print(f"  fan-out / {LIMIT}/s          {o.rate / LIMIT:.3f}  (aim >= 0.9)")
    print(f"  peak sends in a second   {o.peak}  (must be <= {LIMIT})")
    print(f"  429s                     {o.throttled}  (must be 0)")
    print(f"  duplicates               {o.duplicates()}  (must be 0)")
    print(f"  missing                  {o.missing()}  (must be 0)")
    for kind, c in o.counters.items():
        print(
            f"  outbound {kind:<6}          sent {c.sent}, queued {c.queued}, retried {c.retried},"
            f" 429 {c.waited_429}, failed {c.failed}, unknown {c.unknown}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=10.0, help="questions a second (0: none)")
    parser.add_argument("--idle", type=float, default=15.0, help="seconds of questions alone")
    parser.add_argument(
        "--baseline", action="store_true", help="also the fan-out with no limit anywhere"
    )
    args = parser.parse_args()
    # ERROR: the seed's known warning about 6.8 is noise here; a failed send still logs
    logging.basicConfig(level=logging.ERROR)
    started = time.perf_counter()
    limited = await fan_out(args.recipients, args.rate, args.idle, limited=True)
    show(
        f"{args.recipients} reminders through the server's {LIMIT}/s limit,"
        f" {args.rate:g} questions/s from {len(ASKERS)} people",
        limited,
        args.rate,
    )
    if args.baseline:
        free = await fan_out(args.recipients, 0.0, 0.0, limited=False)
        show("no limit anywhere, no questions (the pipeline's own cost)", free, 0.0)
    print(f"\n(bench took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    asyncio.run(main())
