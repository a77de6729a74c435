"""End to end, as users meet the bot: the real bot process (`python -m bot`) next to the smallest
python-telegram-bot bot (bench/echo_bot.py), in the same run, against one local Bot API server
(tests/botapi.py) answering at once and 60 ms late.

For each bot: ready after start (process start to its first getUpdates; with --starts N the
median of N starts, the bots started in turn) and the CPU it took, resident memory then;
questions ("điểm Hạ tầng số hiện tại") at 10 a second from 50 people (latency from the update
being offered to the sendMessage arriving, median and p95); 400 at once from 40 people
(CPU time of the process per reply, the most sends in any one second). The bots run side by
side and take their turns in each of --rounds rounds (steady questions, then the burst), so
that a drift of the machine's speed falls on all alike; CPU per reply is the median of the
rounds' bursts. The bot on SQLite, and on PostgreSQL when one answers on 127.0.0.1:5432.
Then, unless --fanout 0, a 5,000-recipient /thongbao with questions arriving all along
(bench/fanout.py's measures, on the real process).

Run: .venv/bin/python bench/e2e.py [--rate-questions N] [--burst N] [--rounds N] [--fanout N]
[--starts N] [--tiny]"""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "true")  # before telegram is imported (bench/fanout.py)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import compileall  # noqa: E402
import contextlib  # noqa: E402
import itertools  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import AsyncIterator  # noqa: E402
from contextlib import asynccontextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from aiohttp import web  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from fanout import ASKERS, FIRST_ID, QUESTION, Phase, measure, register  # noqa: E402

from bot.pacing import Limits  # noqa: E402
from bot.runtime import open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.botapi import TOKEN, FakeBotApi  # noqa: E402

LIMIT = 30  # messages a second, replies and bulk together
ADMIN = 1  # the administrator who sends the announcement
PG = ("127.0.0.1", 5432, "test")  # host, port, a database to connect to (as the tests do)
TICK = os.sysconf("SC_CLK_TCK")
REST = Limits().private_burst * Limits().private_interval  # s until a chat's pace is at rest


class Server(FakeBotApi):
    """The local Bot API server; every answer leaves `delay` seconds after the call arrived
    and was carried out, as over a network round trip. Counts replies per chat as they come."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.per_chat: Counter[int] = Counter()

    async def _dispatch(self, request: web.Request) -> web.Response:
        response = await super()._dispatch(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        return response

    async def _send_message(self, p: dict[str, Any]) -> dict[str, Any]:
        message = await super()._send_message(p)
        self.per_chat[int(message["chat"]["id"])] += 1
        return message

    def replies(self, chats: range | list[int]) -> int:
        return sum(self.per_chat[c] for c in chats)

    async def until(self, chats: range | list[int], count: int, timeout: float) -> bool:  # noqa: ASYNC109
        """Whether `chats` had `count` replies in all within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self.replies(chats) < count:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True


@dataclass
class Figures:
    ready: float = float("nan")  # seconds from process start to the first getUpdates
    ready_cpu: float = float("nan")  # CPU seconds of the process then
    rss: float = float("nan")  # MB resident after start
    rss_end: float = float("nan")  # MB resident after the load
    median: float = float("nan")  # seconds, at the realistic rate
    p95: float = float("nan")
    cpu: float = float("nan")  # CPU seconds of the process per reply, median of the bursts
    cpus: list[float] = field(default_factory=list)  # …of each burst
    peak: int = 0  # most sends in any one second over the whole run
    burst_seconds: float = float("nan")  # first question of the burst to its last reply
    answered: str = ""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@asynccontextmanager
