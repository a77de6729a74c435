"""Running the real bot in process in either mode (bot.runtime.serving) against the local Bot API
server, and reading what its intake recorded, for the intake's end-to-end tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import aiohttp

from bot.runtime import Runtime, Serving, serving
from bot.settings import SecretStr, Settings
from bot.web import SECRET_HEADER
from storage import journal
from tests.botapi import TOKEN, FakeBotApi

JSON = dict[str, Any]
SECRET = "test-webhook-secret_0123456789"


def local(settings: Settings, api: FakeBotApi, **changes: Any) -> Settings:
    """The settings pointed at the local Bot API server, with a token, and `changes`."""
    if isinstance(changes.get("webhook_secret"), str):
        changes["webhook_secret"] = SecretStr(changes["webhook_secret"])
    return settings.model_copy(
        update={
            "bot_api_base_url": api.base_url,
            "bot_api_file_url": api.base_file_url,
            "bot_token": SecretStr(TOKEN),
            **changes,
        }
    )


@asynccontextmanager
async def running(
    api: FakeBotApi, settings: Settings, runtime: Runtime, **changes: Any
) -> AsyncIterator[Serving]:
    async with serving(local(settings, api, **changes), runtime) as bot:
        yield bot


def webhook_settings(**changes: Any) -> dict[str, Any]:
    return {
        "webhook_url": "https://bot.example.test/dti",
        "webhook_secret": SECRET,
        "http_port": 0,
        **changes,
    }


async def eventually(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a bound on waiting, not a timed assertion
    """Wait until `condition` holds (an event the test cannot await directly)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout} s")
        await asyncio.sleep(0.01)


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 60.0) -> None:  # noqa: ASYNC109 - a bound on waiting, not a timed assertion
    """Wait until an asynchronous `check` (a database query, say) answers True."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if await check():
            return
        if loop.time() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout} s")
        await asyncio.sleep(0.05)


async def journal_statuses(bot: Serving) -> dict[str, int]:
    await bot.inbound.flush()
    async with bot.inbound.sessions() as session:
        return await journal.statuses(session, bot.inbound.bot_id)


def webhook_path(api: FakeBotApi) -> str:
    """Where Telegram (here: the test) POSTs: the path of the URL given to setWebhook."""
    url = api.webhook_url
    assert url, "setWebhook was not called"
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


async def post(
    bot: Serving,
    path: str,
    body: bytes | JSON,
    *,
    secret: str | None = SECRET,
    port: int | None = None,
) -> tuple[int, str]:
    """POST to the bot's HTTP server as Telegram would; (status, text)."""
    headers = {} if secret is None else {SECRET_HEADER: secret}
    if isinstance(body, dict):
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    else:
        data = body
    assert bot.server is not None
    url = f"http://127.0.0.1:{port or bot.server.port}{path}"
    async with aiohttp.ClientSession() as http, http.post(url, data=data, headers=headers) as r:
        return r.status, await r.text()


async def get(bot: Serving, path: str) -> tuple[int, str]:
    assert bot.server is not None
    url = f"http://127.0.0.1:{bot.server.port}{path}"
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        return r.status, await r.text()


def sample(text: str, name: str, labels: str = "") -> float:
    """One sample's value from Prometheus' text format (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(f"{name}{labels} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def record_command(
    bot: Serving, runtime: Runtime, now: datetime, update_id: int, command: str
) -> None:
    """`command` ("/da_xong") from user 1001 in a private chat, recorded in the journal by
    hand as the intake records an update, but not handed on to the handlers."""
    person = {"id": 1001, "is_bot": False, "first_name": "Lan"}
    chat = {"id": 1001, "type": "private", "first_name": "Lan"}
    entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    message = {"message_id": 1, "date": 0, "chat": chat, "from": person, "text": command,
               "entities": entities}  # fmt: skip
    update = {"update_id": update_id, "message": message}
    async with runtime.sessions() as session, session.begin():
        await journal.record(
            session, bot.inbound.bot_id, update_id, "message", json.dumps(update),
            owner=bot.inbound.owner, now=now,
        )  # fmt: skip
