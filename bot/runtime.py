"""Start-up and shut-down: database, migrations, seed data, services, and the run modes.

    run(settings)          until SIGINT/SIGTERM, in the mode the settings choose:
      long polling         the default: raw getUpdates (bot/polling.py); /healthz and /metrics
                           only when HTTP_PORT is set
      webhook              WEBHOOK_URL set: setWebhook, then Telegram's POSTs on HTTP_PORT (8080
                           unless set), next to /healthz and /metrics
Both hand updates to the same intake (bot/inbound.py): recorded in the database first, claimed
by one process, handled concurrently across chats and in order within one (bot/ordering.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.error import NetworkError, TelegramError
from telegram.ext import Application

from bot import collector
from bot.logs import protect_stderr
from bot.settings import Settings
from bot.startup import check_reference, connect_to_telegram, open_database
from services.clock import Clock, system_clock
from services.container import Services, build_services
from services.deadlines import Policy
from services.seeding import home_province, seed, work_calendar
from storage import journal
from storage.db import make_journal_engine, make_sessions
from storage.locks import startup_lock
from storage.migrate import upgrade

if TYPE_CHECKING:
    from bot.health import Health, JobHeartbeat
    from bot.inbound import Inbound
    from bot.metrics import Metrics
    from bot.outbound import Outbound
    from bot.polling import Poller
    from bot.web import HttpServer

log = logging.getLogger(__name__)
WEBHOOK_PORT = 8080  # HTTP_PORT when a webhook is configured and no port is given
SECRET_KEY = "webhook_secret"  # noqa: S105 - the bot_state key, not a secret


@dataclass(frozen=True)
class Runtime:
    """The database and the services on it."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    services: Services
    clock: Clock


@asynccontextmanager
async def open_runtime(
    settings: Settings, clock: Clock = system_clock, *, prepared: bool = False
) -> AsyncIterator[Runtime]:
    """A migrated, seeded database and the services on top of it; closed on exit. Processes
    starting together on one database migrate and seed one after the other. A database that
    does not answer, a broken data file or a missing framework raise (see bot.startup).
    `prepared`: the database is migrated and seeded from settings.data_dir already (the tests'
    copies of one template database), so neither step runs."""
    engine = await open_database(settings)
    try:
        sessions = make_sessions(engine)
        if not prepared:
            async with startup_lock(engine):
                await upgrade(engine)
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
            province=home_province(settings.data_dir),
            max_evidence_bytes=settings.max_evidence_mb * 1024 * 1024,
            evidence_dir=settings.evidence_folder,
            cache_dir=settings.cache_folder,
            reminder_policy=Policy(
                before=settings.reminder_days_before,
                after=settings.reminder_days_after,
                grace=timedelta(hours=settings.reminder_grace_hours),
                standing_agency=settings.standing_agency,
                workdays=work_calendar(settings.data_dir),
            ),
        )
        await check_reference(sessions, services, settings)
        yield Runtime(engine, sessions, services, clock)
    finally:
        await engine.dispose()


@asynccontextmanager
async def open_services(
    settings: Settings, clock: Clock = system_clock, *, prepared: bool = False
) -> AsyncIterator[Services]:
    """The services alone (console, one-off commands, tests)."""
    async with open_runtime(settings, clock, prepared=prepared) as runtime:
        yield runtime.services


@dataclass
class Serving:
    """A running bot, for the caller (and tests) to look at."""

    app: Application  # type: ignore[type-arg]
    inbound: Inbound
    metrics: Metrics
    health: Health
    heartbeat: JobHeartbeat | None
    server: HttpServer | None
    poller: Poller | None
    webhook_url: str | None