async def process(
    kind: str, server: Server, database_url: str, extra: dict[str, str], profile: str = ""
) -> AsyncIterator[tuple[asyncio.subprocess.Process, float]]:
    """The bot (`python -m bot`) or the echo bot, running; yields it and its ready time.
    `profile`: a file for bench/profiled.py's statistics (the runner profiles what it is
    signalled to)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_URL"))}
    env |= {
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": server.base_url,
        "BOT_API_FILE_URL": server.base_file_url,
        "DATABASE_URL": database_url,
        "REMINDER_TICK_SECONDS": "0",  # no reminder run in the middle of the measures
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    args = ["-m", "bot"] if kind == "bot" else [str(HERE / "echo_bot.py")]
    if profile:
        args = [str(HERE / "profiled.py"), profile, "bot" if kind == "bot" else args[0]]
    loop = asyncio.get_running_loop()
    started = loop.time()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        first = await server.wait_for_calls("getUpdates", timeout=120)
        yield proc, first[0].at - started
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        try:
            _, err = await asyncio.wait_for(proc.communicate(), 30)
        except TimeoutError:
            proc.kill()
            _, err = await proc.communicate()
        if err and err.strip():
            print(f"  ({kind} said: {err.decode(errors='replace').strip()[-600:]})")


async def py_spy(pid: int, out: str) -> asyncio.subprocess.Process:
    """py-spy sampling every thread of `pid` (the loop and the database driver's) until it is
    sent SIGINT; its folded stacks go to `out` (`pip install py-spy`)."""
    spy = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid), "--format",
        "raw", "--rate", "250", "--nonblocking", "--threads", "-o", out,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(0.5)  # attached
    return spy


async def ask_all(server: Server, phase: Phase, users: range, count: int) -> None:
    """`count` questions at once, round-robin over `users`."""
    loop = asyncio.get_running_loop()
    for n in range(count):
        chat = users[n % len(users)]
        phase.asked.append((chat, loop.time()))
        server.private_text(QUESTION, user_id=chat)


async def ask_at(server: Server, phase: Phase, users: range, count: int, rate: float) -> None:
    """`count` questions, one every 1/rate s, round-robin over `users`."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for n in range(count):
        await asyncio.sleep(max(0.0, start + n / rate - loop.time()))
        chat = users[n % len(users)]
        phase.asked.append((chat, loop.time()))
        server.private_text(QUESTION, user_id=chat)


@dataclass
class Run:
    """One bot, started, through the rounds of questions."""

    kind: str
    server: Server
    proc: asyncio.subprocess.Process
    profile: str
    fig: Figures = field(default_factory=Figures)
    phases: list[Phase] = field(default_factory=list)  # in the order they were asked
    steady: list[Phase] = field(default_factory=list)
    bursts: list[float] = field(default_factory=list)  # seconds of each burst
    done: bool = True  # every burst answered in the time allowed


async def start_bot(
    held: contextlib.AsyncExitStack, name: str, url: str, delay: float, a: argparse.Namespace
) -> Run:
    """One bot started and warmed up: each person's first message registers them (not
    measured)."""
    kind = name.split()[0]
    label = f"{name.replace(' ', '-')}.{delay * 1000:g}ms"  # of profile files
    profile = f"{a.profile}.{label}" if a.profile else ""
    server = await held.enter_async_context(Server(delay))
    proc, ready = await held.enter_async_context(process(kind, server, url, {}, profile))
    run = Run(kind, server, proc, profile)
    run.fig.ready, run.fig.ready_cpu = ready, cpu_seconds(proc.pid)
    await asyncio.sleep(0.5)
    run.fig.rss = rss_mb(proc.pid)
    users = ASKERS[: a.users]
    warm = Phase()
    run.phases.append(warm)
    await ask_at(server, warm, users, len(users), 25.0)
    await server.until(users, len(users), 60)
    return run


async def steady(run: Run, count: int, a: argparse.Namespace) -> None:
    """`count` questions at the realistic rate."""
    users, phase = ASKERS[: a.users], Phase()
    run.phases.append(phase)
    run.steady.append(phase)
    before = run.server.replies(users)
    await ask_at(run.server, phase, users, count, a.rate)
    await run.server.until(users, before + count, 60)


async def burst(run: Run, spy: str, a: argparse.Namespace) -> None:
    """`a.burst` questions at once: the CPU of the process per reply until the last answer."""
    server, proc = run.server, run.proc
    users, phase = ASKERS[: a.users], Phase()
    run.phases.append(phase)
    before, cpu = server.replies(users), cpu_seconds(proc.pid)
    loop = asyncio.get_running_loop()
    started = loop.time()
    if run.profile:
        proc.send_signal(signal.SIGUSR1)
    spying = await py_spy(proc.pid, spy) if spy else None
    await ask_all(server, phase, ASKERS[: a.burst_users], a.burst)
    run.done &= await server.until(users, before + a.burst, 30 + a.burst / 10)
    if run.profile:
        proc.send_signal(signal.SIGUSR2)
    if spying is not None:
        spying.send_signal(signal.SIGINT)
        await spying.wait()
    run.bursts.append(loop.time() - started)
    run.fig.cpus.append((cpu_seconds(proc.pid) - cpu) / max(1, server.replies(users) - before))


def figures(run: Run, a: argparse.Namespace) -> Figures:
    """What the rounds showed: latencies of every steady question, the median burst."""
    fig, server = run.fig, run.server
    fig.cpu, fig.burst_seconds = statistics.median(fig.cpus), statistics.median(run.bursts)
    fig.rss_end = rss_mb(run.proc.pid)
    fig.peak = server.peak_sends(1.0)
    measure(server, run.phases)
    latencies = Phase(latencies=[x for phase in run.steady for x in phase.latencies])
    fig.median, fig.p95 = latencies.median(), latencies.p95()
    users = ASKERS[: a.users]
    all_asked = [chat for phase in run.phases for chat, _ in phase.asked]
    fig.answered = f"{server.replies(users)}/{len(all_asked)}"
    fig.answered += "" if run.done else " (timed out)"
    questions = Counter(all_asked)
    more = {c: server.per_chat[c] - questions[c] for c in users}
    if doubled := {c: n for c, n in more.items() if n > 0}:
        fig.answered += f" (more replies than questions: {doubled})"
    return fig


async def run_bots(
    bots: dict[str, str], delay: float, a: argparse.Namespace
) -> dict[str, Figures]:
    """Every bot started (one after the other), then in each round the steady questions and
    the burst, each bot in turn: a drift in the machine's speed (other work, caches) falls on
    every bot alike, and the figures are medians over the rounds."""
    async with contextlib.AsyncExitStack() as held:
        runs = {name: await start_bot(held, name, url, delay, a) for name, url in bots.items()}
        share = max(1, a.rate_questions // a.rounds)
        for round_ in range(a.rounds):
            if round_:
                # Each person's chat back at rest (a burst of three, then one a second:
                # bot.pacing), as for the first round's steady questions.
                await asyncio.sleep(REST)
            for run in runs.values():
                await steady(run, share, a)
            for name, run in runs.items():
                label = f"{name.replace(' ', '-')}.{delay * 1000:g}ms"
                spy = f"{a.spy}.{label}" if a.spy and round_ == 0 else ""
                await burst(run, spy, a)
        return {name: figures(run, a) for name, run in runs.items()}


async def more_starts(
    bots: dict[str, str], delay: float, count: int
) -> dict[str, list[tuple[float, float]]]:
    """`count` starts of each bot (name -> database URL), one of each in turn so that load from
    elsewhere falls on all alike: (ready, CPU then) of each start, stopped once ready."""
    seen: dict[str, list[tuple[float, float]]] = {name: [] for name in bots}
    for _ in range(count):
        for name, url in bots.items():
            kind = name.split()[0]
            async with Server(delay) as server, process(kind, server, url, {}) as started:
                proc, ready = started
                seen[name].append((ready, cpu_seconds(proc.pid)))
    return seen


@dataclass
class Fanout:
    idle: Phase
    busy: Phase
    bulk: int
    span: float
    replies_during: int
    peak: int
    throttled: int
    duplicates: int
    missing: int
    finished: bool  # every recipient had it before the time allowed ran out


async def run_fanout(url: str, recipients: int, a: argparse.Namespace) -> Fanout:
    """A /thongbao to `recipients` focal points while questions keep arriving, the server
    enforcing Telegram's 30 messages in any sliding second."""
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    async with open_services(settings) as services:
        await register(url, services, recipients)
    users = ASKERS[: a.users]
    idle, busy, warm = Phase(), Phase(), Phase()
    async with Server(0.0) as server, process("bot", server, url, {"ADMIN_IDS": str(ADMIN)}):
        server.rate_limit_per_second = LIMIT
        await ask_at(server, warm, users, len(users), 25.0)
        await server.until(users, len(users), 60)
        await ask_at(server, idle, users, int(a.rate * a.fanout_idle), a.rate)
        await server.until(users, len(users) + len(idle.asked), 60)
        server.private_text("/thongbao daumoi Thông báo thử: hạn báo cáo quý 4", user_id=ADMIN)
        await server.wait_for("sendMessage", chat_id=ADMIN, timeout=30)
        message = server.sent_messages(ADMIN)[-1]  # the preview, with Send and Cancel
        ok = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        server.callback_query(ok, message=message, user_id=ADMIN)
        targets = range(FIRST_ID, FIRST_ID + recipients)
        # Questions until the announcement is out.
        asking = asyncio.create_task(ask_at(server, busy, users, 10**9, a.rate))
        # A tenth of the budget is plenty: at the full budget the run takes recipients / 30 s.
        finished = await server.until(targets, recipients, 60 + recipients / 3)
        asking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asking
        await server.until(users, len(users) + len(idle.asked) + len(busy.asked), 30)
        measure(server, [warm, idle, busy])
        bulk = [
            c for c in server.calls
            if c.method == "sendMessage" and c.ok and int(c.params["chat_id"]) in targets
        ]  # fmt: skip
        first, last = (bulk[0].at, bulk[-1].at) if bulk else (0.0, 0.0)
        sends = Counter(int(c.params["chat_id"]) for c in bulk)
        during = sum(
            1 for c in server.calls
            if c.method == "sendMessage" and c.ok and int(c.params["chat_id"]) in users
            and first <= c.at <= last
        )  # fmt: skip
        return Fanout(
            idle, busy, len(bulk), last - first, during, server.peak_sends(1.0),
            server.throttled, sum(1 for n in sends.values() if n > 1),
            sum(1 for t in targets if not sends[t]), finished,
        )  # fmt: skip


# ---------------------------------------------------------------------------- databases
def postgres_reachable() -> bool:
    try:
        with socket.create_connection(PG[:2], timeout=0.5):
            return True
    except OSError:
        return False


async def _pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(host=PG[0], port=PG[1], user="postgres", database=PG[2])
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


_names = itertools.count(1)


@asynccontextmanager
async def database(kind: str) -> AsyncIterator[str]:
    """A new, migrated and seeded database of `kind` (as a restarted bot finds it); gone
    after the block."""
    with tempfile.TemporaryDirectory(prefix="dti-e2e-") as tmp:
        if kind == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp}/dti.sqlite3"
        else:
            name = f"bench_e2e_{os.getpid()}_{next(_names)}"
            await _pg(f"CREATE DATABASE {name}")
            url = f"postgresql+asyncpg://postgres@{PG[0]}:{PG[1]}/{name}"
        try:
            settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
            async with open_services(settings):
                pass
            yield url
        finally:
            if kind != "sqlite":
                await _pg(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# ---------------------------------------------------------------------------- the table
ROWS = (
    ("ready after start{median}", "ready", 1.0, "s", 2),
    ("CPU to ready{median}", "ready_cpu", 1.0, "s", 2),
    ("resident memory after start", "rss", 1.0, "MB", 0),
    ("resident memory after the load", "rss_end", 1.0, "MB", 0),
    ("latency median, {rate:g}/s from {users}", "median", 1000.0, "ms", 1),
    ("latency p95, {rate:g}/s from {users}", "p95", 1000.0, "ms", 1),
    ("CPU per reply, {burst} at once from {burst_users}{rounds}", "cpu", 1000.0, "ms", 2),
    ("{burst} at once: to the last reply{rounds}", "burst_seconds", 1.0, "s", 1),
    ("most sends in any one second", "peak", 1.0, "", 0),
)


def table(delay: float, results: dict[str, Figures], a: argparse.Namespace) -> list[str]:
    kinds = list(results)
    head = f"| server answers {'at once' if not delay else f'{delay * 1000:g} ms late'} | "
    head += " | ".join(kinds) + " |"
    head += "".join(f" {k} / echo |" for k in kinds if k != "echo")
    lines = [head, "|---" * (1 + 2 * len(kinds) - 1) + "|"]
    words = {"rate": a.rate, "users": a.users, "burst": a.burst, "burst_users": a.burst_users}
    words["median"] = f" (median of {a.starts})" if a.starts > 1 else ""
    words["rounds"] = f" (median of {a.rounds})" if a.rounds > 1 else ""
    for label, attr, scale, unit, places in ROWS:
        values = {k: getattr(f, attr) * scale for k, f in results.items()}
        cells = [f"{v:.{places}f} {unit}".strip() for v in values.values()]
        ratios = [
            f"{values[k] / values['echo']:.2f}×" if values["echo"] else "—"
            for k in kinds
            if k != "echo"
        ]
        lines.append(f"| {label.format(**words)} | " + " | ".join(cells + ratios) + " |")
    each = " | ".join(" ".join(f"{c * 1000:.2f}" for c in f.cpus) for f in results.values())
    lines.append(f"| CPU per reply of each burst, ms | {each} |" + " |" * (len(kinds) - 1))
    answered = " | ".join(f.answered for f in results.values())
    lines.append(f"| answered | {answered} |" + " |" * (len(kinds) - 1))
    return lines


def _latency(phase: Phase) -> str:
    return (
        f"median {phase.median() * 1000:.1f} ms, p95 {phase.p95() * 1000:.1f} ms"
        f" ({len(phase.latencies)}/{len(phase.asked)} answered)"
    )


def show_fanout(o: Fanout, recipients: int, rate: float) -> list[str]:
    ratio = o.busy.median() / o.idle.median() if o.idle.latencies else float("nan")
    send_rate = (o.bulk - 1) / o.span if o.span else 0.0
    reply_rate = o.replies_during / o.span if o.span else 0.0
    left = LIMIT - reply_rate
    return [
        f"/thongbao to {recipients} focal points, {rate:g} questions/s meanwhile (real process,"
        f" SQLite, server enforcing {LIMIT}/s):",
        f"  latency idle      {_latency(o.idle)}",
        f"  latency fan-out   {_latency(o.busy)}",
        f"  fan-out / idle    {ratio:.2f}  (aim <= 1.5)",
        f"  fan-out           {o.bulk} in {o.span:.1f} s = {send_rate:.2f}/s; replies meanwhile"
        f" {reply_rate:.2f}/s; share of what replies leave {send_rate / left:.3f}  (aim >= 0.9)",
        f"  peak sends in a second {o.peak} (<= {LIMIT}), 429s {o.throttled}, duplicates"
        f" {o.duplicates}, missing {o.missing}  (all must be 0)"
        + ("" if o.finished else " — TIMED OUT before every recipient had it"),
    ]


def compile_sources() -> None:
    """The project's bytecode, as `pip install` leaves it: with PYTHONDONTWRITEBYTECODE set and
    no __pycache__, every start would compile the bot's 130 modules again (a third of a second
    the echo bot, all in site-packages, never pays)."""
    for package in sorted(ROOT.glob("*/__init__.py")):
        compileall.compile_dir(package.parent, quiet=1)


async def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=10.0, help="questions a second")
    p.add_argument("--users", type=int, default=50, help="people asking at that rate")
    p.add_argument("--rate-questions", type=int, default=300, help="questions at that rate")
    p.add_argument("--burst", type=int, default=400, help="questions at once")
    p.add_argument("--burst-users", type=int, default=40, help="people asking them")
    p.add_argument("--rounds", type=int, default=3, help="rounds of steady questions and burst")
    p.add_argument("--delays", default="0,60", help="the server's answer delays, ms ('': none)")
    p.add_argument("--databases", default="sqlite,postgresql")
    p.add_argument("--fanout", type=int, default=5000, help="recipients (0: no fan-out)")
    p.add_argument("--fanout-idle", type=float, default=15.0, help="seconds of idle questions")
    p.add_argument("--starts", type=int, default=1, help="starts of each bot (ready: median)")
    p.add_argument("--profile", default="", help="cProfile the bursts to PROFILE.<bot>.<delay>")
    p.add_argument("--spy", default="", help="py-spy each bot's burst to SPY.<bot>.<delay>")
    p.add_argument("--tiny", action="store_true", help="a few messages: that it runs at all")
    a = p.parse_args(argv)
    if a.tiny:
        # The steady questions at 25 a second: the second each bot spent on them told nothing.
        a.users, a.rate_questions, a.burst, a.burst_users, a.rate = 5, 10, 20, 4, 25.0
        a.rounds = 2
        a.delays, a.databases, a.fanout, a.fanout_idle = "0", "sqlite", 0, 1.0
    logging.basicConfig(level=logging.ERROR)
    compile_sources()
    databases = [d for d in a.databases.split(",") if d]
    if "postgresql" in databases and not postgres_reachable():
        print("(PostgreSQL does not answer on 127.0.0.1:5432: SQLite only)")
        databases.remove("postgresql")
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()}")
    started = time.perf_counter()
    failures: list[str] = []
    peaks: list[int] = []
    out: list[str] = []
    for delay in (float(d) / 1000 for d in a.delays.split(",") if d):
        async with contextlib.AsyncExitStack() as held:
            bots = {"echo": "sqlite+aiosqlite://"}
            for kind in databases:
                bots[f"bot {kind}"] = await held.enter_async_context(database(kind))
            more = await more_starts(bots, delay, a.starts - 1)
            results = await run_bots(bots, delay, a)
        for name, fig in results.items():
            starts = [(fig.ready, fig.ready_cpu), *more[name]]
            fig.ready = statistics.median(ready for ready, _ in starts)
            fig.ready_cpu = statistics.median(cpu for _, cpu in starts)
        out += ["", *table(delay, results, a)]
        for name, fig in results.items():
            if name != "echo":
                peaks.append(fig.peak)
            if "timed out" in fig.answered:
                failures.append(f"{name}, delay {delay * 1000:g} ms: unanswered questions")
    if a.fanout:
        async with database("sqlite") as url:
            fan = await run_fanout(url, a.fanout, a)
        out += ["", *show_fanout(fan, a.fanout, a.rate)]
        peaks.append(fan.peak)
        if fan.throttled or fan.duplicates or fan.missing:
            failures.append("the fan-out met 429s, or lost or doubled a message")
    print("\n".join(out))
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    within = max(peaks, default=0) <= LIMIT
    print(f"the bot never sent more than {LIMIT} in any one second: {'yes' if within else 'NO'}")
    if not within:
        failures.append(f"the bot sent {max(peaks)} messages in one second")
    for failure in failures:
        print(f"FAILED: {failure}")
    print(f"(bench took {time.perf_counter() - started:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
