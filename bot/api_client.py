"""The HTTP client of every request to the Bot API (sends, getUpdates, file downloads): a PTB
`BaseRequest` over one aiohttp session, with the semantics of PTB's own HTTPXRequest.

- httpx, httpcore, h11 and anyio took about 35 % of the bot's CPU in a burst of replies
  (bench/e2e.py, cProfile); aiohttp (already the bot's HTTP server) takes about 8 %, and the CPU
  per reply fell by about 30 %. Its import costs about 0.14 s of CPU at start; httpcore, h11
  and anyio are no longer loaded (httpx still is: `import telegram` imports it).
- A call without a file goes as a JSON body (the Bot API takes it as it takes a form). PTB sends
  a form, which urllib percent-encodes byte by byte in Python: about a tenth of a millisecond for
  a long Vietnamese answer. Files go as multipart, the other parameters as form fields beside.
- Timeouts per request as PTB gives them (`DEFAULT_NONE`: this object's default). `pool`: the
  wait for one of `CONNECTIONS` slots (a burst of replies leaves together; 30 a second is the
  bot-wide budget, bot.pacing); `connect`: DNS, TCP and TLS; `read`: the longest silence while
  the answer comes (after the request is written, as httpx). aiohttp has no write timeout: the
  whole request is bounded by connect + write + read instead.
- Errors as PTB says them: `TimedOut` for a timeout (the pool's with PTB's message), `NetworkError`
  for any other client error, each raised from the aiohttp error, so bot.outbound can tell a
  request that never left (`NOT_SENT`) from one that may have reached Telegram.
- Idle connections are kept `KEPT_ALIVE` seconds; aiohttp takes and returns one in constant time,
  so, unlike httpcore's pool, many idle ones cost nothing per request.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.tls import tls_for

CONNECTIONS = 32  # requests in flight at once, each on its own connection
# Seconds an idle connection stays open: httpx's default. Longer, and the server may close it as
# a request is put on it: a request lost that way can only be counted as perhaps arrived.
KEPT_ALIVE = 5.0
_DEFAULT = type(BaseRequest.DEFAULT_NONE)  # what PTB passes for a timeout not given
_POOL_TIMEOUT = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to Telegram. Consider adjusting the connection "
    "pool size or the pool timeout."
)  # PTB's own words (HTTPXRequest)


class PoolTimeout(TimeoutError):
    """No connection was free within the pool timeout: the request did not leave."""


# Raised before any byte of the request left this machine: safe to send again. A connection
# that could not be made (refused, DNS, TLS handshake: all ClientConnectorError), a connect
# timeout (aiohttp raises it only while connecting), no free connection.
NOT_SENT: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    PoolTimeout,
)


class BotApiRequest(BaseRequest):
    """PTB's request over one aiohttp session: JSON bodies, `connections` at most at once."""

    __slots__ = ("_connections", "_defaults", "_media_write_timeout", "_session", "_slots")

    def __init__(
        self,
        *,
        connections: int = CONNECTIONS,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connections
        self._defaults = _Timeouts(read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._slots = asyncio.Semaphore(connections)  # made again with the session, in its loop

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds getUpdates' long-poll timeout to it)."""
        return self._defaults.read

    async def initialize(self) -> None:
        """Open the session (again after a shutdown); a second call does nothing."""
        if self._session is None or self._session.closed:
            self._slots = asyncio.Semaphore(self._connections)
            connector = aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=KEPT_ALIVE)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                timeout=aiohttp.ClientTimeout(),  # per request, below
                raise_for_status=False,
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """The HTTP status and the raw body of Telegram's answer."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This BotApiRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        default = self._defaults
        read = _given(read_timeout, default.read)
        connect = _given(connect_timeout, default.connect)
        write = _given(write_timeout, self._media_write_timeout if files else default.write)
        phases = (connect, write, read)
        timeout = aiohttp.ClientTimeout(
            total=None if None in phases else sum(p or 0.0 for p in phases),
            connect=connect,
            sock_read=read,
        )
        body: Any = None
        headers: dict[str, str] | None = None
        if request_data is not None:
            if files:
                body = _form(request_data)
            else:
                text = json.dumps(
                    request_data.parameters, ensure_ascii=False, separators=(",", ":")
                )
                body, headers = text.encode(), {"Content-Type": "application/json"}
        await self._take_slot(_given(pool_timeout, default.pool))
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout, ssl=tls_for(url),
                allow_redirects=False,
            ) as response:  # fmt: skip
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's ServerTimeoutError, and the total bound
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        finally:
            self._slots.release()

    async def _take_slot(self, pool: float | None) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # free: taken without waiting
            return
        try:
            async with asyncio.timeout(pool):
                await self._slots.acquire()
        except TimeoutError:
            raise TimedOut(_POOL_TIMEOUT) from PoolTimeout(_POOL_TIMEOUT)


@dataclass(frozen=True, slots=True)
class _Timeouts:
    """A request's default timeouts, in seconds; None: no limit."""

    read: float | None
    write: float | None
    connect: float | None
    pool: float | None


def _given(timeout: Any, default: float | None) -> float | None:
    return default if isinstance(timeout, _DEFAULT) else timeout


def _form(request_data: RequestData) -> aiohttp.FormData:
    """A multipart body: the parameters as form fields (JSON-encoded as PTB encodes them), then
    the files."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
