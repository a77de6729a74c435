"""Start-up and shut-down: database, migrations, seed data, services, and long polling."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

from bot.app import build_application, publish_commands
from bot.settings import Settings
from bot.startup import check_reference, connect_to_telegram, open_database
from services.clock import Clock, system_clock
from services.container import Services, build_services
from services.deadlines import Policy
from services.seeding import seed, work_calendar
from storage.db import make_sessions
from storage.migrate import upgrade

log = logging.getLogger(__name__)


@asynccontextmanager
async def open_services(
    settings: Settings, clock: Clock = system_clock
) -> AsyncIterator[Services]:
    """A migrated, seeded database and the services on top of it; closed on exit. A database
    that does not answer, a broken data file or a missing framework raise (see bot.startup)."""
    engine = await open_database(settings)
    try:
        await upgrade(engine)
        sessions = make_sessions(engine)
        report = await seed(sessions, settings.data_dir, clock)
        if report.changed:
            log.info("seeded %s", report)
        services = build_services(
            sessions,
            clock=clock,
            admin_ids=settings.admin_ids,
            timezone=settings.timezone,
            language=settings.default_language,
            framework=settings.framework,
            max_evidence_bytes=settings.max_evidence_mb * 1024 * 1024,
            reminder_policy=Policy(
                before=settings.reminder_days_before,
                after=settings.reminder_days_after,
                grace=timedelta(hours=settings.reminder_grace_hours),
                standing_agency=settings.standing_agency,
                workdays=work_calendar(settings.data_dir),
            ),
        )
        await check_reference(sessions, services, settings)
        yield services
    finally:
        await engine.dispose()


async def run_polling(settings: Settings) -> None:
    """Serve Telegram by long polling until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with open_services(settings) as services:
        app = build_application(settings, services)
        if not await connect_to_telegram(app, stop, settings.bot_api_base_url):
            return  # stopped while waiting for the network
        async with app:
            await publish_commands(app, services)
            await app.start()
            assert app.updater is not None  # noqa: S101 - the builder always makes one
            await app.updater.start_polling(allowed_updates=["message", "callback_query"])
            log.info("polling as @%s", app.bot.username)
            await stop.wait()
            await app.updater.stop()
            await app.stop()
