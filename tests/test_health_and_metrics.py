"""/healthz and /metrics on the bot's HTTP server (here in polling mode, with HTTP_PORT set)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.health import Health
from bot.runtime import Runtime
from bot.settings import Settings
from handlers.reminder_job import JOB_NAME, send_due
from storage.db import make_engine
from tests.botapi import FakeBotApi
from tests.conftest import MovableClock
from tests.intake import eventually, get, running, sample
from tests.test_e2e_reminders import at_eight, link, no_sleep

UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"


async def test_healthz_is_200_while_the_reminder_job_ticks_and_503_with_the_reason_when_not(
    api: FakeBotApi, settings: Settings, runtime: Runtime, clock: MovableClock
) -> None:
    async with running(api, settings, runtime, http_port=0, reminder_tick_seconds=3600) as bot:
        assert bot.app.job_queue is not None
        assert bot.heartbeat is not None
        (job,) = bot.app.job_queue.get_jobs_by_name(JOB_NAME)
        job.enabled = False  # it ticks when the test says so
        assert await get(bot, "/healthz") == (200, "ok\n")
        clock.advance(hours=4)
        status, reason = await get(bot, "/healthz")
        assert status == 503
        assert reason == "reminder job: last ran 240 min ago, expected every 3600 s\n"
        job.enabled = True
        job.job.modify(next_run_time=datetime.now(UTC))
        await eventually(lambda: bot.heartbeat.finished is not None, "a tick")  # type: ignore[union-attr]
        assert await get(bot, "/healthz") == (200, "ok\n")


async def test_healthz_is_503_when_the_database_does_not_answer(
    api: FakeBotApi, settings: Settings, runtime: Runtime
) -> None:
    async with running(api, settings, runtime, http_port=0) as bot:
        broken = make_engine(UNREACHABLE)
        working, bot.health.engine = bot.health.engine, broken
        try:
            status, reason = await get(bot, "/healthz")
        finally:
            bot.health.engine = working
            await broken.dispose()
        assert status == 503
        assert reason.startswith("database: ")
        assert "postgres@" not in reason
        assert await get(bot, "/healthz") == (200, "ok\n")


async def test_healthz_reports_long_polling_that_keeps_failing_until_it_works_again(
    api: FakeBotApi, settings: Settings, runtime: Runtime
) -> None:
    async with running(api, settings, runtime, http_port=0) as bot:
        assert bot.poller is not None
        bot.poller.first_pause = 0.01
        api.fail_next("getUpdates", status=401, times=10_000)
        api.private_text("/wake")  # ends the poll in flight, so the failures come next
        await eventually(lambda: bot.poller.failures >= 3, "three failures")  # type: ignore[union-attr]
        status, reason = await get(bot, "/healthz")
        assert status == 503
        assert reason.startswith("polling: HTTP 401")
        assert "check BOT_TOKEN" in reason
        api.clear_faults()
        await eventually(lambda: bot.poller.failures == 0, "polling again")  # type: ignore[union-attr]
        assert await get(bot, "/healthz") == (200, "ok\n")
        assert sample((await get(bot, "/metrics"))[1], "dti_getupdates_failures_total") >= 3


async def test_metrics_count_updates_replies_latency_429s_reminders_and_database_errors(
    api: FakeBotApi, settings: Settings, runtime: Runtime, clock: MovableClock
) -> None:
    async with running(api, settings, runtime, http_port=0) as bot:
        api.fail_next("sendMessage", status=429, retry_after=1)
        api.private_text("/mot")
        api.private_text("/hai", user_id=1002)
        await api.wait_for("sendMessage", count=2)
        await eventually(lambda: bot.metrics.updates_handled._value.get() == 2, "handled")
        await link(runtime.services, 2002, "SKHCN")
        clock.now = at_eight(date(2025, 12, 18))
        await send_due(bot.app.bot, runtime.services, sleep=no_sleep)
        with pytest.raises(OperationalError):
            async with runtime.engine.connect() as conn:
                await conn.execute(text("SELECT * FROM no_such_table"))
        status, body = await get(bot, "/metrics")
    assert status == 200
    assert sample(body, "dti_updates_received_total", '{kind="message"}') == 2
    assert sample(body, "dti_updates_handled_total") == 2
    assert sample(body, "dti_reply_latency_seconds_count") == 2
    assert sample(body, "dti_outbound_sent_total", '{kind="reply"}') == 2
    assert sample(body, "dti_outbound_sent_total", '{kind="bulk"}') == 1  # the reminder
    assert sample(body, "dti_outbound_waited_429_total", '{kind="reply"}') == 1
    assert sample(body, "dti_outbound_failed_total", '{kind="reply"}') == 0
    assert sample(body, "dti_reminder_deliveries", '{kind="reminder",status="sent"}') == 1
    assert sample(body, "dti_deliveries_claimed") == 1
    assert sample(body, "dti_database_errors_total") >= 1
    assert sample(body, "dti_updates_in_flight") == 0
    assert "process_resident_memory_bytes" in body


async def test_health_names_the_database_problem_without_its_address() -> None:
    engine = make_engine(UNREACHABLE)
    try:
        problems = await Health(engine, [lambda: "", lambda: "polling: HTTP 409"]).problems()
    finally:
        await engine.dispose()
    assert len(problems) == 2
    assert problems[0].startswith("database: ")
    assert "127.0.0.1" not in problems[0]
    assert problems[1] == "polling: HTTP 409"