async def run(settings: Settings) -> None:
    """Serve Telegram until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with open_runtime(settings) as runtime:
        try:
            async with serving(settings, runtime, stop):
                await stop.wait()
        except StoppedBeforeStart:
            return  # stopped while waiting for Telegram


class StoppedBeforeStart(Exception):
    """Told to stop while Telegram could not be reached yet."""


@asynccontextmanager
async def serving(
    settings: Settings,
    runtime: Runtime,
    stopping: asyncio.Event | None = None,
    *,
    outbound: Outbound | None = None,
) -> AsyncIterator[Serving]:
    """The bot receiving updates (webhook when WEBHOOK_URL is set, else long polling) until
    the block ends; then intake stops first, the updates in hand are finished and recorded.
    Waits for Telegram first (bot.startup), unless `stopping` is set meanwhile. `outbound`:
    the outgoing path with a policy of its own (tests: a shorter stop grace), else the
    default one."""
    # Imported here, not at the top: the console and the one-off commands open the runtime
    # above and never serve, so they need neither the intake, the metrics (prometheus_client)
    # nor the handlers' registration; the HTTP server (aiohttp) only when there is one.
    from bot.tls import import_aiohttp

    import_aiohttp()  # first, before the poller and the sender import it: see bot.tls
    from bot.app import build_application
    from bot.health import Health, JobHeartbeat
    from bot.inbound import Inbound
    from bot.metrics import Metrics
    from bot.polling import Poller
    from handlers import reminder_job

    svc, clock = runtime.services, runtime.clock
    metrics = Metrics()
    metrics.watch_engine(runtime.engine)
    app = build_application(settings, svc, outbound=outbound)
    metrics.watch_outbound(app.bot.rate_limiter)
    app.add_error_handler(metrics.count_error)
    heartbeat = None
    if app.job_queue is not None and app.job_queue.get_jobs_by_name(reminder_job.JOB_NAME):
        heartbeat = JobHeartbeat(clock, settings.reminder_tick_seconds)
        heartbeat.attach(app.job_queue, reminder_job.JOB_NAME)
    # Built: the collector on again (bot/collector.py) before a wait for Telegram that may
    # last, its failed attempts leaving garbage behind.
    collector.resume()
    if not await connect_to_telegram(app, stopping or asyncio.Event(), settings.bot_api_base_url):
        raise StoppedBeforeStart
    stop = asyncio.Event()
    journal_engine = make_journal_engine(runtime.engine)
    async with app:
        inbound = Inbound(
            app, runtime.sessions, metrics, clock,
            max_pending=settings.max_pending_updates,
            keep=timedelta(hours=settings.update_journal_hours),
            claims=make_sessions(journal_engine),
        )  # fmt: skip
        checks = [heartbeat.problem] if heartbeat else []
        health = Health(runtime.engine, checks)

        async def metrics_text() -> bytes:
            return await metrics.render(runtime.sessions, svc.deliveries.owner)

        await app.start()
        await inbound.start()
        tasks: list[asyncio.Task[None]] = []
        server = poller = None
        webhook_url = None
        try:
            if settings.webhook_url:
                from bot.web import HttpServer, Webhook, make_app, webhook_address, webhook_tail

                secret = await _webhook_secret(settings, runtime, clock)
                webhook_url, path = webhook_address(settings.webhook_url, secret)
                webhook = Webhook(inbound, metrics, secret, settings.webhook_max_body)
                registered = asyncio.Event()
                checks.append(lambda: "" if registered.is_set() else "webhook: not set yet")
                await inbound.recover()
                server = HttpServer(
                    make_app(
                        health=health, metrics_text=metrics_text, webhook=webhook,
                        webhook_paths=(path, webhook_tail(secret)),
                        max_body=settings.webhook_max_body,
                    ),
                    settings.http_host,
                    WEBHOOK_PORT if settings.http_port is None else settings.http_port,
                )  # fmt: skip
                await server.start()
                tasks.append(
                    asyncio.create_task(
                        _set_webhook(app, settings, webhook_url, secret, registered, stop)
                    )
                )
                log.info("webhook for @%s at %s", app.bot.username, settings.webhook_url)
            else:
                await app.bot.delete_webhook()
                # Only one process can poll: whatever an earlier one left unfinished is ours.
                await inbound.recover(everything=True)
                poller = Poller(
                    app.bot.base_url, inbound, metrics, allowed_updates=settings.allowed_updates
                )
                checks.append(lambda: "" if poller.healthy else f"polling: {poller.problem}")
                if settings.http_port is not None:
                    from bot.web import HttpServer, make_app

                    server = HttpServer(
                        make_app(health=health, metrics_text=metrics_text),
                        settings.http_host,
                        settings.http_port,
                    )
                    await server.start()
                tasks.append(asyncio.create_task(poller.run(stop), name="polling"))
                log.info("polling as @%s", app.bot.username)
            # The command menus once intake runs (the first getUpdates has left): neither the
            # start nor the first update waits for them, nor for the catalogs they read.
            asked = poller.asked if poller is not None else None
            tasks.append(asyncio.create_task(_publish(app, svc, asked, stop), name="menus"))
            yield Serving(app, inbound, metrics, health, heartbeat, server, poller, webhook_url)
        finally:
            stop.set()  # intake first: nothing new arrives while the rest finishes
            if server is not None:
                await server.stop()
            for task in tasks:
                with contextlib.suppress(Exception):
                    await task
            await app.stop()  # finishes every update in hand
            await inbound.stop()
            if journal_engine is not runtime.engine:
                await journal_engine.dispose()


async def _publish(
    app: Application,  # type: ignore[type-arg]
    services: Services,
    asked: asyncio.Event | None,
    stop: asyncio.Event,
) -> None:
    """The command menus (bot.app.publish_commands), once `asked` is set (at once without it),
    not at all when `stop` is set first; a refusal is logged, the bot serves on."""
    from bot.app import publish_commands

    if asked is not None:
        waits = {asyncio.ensure_future(asked.wait()), asyncio.ensure_future(stop.wait())}
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        if not asked.is_set():
            return
    try:
        await publish_commands(app, services)
    except TelegramError as exc:
        log.error("Telegram refused the command menus (%s)", exc)


async def _webhook_secret(settings: Settings, runtime: Runtime, clock: Clock) -> str:
    """WEBHOOK_SECRET, or one generated on first start and kept in the database, so every
    process on it (and every restart) uses the same."""
    if settings.webhook_secret is not None:
        return _redacted(settings.webhook_secret.get_secret_value())
    made = _redacted(secrets.token_urlsafe(32))  # before the INSERT a DEBUG log might show
    async with runtime.sessions() as session, session.begin():
        return _redacted(await journal.kept_value(session, SECRET_KEY, made, clock()))


def _redacted(secret: str) -> str:
    """The secret, from now on hidden in every log line and on standard error (bot.logs)."""
    protect_stderr(secret)
    return secret


async def _set_webhook(
    app: Application,  # type: ignore[type-arg]
    settings: Settings,
    url: str,
    secret: str,
    registered: asyncio.Event,
    stop: asyncio.Event,
) -> None:
    """setWebhook, tried again with a growing pause while Telegram cannot be reached."""
    pause = 1.0
    while not stop.is_set():
        try:
            await app.bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=list(settings.allowed_updates),
                drop_pending_updates=settings.webhook_drop_pending,
                max_connections=settings.webhook_max_connections,
            )
        except NetworkError as exc:
            log.warning("setWebhook failed (%s); trying again in %.0f s", exc, pause)
        except TelegramError as exc:
            log.error("Telegram refused the webhook (%s); check WEBHOOK_URL", exc)
        else:
            registered.set()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        pause = min(pause * 2, 60.0)
