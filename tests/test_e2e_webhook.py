"""End to end in webhook mode: Telegram's POSTs (made here by the test) through the bot's aiohttp
server, the secret checked, bodies checked, each update recorded and answered once."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.logs import MASK, SECRETS
from bot.runtime import Runtime
from bot.settings import Settings
from storage import journal
from tests.botapi import FakeBotApi
from tests.intake import (
    SECRET,
    eventually,
    journal_statuses,
    post,
    running,
    webhook_path,
    webhook_settings,
)


async def test_the_webhook_is_registered_with_the_secret_and_the_configured_updates(
    api: FakeBotApi, settings: Settings, runtime: Runtime
) -> None:
    changes = webhook_settings(webhook_drop_pending=True, allowed_updates=("message",))
    async with running(api, settings, runtime, **changes) as bot:
        (call,) = await api.wait_for("setWebhook")
    assert call["url"] == bot.webhook_url == api.webhook_url
    assert call["url"].startswith("https://bot.example.test/dti/telegram/")
    assert call["secret_token"] == SECRET
    assert call["allowed_updates"] == ["message"]
    assert call["drop_pending_updates"] is True
    assert api.token not in call["url"]
    assert SECRET not in call["url"]
    assert not api.sent("getUpdates")


async def test_a_post_without_the_secret_or_with_a_wrong_one_gets_401_and_nothing_runs(
    api: FakeBotApi, settings: Settings, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(api, settings, runtime, **webhook_settings()) as bot:
        await api.wait_for("setWebhook")
        path = webhook_path(api)
        missing = api.private_text("/khong_bi_mat")
        assert (await post(bot, path, missing, secret=None))[0] == 401
        wrong = api.private_text("/sai_bi_mat")
        assert (await post(bot, path, wrong, secret=SECRET[:-1] + "X"))[0] == 401
        right = api.private_text("/dung_bi_mat")
        assert await post(bot, path, right) == (200, "ok")
        sent = await api.wait_for("sendMessage", chat_id=1001)
        await eventually(lambda: bot.metrics.updates_handled._value.get() == 1, "handled")
        statuses = await journal_statuses(bot)
        rejected = bot.metrics.webhook_rejected.labels("secret")._value.get()
    assert len(sent) == 1
    assert "/dung_bi_mat" in sent[0]["text"]
    assert statuses == {journal.HANDLED: 1}  # the refused ones were never even recorded
    assert rejected == 2
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret" in logged
    assert SECRET[:-1] not in logged


async def test_oversized_non_json_and_non_update_bodies_are_refused(
    api: FakeBotApi, settings: Settings, runtime: Runtime
) -> None:
    async with running(api, settings, runtime, **webhook_settings(webhook_max_body=4096)) as bot:
        await api.wait_for("setWebhook")
        path = webhook_path(api)
        huge = api.private_text("hạ tầng " * 1000)
        assert (await post(bot, path, huge))[0] == 413
        assert (await post(bot, path, b"\xff\xfe not json"))[0] == 400
        assert (await post(bot, path, b"[1, 2, 3]"))[0] == 400
        assert (await post(bot, path, {"message": {"text": "no id"}}))[0] == 400
        assert (await post(bot, path.replace("/telegram/", "/telegram/x"), huge))[0] == 404
        rejected = {
            reason: bot.metrics.webhook_rejected.labels(reason)._value.get()
            for reason in ("too_large", "not_json", "not_update")
        }
        assert await journal_statuses(bot) == {}
    assert rejected == {"too_large": 1, "not_json": 1, "not_update": 2}
    assert not api.sent("sendMessage")


async def test_a_retried_post_is_answered_once_and_an_unreadable_update_is_skipped(
    api: FakeBotApi, settings: Settings, runtime: Runtime
) -> None:
    async with running(api, settings, runtime, **webhook_settings()) as bot:
        await api.wait_for("setWebhook")
        path = webhook_path(api)
        sender = {"id": 1001, "is_bot": False, "first_name": "Lan"}
        unreadable = {"update_id": 5, "callback_query": {"id": "1", "from": sender}}
        assert await post(bot, path, unreadable) == (200, "ok")  # Telegram must not resend it
        update = api.private_text("/mot_lan")
        for _ in range(3):  # Telegram retries when an answer is slow or lost
            assert await post(bot, path, update) == (200, "ok")
        again = api.private_text("/cung_luc")  # the same update on three connections at once
        answers = await asyncio.gather(*(post(bot, path, again) for _ in range(3)))
        assert answers == [(200, "ok")] * 3
        await api.wait_for("sendMessage", count=2, chat_id=1001)
        await eventually(lambda: bot.metrics.updates_handled._value.get() == 2, "handled")
        assert bot.metrics.updates_duplicate._value.get() == 4
        assert bot.metrics.updates_unparseable._value.get() == 1
        assert await journal_statuses(bot) == {journal.HANDLED: 2, journal.SKIPPED: 1}
    assert len(api.sent("sendMessage")) == 2


async def test_an_update_the_database_could_not_record_gets_503_so_telegram_sends_it_again(
    api: FakeBotApi, settings: Settings, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(api, settings, runtime, **webhook_settings()) as bot:
        await api.wait_for("setWebhook")
        path = webhook_path(api)

        async def broken(*args: object, **kwargs: object) -> set[int]:
            raise OSError("disk I/O error")

        monkeypatch.setattr(journal, "record_many", broken)
        update = api.private_text("/sau")
        assert (await post(bot, path, update))[0] == 503
        monkeypatch.undo()
        assert (await post(bot, path, update))[0] == 200
        sent = await api.wait_for("sendMessage", chat_id=1001)
    assert len(sent) == 1


async def test_without_a_configured_secret_one_is_generated_kept_and_never_logged(
    api: FakeBotApi, settings: Settings, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")  # libraries stay at INFO (bot.logs)
    changes = webhook_settings(webhook_secret=None)
    async with running(api, settings, runtime, **changes) as bot:
        (first,) = await api.wait_for("setWebhook")
        update = api.private_text("/bi_mat_tu_tao")
        status, _ = await post(bot, webhook_path(api), update, secret=first["secret_token"])
        assert status == 200
        await api.wait_for("sendMessage", chat_id=1001)
    async with running(api, settings, runtime, **changes):
        second = (await api.wait_for("setWebhook", count=2))[1]
    secret = first["secret_token"]
    assert len(secret) >= 32
    assert second["secret_token"] == secret
    assert second["url"] == first["url"]
    assert secret not in "\n".join(r.getMessage() for r in caplog.records)
    assert SECRETS(f"secret_token={secret}") == f"secret_token={MASK}"  # hidden if printed
