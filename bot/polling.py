"""Long polling over raw getUpdates: each batch is recorded (bot.inbound) before the next
request's offset confirms it to Telegram, and an update the library cannot read is skipped
instead of stopping the loop. Network trouble gets a growing pause and one log line, not a
traceback per attempt. The requests go through aiohttp, the client of every other request to
the Bot API (bot/api_client.py), on a connection of their own."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp

from bot.inbound import Inbound, update_id_of
from bot.metrics import Metrics
from bot.tls import tls_for

log = logging.getLogger(__name__)
POLL_SECONDS = 25  # how long Telegram holds a getUpdates open when nothing arrives
BATCH = 100  # Telegram's maximum
FIRST_PAUSE, LAST_PAUSE = 1.0, 30.0  # seconds after a failure, doubling in between
UNHEALTHY_AFTER = 3  # failures in a row before /healthz reports polling as broken


class PollFailed(Exception):
    """getUpdates gave no batch; the message is safe to log (no URL, so no token)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Poller:
    def __init__(
        self,
        base_url: str,
        inbound: Inbound,
        metrics: Metrics,
        *,
        allowed_updates: Sequence[str],
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._url = f"{base_url}/getUpdates"  # carries the token: never logged
        self.inbound, self.metrics = inbound, metrics
        self.allowed_updates = list(allowed_updates)
        self.poll_seconds = poll_seconds
        self.first_pause = FIRST_PAUSE
        self.offset: int | None = None
        self.failures = 0  # in a row
        self.problem = ""  # the last failure, while failing
        self._confirmed: int | None = None
        # Set once the first getUpdates has left (its body written): what can wait until
        # intake runs (the command menus, bot.runtime) waits for this, not the first update.
        self.asked = asyncio.Event()

    @property
    def healthy(self) -> bool:
        return self.failures < UNHEALTHY_AFTER

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; the request in flight is abandoned then."""
        # Telegram holds the request `poll_seconds`; the answer may take a while more to come.
        timeout = aiohttp.ClientTimeout(connect=10, sock_read=self.poll_seconds + 15)
        connector = aiohttp.TCPConnector(limit=1, ssl=tls_for(self._url))
        sent = aiohttp.TraceConfig()
        sent.on_request_chunk_sent.append(self._sent)
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, trace_configs=[sent]
        ) as http:
            while not stop.is_set():
                await _until(stop, self.inbound.wait_for_room())
                if stop.is_set():
                    break
                try:
                    batch = await _until(stop, self._get(http, self.poll_seconds))
                    if batch is None:
                        break
                    await self._admit(batch)
                except PollFailed as failure:
                    await self._failed(failure, stop)
                    continue
                self._recovered()
            await self._confirm(http)

    async def _sent(self, *_: Any) -> None:
        self.asked.set()

    async def _get(self, http: aiohttp.ClientSession, wait: float) -> list[Any]:
        params: dict[str, Any] = {
            "timeout": wait, "limit": BATCH, "allowed_updates": self.allowed_updates,
        }  # fmt: skip
        if self.offset is not None:
            params["offset"] = self.offset
        try:
            async with http.post(self._url, json=params) as response:
                status, body = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise PollFailed(f"no answer from the Bot API ({type(exc).__name__})") from None
        try:
            answer = json.loads(body)
        except ValueError:
            raise PollFailed(f"HTTP {status} with a body that is not JSON") from None
        if not isinstance(answer, dict):
            raise PollFailed(f"HTTP {status} with an answer that is not an object")
        if answer.get("ok") is True and isinstance(answer.get("result"), list):
            return list(answer["result"])
        description = str(answer.get("description") or "")[:200]
        parameters = answer.get("parameters")
        retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
        hint = {
            401: " (check BOT_TOKEN)", 404: " (check BOT_TOKEN and BOT_API_BASE_URL)",
            409: " (another process polls this bot, or a webhook is set)",
        }.get(status, "")  # fmt: skip
        raise PollFailed(
            f"HTTP {status}: {description}{hint}",
            float(retry_after) if isinstance(retry_after, int | float) else None,
        )

    async def _admit(self, batch: list[Any]) -> None:
        if not batch:
            return
        ids = [i for raw in batch if (i := update_id_of(raw)) is not None]
        if not ids:
            raise PollFailed("a batch of updates without update ids")
        try:
            await self.inbound.admit(batch)
        except Exception as exc:
            # Not recorded, so not confirmed: the next getUpdates (same offset) brings it again.
            raise PollFailed(f"could not record updates ({type(exc).__name__})") from exc
        self.offset = max(ids) + 1

    async def _failed(self, failure: PollFailed, stop: asyncio.Event) -> None:
        self.failures += 1
        self.problem = str(failure)
        self.metrics.getupdates_failures.inc()
        pause = min(LAST_PAUSE, self.first_pause * 2 ** (self.failures - 1))
        if failure.retry_after is not None:
            pause = max(pause, failure.retry_after)
        if self.failures == 1:
            log.warning("getUpdates failed: %s; trying again in %.0f s", failure, pause)
        elif self.failures == UNHEALTHY_AFTER:
            log.error("getUpdates failed %d times in a row: %s", self.failures, failure)
        else:
            log.debug("getUpdates failed again (%d): %s", self.failures, failure)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)

    def _recovered(self) -> None:
        if self.failures:
            log.info("getUpdates works again after %d failure(s)", self.failures)
        self.failures, self.problem = 0, ""

    async def _confirm(self, http: aiohttp.ClientSession) -> None:
        """On the way out: tell Telegram the last batch arrived (it is recorded), so a restart
        is not sent it again. Best effort: the journal recognises it anyway."""
        if self.offset is None:
            return
        params = {"offset": self.offset, "timeout": 0, "limit": 1,
                  "allowed_updates": self.allowed_updates}  # fmt: skip
        with contextlib.suppress(aiohttp.ClientError, TimeoutError, OSError):
            async with asyncio.timeout(5), http.post(self._url, json=params) as response:
                await response.read()


async def _until(stop: asyncio.Event, work: Any) -> Any:
    """The result of `work`, or None when `stop` is set first (the work is cancelled)."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None
