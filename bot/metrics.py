"""What the bot counts, for /metrics in Prometheus' text format (prometheus-client).

Each process has its own registry (several Applications in one test process never mix counts).
Counters count since the process started; the reminder deliveries are read from the database at
each scrape, as the rows this process claimed."""

from __future__ import annotations

import logging
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
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update
from telegram.request import HTTPXRequest, RequestData

from storage import stats

log = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST
KINDS = frozenset(Update.ALL_TYPES)  # label values stay a known set, whatever Telegram adds
# Outgoing messages, counted as "sent" when Telegram accepted them.
SENDS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "copyMessage",
    "forwardMessage", "editMessageText", "editMessageReplyMarkup", "editMessageCaption",
    "answerCallbackQuery",
})  # fmt: skip
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
        self.messages_sent = Counter(
            "dti_messages_sent",
            "Messages, edits and button answers Telegram accepted (replies and reminders)",
            ["method"],
            registry=r,
        )
        self.telegram_429 = Counter(
            "dti_telegram_429",
            "429 Too Many Requests answers from Telegram (each waited out before a retry)",
            registry=r,
        )
        self.telegram_errors = Counter(
            "dti_telegram_errors", "Error answers from Telegram, by HTTP status", ["status"],
            registry=r,
        )  # fmt: skip
        self.telegram_network_errors = Counter(
            "dti_telegram_network_errors", "Requests to Telegram that got no answer", registry=r
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


class MeteredRequest(HTTPXRequest):
    """PTB's HTTP client, counting what Telegram answers. Only the method name is read from the
    URL (it carries the token)."""

    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        # The pool PTB's builder gives its default client: replies and reminders in parallel.
        kwargs.setdefault("connection_pool_size", 256)
        super().__init__(**kwargs)
        self.metrics = metrics

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        write_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        connect_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        pool_timeout: Any = HTTPXRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        try:
            status, payload = await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        except Exception:
            self.metrics.telegram_network_errors.inc()
            raise
        endpoint = url.rsplit("/", 1)[-1]
        if status == 200:
            if endpoint in SENDS:
                self.metrics.messages_sent.labels(endpoint).inc()
        elif status == 429:
            self.metrics.telegram_429.inc()
        else:
            self.metrics.telegram_errors.labels(str(status)).inc()
        return status, payload
