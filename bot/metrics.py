"""What the bot counts, for /metrics in Prometheus' text format (prometheus-client).

Each process has its own registry (several Applications in one test process never mix counts).
Counters count since the process started. The outgoing path's counters (bot.outbound) are read
at each scrape, and so are the reminder deliveries this process claimed (from the database)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update

from storage import stats

log = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST
KINDS = frozenset(Update.ALL_TYPES)  # label values stay a known set, whatever Telegram adds
# The outgoing path's counters (bot.outbound.Counters), exported as dti_outbound_<name>_total
# by kind of send: reply (to someone who just wrote), bulk (reminders, summaries), other.
OUTBOUND = {
    "sent": "Requests Telegram answered with success",
    "retried": "Tries repeated after a 5xx or a network error",
    "waited_429": "429 Too Many Requests answers waited out",
    "failed": "Requests given up (retry time over, or stopping); each logged once",
    "unknown": "Sends whose answer never came back: they may have arrived, not repeated",
    "rejected": "Requests Telegram refused for good (400, 403 …)",
    "queued": "Waits for the overall budget, a chat's pace or a hold before a try",
}
# Seconds from an update's arrival to the end of its handlers: the answer has gone out by then.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        ProcessCollector(registry=r)
        self.updates_received = Counter(
            "dti_updates_received", "Updates received from Telegram, by kind", ["kind"],
            registry=r,
        )  # fmt: skip
        self.updates_duplicate = Counter(
            "dti_updates_duplicate",
            "Updates received again (a Telegram retry, or claimed by another process): not"
            " handled twice",
            registry=r,
        )
        self.updates_unparseable = Counter(
            "dti_updates_unparseable", "Updates the library could not read: logged and skipped",
            registry=r,
        )  # fmt: skip
        self.updates_recovered = Counter(
            "dti_updates_recovered",
            "Updates recorded but not handled when a process stopped, handled after it",
            registry=r,
        )
        self.updates_failed = Counter(
            "dti_updates_failed",
            "Updates given up on: the bot stopped while handling them three times",
            registry=r,
        )
        self.updates_handled = Counter(
            "dti_updates_handled", "Updates whose handlers finished", registry=r
        )
        self.updates_in_flight = Gauge(
            "dti_updates_in_flight", "Updates received and not yet finished", registry=r
        )
        self.reply_latency = Histogram(
            "dti_reply_latency_seconds",
            "Seconds from an update's arrival until its handlers finished (its answer sent)",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.getupdates_failures = Counter(
            "dti_getupdates_failures", "Long polls that failed (each retried after a pause)",
            registry=r,
        )  # fmt: skip
        self.webhook_rejected = Counter(
            "dti_webhook_rejected",
            "Webhook requests refused: bad secret, too large, not JSON, not an update",
            ["reason"],
            registry=r,
        )
        self.handler_errors = Counter(
            "dti_handler_errors", "Exceptions that reached the error handler, by type",
            ["error"], registry=r,
        )  # fmt: skip
        self.database_errors = Counter(
            "dti_database_errors", "Errors raised by the database driver", registry=r
        )
        self.deliveries = Gauge(
            "dti_reminder_deliveries",
            "Reminders and summaries this process claimed, by kind and outcome",
            ["kind", "status"],
            registry=r,
        )
        self.deliveries_claimed = Gauge(
            "dti_deliveries_claimed", "Deliveries claimed by this process", registry=r
        )

    def received(self, kind: str) -> None:
        self.updates_received.labels(kind if kind in KINDS else "other").inc()

    def watch_outbound(self, limiter: object) -> None:
        """Export the outgoing path's counters (bot.outbound: replies sent, 429s waited …),
        read at each scrape."""
        counters = getattr(limiter, "counters", None)
        if isinstance(counters, Mapping):
            self.registry.register(_OutboundCollector(counters))

    def watch_engine(self, engine: AsyncEngine) -> None:
        """Count every error the database driver raises, wherever it is caught."""

        def count(_context: Any) -> None:
            self.database_errors.inc()

        event.listen(engine.sync_engine, "handle_error", count)

    async def count_error(self, update: object, context: Any) -> None:
        """An error handler of the Application (the user-facing one is registered in app.py)."""
        error = getattr(context, "error", None)
        if error is not None:
            self.handler_errors.labels(type(error).__name__).inc()

    async def render(
        self, sessions: async_sessionmaker[AsyncSession] | None = None, owner: str = ""
    ) -> bytes:
        """The text exposition; reads this process's deliveries first when given a database."""
        if sessions is not None and owner:
            try:
                async with sessions() as session:
                    counts = await stats.delivery_counts(session, owner)
            except Exception as exc:  # noqa: BLE001 - metrics still answer without the database
                log.warning("metrics could not read deliveries: %s", type(exc).__name__)
            else:
                self.deliveries.clear()
                for (kind, status), count in counts.items():
                    self.deliveries.labels(kind, status).set(count)
                self.deliveries_claimed.set(sum(counts.values()))
        return generate_latest(self.registry)


class _OutboundCollector(Collector):
    def __init__(self, counters: Mapping[str, Any]) -> None:
        self.counters = counters

    def collect(self) -> Iterator[CounterMetricFamily]:
        for name, help_text in OUTBOUND.items():
            family = CounterMetricFamily(f"dti_outbound_{name}", help_text, labels=["kind"])
            for kind, counts in self.counters.items():
                family.add_metric([kind], getattr(counts, name, 0))
            yield family
