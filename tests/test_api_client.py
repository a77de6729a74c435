"""The bot's HTTP client (bot/api_client.py) against the local Bot API server and raw sockets:
what Telegram receives, PTB's errors, and whether a failed request may have reached Telegram."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.ext import ExtBot

from bot.api_client import BotApiRequest
from bot.outbound import Outbound, OutcomeUnknown, Policy, Retry, _may_have_arrived
from bot.tls import tls_context, tls_for
from tests.botapi import TOKEN, FakeBotApi

USER = 1001
FAST = Retry(attempts=3, within=30.0, first=0.01, longest=0.01)


def _bot(base_url: str, request: BotApiRequest, updates: BotApiRequest | None = None) -> Bot:
    return Bot(
        TOKEN,
        base_url=base_url,
        base_file_url=base_url.replace("/bot", "/file/bot"),
        request=request,
        get_updates_request=updates or BotApiRequest(connections=1),
    )


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with _bot(api.base_url, BotApiRequest()) as real_bot:
        yield real_bot


class RawServer:
    """An HTTP server on a socket: reads each request whole, records it, then does `then`
    (close the connection, or wait for `release` and answer)."""

    def __init__(self, then: Callable[[asyncio.StreamWriter], Awaitable[None]]) -> None:
        self.then = then
        self.requests: list[bytes] = []
        self.arrived = asyncio.Event()
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/bot"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        self.requests.append(head + await reader.readexactly(length))
        self.arrived.set()
        await self.then(writer)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()


async def test_a_call_without_files_reaches_telegram_as_json_with_every_parameter(
    api: FakeBotApi, bot: Bot
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Chọn", callback_data="pick:1")]])
    sent = await bot.send_message(USER, "Điểm Hạ tầng số: 9,17 — hạng 3", reply_markup=keyboard)
    assert sent.text == "Điểm Hạ tầng số: 9,17 — hạng 3"
    call = (await api.wait_for_calls("sendMessage"))[0]
    assert call.params["chat_id"] == USER
    assert call.params["text"] == "Điểm Hạ tầng số: 9,17 — hạng 3"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "pick:1"
    assert sent.reply_markup == keyboard


async def test_a_file_goes_as_multipart_with_its_name_type_bytes_and_the_other_fields(
    api: FakeBotApi, bot: Bot
) -> None:
    content = bytes(range(256)) * 40
    document = InputFile(content, filename="Báo cáo quý 3.xlsx")
    caption = "Số liệu <b>quý 3</b>"
    sent = await bot.send_document(USER, document, caption=caption, parse_mode="HTML")
    call = (await api.wait_for_calls("sendDocument"))[0]
    upload = call.params["document"]
    assert upload["filename"] == "Báo cáo quý 3.xlsx"
    assert upload["size"] == len(content)
    assert upload["sha256"] == hashlib.sha256(content).hexdigest()
    assert call.params["caption"] == "Số liệu <b>quý 3</b>"
    assert sent.document is not None
    assert sent.document.file_name == "Báo cáo quý 3.xlsx"
    assert sent.caption == "Số liệu quý 3"


async def test_requests_over_plain_http_never_make_the_tls_context(api: FakeBotApi) -> None:
    """A local Bot API server over http: the CA bundle (a good part of a start) is never read."""
    tls_context.cache_clear()
    async with _bot(api.base_url, BotApiRequest()) as plain:
        await plain.get_me()
        await plain.send_message(USER, "xin chào")
    assert tls_context.cache_info().currsize == 0


def test_https_addresses_share_one_tls_context_and_http_ones_need_none() -> None:
    made = tls_for("https://api.telegram.org/bot")
    assert isinstance(made, ssl.SSLContext)
    assert tls_for("HTTPS://api.telegram.org/file/bot") is made
    assert tls_for("http://127.0.0.1:8081/bot") is True


def test_aiohttp_as_the_bot_imports_it_reads_no_ca_bundle_its_unused_default_fails_closed() -> (
    None
):
    """bot.tls.import_aiohttp in a fresh interpreter (this one has aiohttp already): aiohttp's
    default contexts hold no certificate, the verifying one still requires one, and a default
    context made afterwards reads the bundle as usual (the bot's own for https is made so)."""
    probe = (
        "import ssl\n"
        "from bot.tls import import_aiohttp\n"
        "import_aiohttp()\n"
        "from aiohttp import connector\n"
        "verified = connector._SSL_CONTEXT_VERIFIED\n"
        "print(verified.cert_store_stats()['x509_ca'], verified.verify_mode == ssl.CERT_REQUIRED,"
        " ssl.create_default_context().cert_store_stats()['x509_ca'] > 0)\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["0", "True", "True"]


async def test_a_downloaded_file_comes_back_byte_for_byte(api: FakeBotApi, bot: Bot) -> None:
    update = api.private_document("mau.pdf", content=b"%PDF-1.7 minh chung")
    file_id = update["message"]["document"]["file_id"]
    telegram_file = await bot.get_file(file_id)
    assert await telegram_file.download_as_bytearray() == bytearray(b"%PDF-1.7 minh chung")


async def test_an_answer_later_than_the_read_timeout_is_timed_out_and_may_have_arrived(
    api: FakeBotApi,
) -> None:
    api.delay_next("sendMessage", 30, work_done=True)
    async with _bot(api.base_url, BotApiRequest(read_timeout=0.2)) as slow:
        with pytest.raises(TimedOut) as caught:
            await slow.send_message(USER, "trễ")
    assert _may_have_arrived(caught.value)
    assert len(api.sent_messages(USER)) == 1  # it did arrive


async def test_a_long_poll_gets_the_read_timeout_plus_its_own_wait(api: FakeBotApi) -> None:
    api.long_poll_cap = 1.0  # Telegram holds getUpdates that long when nothing comes
    updates = BotApiRequest(connections=1, read_timeout=0.5)
    async with _bot(api.base_url, BotApiRequest(), updates) as polling:
        assert await polling.get_updates(timeout=1) == ()


async def test_no_free_connection_in_time_is_a_pool_timeout_that_was_not_sent() -> None:
    release = asyncio.Event()

    async def answer_when_released(writer: asyncio.StreamWriter) -> None:
        await release.wait()
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 25\r\n\r\n{"ok":true,"result":true}')
        await writer.drain()
        writer.close()

    async with RawServer(answer_when_released) as server:
        request = BotApiRequest(connections=1, pool_timeout=0.05)
        await request.initialize()
        try:
            first = asyncio.create_task(request.post(f"{server.base_url}{TOKEN}/close"))
            await server.arrived.wait()
            with pytest.raises(TimedOut, match="Pool timeout") as caught:
                await request.post(f"{server.base_url}{TOKEN}/close")
            assert not _may_have_arrived(caught.value)
            assert len(server.requests) == 1
            release.set()
            assert await first is True
        finally:
            await request.shutdown()


async def test_a_refused_connection_is_a_network_error_that_was_not_sent() -> None:
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = BotApiRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage")
    finally:
        await request.shutdown()
    assert not isinstance(caught.value, TimedOut)
    assert not _may_have_arrived(caught.value)


async def test_a_connection_closed_after_the_request_was_read_may_have_arrived() -> None:
    async with RawServer(_close) as server:
        request = BotApiRequest()
        await request.initialize()
        try:
            with pytest.raises(NetworkError) as caught:
                await request.post(f"{server.base_url}{TOKEN}/close")
        finally:
            await request.shutdown()
    assert len(server.requests) == 1
    assert _may_have_arrived(caught.value)


async def _send_through_outbound(base_url: str) -> tuple[BaseException, Outbound]:
    """One reply through the bot's outgoing path (bot.outbound) over this client; what it
    raised, and the path's counters."""
    outbound = Outbound(Policy(replies=FAST))
    request = BotApiRequest()
    bot = ExtBot(TOKEN, base_url=base_url, request=request, rate_limiter=outbound)
    await request.initialize()
    await outbound.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(USER, "một lần thôi")
    finally:
        await outbound.shutdown()
        await request.shutdown()
    return caught.value, outbound


async def test_a_reply_whose_connection_dropped_after_sending_is_not_sent_again() -> None:
    async with RawServer(_close) as server:
        raised, outbound = await _send_through_outbound(server.base_url)
    assert isinstance(raised, OutcomeUnknown)
    assert len(server.requests) == 1
    assert outbound.counters["reply"].unknown == 1


async def test_a_reply_that_found_no_server_is_tried_again_then_fails() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    raised, outbound = await _send_through_outbound(f"http://127.0.0.1:{port}/bot")
    assert not isinstance(raised, OutcomeUnknown)
    counts = outbound.counters["reply"]
    assert (counts.retried, counts.failed, counts.unknown) == (FAST.attempts - 1, 1, 0)


async def test_a_request_shut_down_refuses_to_send_until_initialized_again(
    api: FakeBotApi,
) -> None:
    request = BotApiRequest()
    await request.initialize()
    await request.initialize()  # a second time changes nothing (PTB may call it twice)
    await request.shutdown()
    with pytest.raises(NetworkError, match="not initialized"):  # as PTB's HTTPXRequest
        await request.post(f"{api.base_url}{TOKEN}/getMe")
    await request.initialize()
    try:
        me = await request.post(f"{api.base_url}{TOKEN}/getMe")
    finally:
        await request.shutdown()
    assert isinstance(me, dict)
    assert me["username"] == "TroLyDtiBot"
