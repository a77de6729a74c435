"""The HTTP client of every request to the Bot API: PTB's HTTPXRequest with JSON bodies and a small
pool of kept-alive connections.

- A call without a file goes as a JSON body (the Bot API takes it as it takes a form). PTB sends
  a form, which urllib percent-encodes byte by byte in Python: about a tenth of a millisecond for
  a long Vietnamese answer, more than the rest of its request. Files still go as multipart.
- httpcore looks at every connection of its pool, and for each idle one at all of them again,
  every time a request starts or ends; with PTB's pool of 256 a burst of replies (30 leave in
  the same second) leaves dozens of idle connections, and each later request paid for them all.
  At most `KEPT_ALIVE` idle connections are kept; a burst may still open `CONNECTIONS` at once.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

from bot.tls import tls_context

# The bot-wide budget is 30 messages a second (bot.pacing): a burst of replies leaves together.
CONNECTIONS = 32
KEPT_ALIVE = 8  # idle connections kept open: 30 a second at a round trip of up to ~250 ms
_DEFAULT = type(HTTPXRequest.DEFAULT_NONE)  # what PTB passes for a timeout not given


class BotApiRequest(HTTPXRequest):
    """PTB's request over httpx, with JSON bodies and a pool that keeps few idle connections."""

    __slots__ = ()

    def __init__(self, *, read_timeout: float | None = 5.0, pool_timeout: float | None = 1.0):
        limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=KEPT_ALIVE)
        super().__init__(
            connection_pool_size=CONNECTIONS,
            read_timeout=read_timeout,
            pool_timeout=pool_timeout,
            httpx_kwargs={"limits": limits, "verify": tls_context()},
        )

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
        if request_data is None or request_data.contains_files:
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        default = self._client.timeout
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, default.connect),
            read=_given(read_timeout, default.read),
            write=_given(write_timeout, default.write),
            pool=_given(pool_timeout, default.pool),
        )
        body = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":"))
        try:
            response = await self._client.request(
                method=method,
                url=url,
                headers={"User-Agent": self.USER_AGENT, "Content-Type": "application/json"},
                timeout=timeout,
                content=body.encode(),
            )
        except httpx.TimeoutException as err:  # as PTB's own do_request says them
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(
                    "Pool timeout: All connections in the connection pool are occupied. "
                    "Request was *not* sent to Telegram."
                ) from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return response.status_code, response.content


def _given(timeout: Any, default: float | None) -> float | None:
    return default if isinstance(timeout, _DEFAULT) else timeout
