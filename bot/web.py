"""The bot's HTTP server (aiohttp): Telegram's webhook, /healthz and /metrics.

The webhook listens on a path derived from the secret (WEBHOOK_URL's path, then
/telegram/<32 hex digits>), so it cannot be guessed from the token or the host; a request
without the right X-Telegram-Bot-Api-Secret-Token header gets 401 and nothing is read."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from bot.health import Health
from bot.inbound import Inbound, update_id_of
from bot.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
REJECTION_LOG_EVERY = 60.0  # seconds: refused requests are logged at most this often


def webhook_tail(secret: str) -> str:
    """/telegram/<digest of the secret>: stable for every process sharing the secret."""
    digest = hashlib.sha256(b"tro-ly-dti webhook path\0" + secret.encode()).hexdigest()
    return f"/telegram/{digest[:32]}"


def webhook_address(webhook_url: str, secret: str) -> tuple[str, str]:
    """(the URL given to setWebhook, the path it arrives on)."""
    tail = webhook_tail(secret)
    return webhook_url.rstrip("/") + tail, urlsplit(webhook_url).path.rstrip("/") + tail


class Webhook:
    """POSTs from Telegram: secret checked in constant time, size and shape checked, the update
    recorded (bot.inbound) before the 200 that tells Telegram it arrived."""

    def __init__(self, inbound: Inbound, metrics: Metrics, secret: str, max_body: int) -> None:
        self.inbound, self.metrics, self.max_body = inbound, metrics, max_body
        self._secret = secret.encode()
        self._refused = 0
        self._logged_at = -REJECTION_LOG_EVERY

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._secret):
            return self._refuse(request, "secret", 401, "wrong or missing secret token")
        if request.content_length is not None and request.content_length > self.max_body:
            return self._refuse(request, "too_large", 413, "body over WEBHOOK_MAX_BODY")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._refuse(request, "too_large", 413, "body over WEBHOOK_MAX_BODY")
        try:
            raw = json.loads(body)
        except ValueError:  # UnicodeDecodeError is one
            return self._refuse(request, "not_json", 400, "body is not JSON")
        if update_id_of(raw) is None:
            return self._refuse(request, "not_update", 400, "no update_id")
        try:
            await self.inbound.admit([raw])
        except Exception as exc:  # noqa: BLE001 - not recorded: Telegram sends it again later
            log.warning("webhook update not recorded (%s): Telegram retries", type(exc).__name__)
            return web.Response(status=503, text="not recorded, try again")
        return web.Response(text="ok")

    def _refuse(self, request: web.Request, reason: str, status: int, why: str) -> web.Response:
        """Counted always, logged at most once a minute (with how many since), never with the
        header's value or the body."""
        self.metrics.webhook_rejected.labels(reason).inc()
        self._refused += 1
        now = time.monotonic()
        if now - self._logged_at >= REJECTION_LOG_EVERY:
            log.warning(
                "webhook refused a request from %s: %s (%d refused since the last report)",
                request.remote, why, self._refused,
            )  # fmt: skip
            self._refused, self._logged_at = 0, now
        return web.Response(status=status, text=why)


def make_app(
    *,
    health: Health,
    metrics_text: Callable[[], Awaitable[bytes]],
    webhook: Webhook | None = None,
    webhook_paths: tuple[str, ...] = (),
    max_body: int = 1024 * 1024,
) -> web.Application:
    """The aiohttp application: /healthz, /metrics, and the webhook when there is one."""

    async def healthz(_request: web.Request) -> web.Response:
        problems = await health.problems()
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="ok\n")

    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(body=await metrics_text(), headers={"Content-Type": CONTENT_TYPE})

    app = web.Application(client_max_size=max_body)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if webhook is not None:
        for path in dict.fromkeys(webhook_paths):
            app.router.add_post(path, webhook.handle)
    return app


class HttpServer:
    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.host, self.port = host, port
        # No access log: it would print the webhook's path, and /healthz every few seconds.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)

    async def start(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        if self.port == 0:  # an ephemeral port (tests): the one the system chose
            self.port = self._runner.addresses[0][1]
        log.info("HTTP server on %s:%d (/healthz, /metrics)", self.host, self.port)

    async def stop(self) -> None:
        await self._runner.cleanup()
