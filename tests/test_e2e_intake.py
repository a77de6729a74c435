"""End to end over the bot's own long polling (bot.polling): every update recorded before Telegram
is told it arrived, handled once, in order per person, and an unreadable one skipped."""

from __future__ import annotations

import json
import logging
import re

import aiohttp
import pytest
from sqlalchemy import text

from bot.outbound import Outbound, Policy
from bot.runtime import Runtime, Serving, serving
from bot.settings import Settings
from storage import journal
from tests.botapi import FakeBotApi
from tests.conftest import MovableClock
from tests.intake import eventually, journal_statuses, local, record_command, running, until
from tests.templates import Templates

DEAD = "an-old-host:4242:0badc0de"  # the owner of claims left by a process that crashed


async def confirm(api: FakeBotApi, offset: int) -> None:
    """What a poller does: getUpdates with an offset confirms every update before it."""
    url = f"{api.base_url}{api.token}/getUpdates"
    async with aiohttp.ClientSession() as http, http.post(url, json={"offset": offset}) as r:
        assert r.status == 200


def replies(api: FakeBotApi, chat_id: int) -> list[str]:
    """The unknown commands each reply names ("Không có lệnh /q3 …"), in the order sent."""
    found = (
        re.search(r"/(\w+)", str(m["text"])) for m in api.sent("sendMessage", chat_id=chat_id)
    )
    return [match.group(1) for match in found if match]


async def test_a_question_is_answered_and_its_update_recorded_as_handled(
    api: FakeBotApi, settings: Settings, runtime: Runtime
) -> None:
    async with running(api, settings, runtime) as bot:
        api.private_text("tổng điểm DTI")
        sent = await api.wait_for("sendMessage", chat_id=1001)
        assert sent[0]["text"].startswith("📊 Tổng điểm DTI")
        await eventually(lambda: bot.metrics.updates_handled._value.get() == 1, "handled")
        assert await journal_statuses(bot) == {journal.HANDLED: 1}
    assert api.sent("deleteWebhook")  # polling starts by removing any webhook


async def test_polling_asks_for_updates_before_the_command_menus_are_published(
    api: FakeBotApi, settings: Settings, runtime: Runtime
) -> None:
    """The menus (and the catalogs they read) wait until the first getUpdates has left."""
    async with running(api, settings, runtime) as bot:
        assert bot.poller is not None
        await api.wait_for("setMyCommands", count=2)
        assert bot.poller.asked.is_set()
    methods = [call.method for call in api.calls]
    assert methods.index("getUpdates") < methods.index("setMyCommands")


async def test_an_unreadable_update_is_logged_once_counted_and_skipped_and_the_next_answered(
    api: FakeBotApi, settings: Settings, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    # From a Bot API server older than the library: a button press without chat_instance.
    sender = {"id": 1001, "is_bot": False, "first_name": "Lan"}
    bad = api.push_update({"callback_query": {"id": "77", "from": sender, "data": "x"}})
    async with running(api, settings, runtime) as bot:
        api.private_text("/xoasach")
        sent = await api.wait_for("sendMessage", chat_id=1001)
        assert "Không có lệnh /xoasach" in sent[0]["text"]
        assert bot.metrics.updates_unparseable._value.get() == 1
        await eventually(lambda: bot.metrics.updates_handled._value.get() == 1, "handled")
        statuses = await journal_statuses(bot)
    assert statuses == {journal.SKIPPED: 1, journal.HANDLED: 1}
    lines = [r for r in caplog.records if str(bad["update_id"]) in r.getMessage()]
    assert len(lines) == 1
    assert lines[0].levelno == logging.WARNING
    assert len(lines[0].getMessage()) < 700
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    offsets = [c.params.get("offset") for c in api.calls if c.method == "getUpdates"]
    assert max(o for o in offsets if o) > bad["update_id"]  # confirmed: never fetched again


async def test_updates_recorded_before_a_crash_are_answered_once_after_the_restart(
    api: FakeBotApi, settings: Settings, runtime: Runtime, clock: MovableClock
) -> None:
    left = [api.private_text(f"/q{n}", user_id=3000 + n % 3) for n in range(6)]
    async with runtime.sessions() as session, session.begin():
        for update in left:  # a process recorded them ...
            await journal.record(
                session, int(api.bot_user["id"]), update["update_id"], "message",
                json.dumps(update), owner=DEAD, now=clock(),
            )  # fmt: skip
    await confirm(api, left[-1]["update_id"] + 1)  # ... confirmed them to Telegram ...
    api.push_update(left[0])  # ... though Telegram sends one of them again anyway
    async with running(api, settings, runtime) as bot:  # ... and died; now it starts again
        api.private_text("/later", user_id=3000)
        await api.wait_for("sendMessage", count=7)
        await eventually(lambda: bot.metrics.updates_handled._value.get() == 7, "7 handled")
        assert bot.metrics.updates_recovered._value.get() == 6
        assert bot.metrics.updates_duplicate._value.get() == 1
        assert await journal_statuses(bot) == {journal.HANDLED: 7}
    for user in (3000, 3001, 3002):
        expected = [f"/q{n}" for n in range(6) if 3000 + n % 3 == user]
        expected += ["/later"] if user == 3000 else []
        assert replies(api, user) == [
            e.lstrip("/") for e in expected
        ]  # each once, in order, old ones first


async def test_a_burst_from_one_person_is_answered_in_order_while_others_go_ahead(
    api: FakeBotApi, settings: Settings, runtime: Runtime
) -> None:
    # Telegram's pace into one private chat (about one a second after a burst of three, kept by
    # bot.outbound) holds the fourth answer of the burst; others are answered meanwhile.
    async with running(api, settings, runtime, max_concurrent_updates=4):
        for n in range(6):
            api.private_text(f"/a{n}", user_id=4000)
        await api.wait_for("sendMessage", count=3, chat_id=4000, timeout=30)
        for other in range(4001, 4006):
            api.private_text(f"/b{other}", user_id=other)
        await api.wait_for("sendMessage", count=6, chat_id=4000, timeout=30)
        await api.wait_for("sendMessage", count=6 + 5, timeout=30)
    assert replies(api, 4000) == [f"a{n}" for n in range(6)]
    sent = [int(c.params["chat_id"]) for c in api.calls if c.method == "sendMessage"]
    held = [i for i, chat in enumerate(sent) if chat == 4000][3]
    assert all(sent.index(other) < held for other in range(4001, 4006))


async def test_an_answer_cut_off_by_a_stop_is_given_after_the_restart_and_only_then(
    api: FakeBotApi, settings: Settings, runtime: Runtime
) -> None:
    # The stop gives the held send a fifth of a second (5 s in the field, the same code).
    outbound = Outbound(Policy(stop_grace=0.2))
    async with serving(local(settings, api), runtime, outbound=outbound):
        api.private_text("/truoc")
        await api.wait_for("sendMessage", chat_id=1001)
        api.fail_next("sendMessage", status=429, retry_after=60)  # held past the stop's grace
        api.private_text("/bi_cat")

        def held() -> bool:  # Telegram answered 429: the send waits for a minute
            return [c.status for c in api.calls if c.method == "sendMessage"] == [200, 429]

        await eventually(held, "the held send")
    assert replies(api, 1001) == ["truoc"]
    async with running(api, settings, runtime) as bot:
        await api.wait_for("sendMessage", count=2, chat_id=1001)
        await eventually(lambda: bot.metrics.updates_handled._value.get() == 1, "handled")
        assert bot.metrics.updates_recovered._value.get() == 1
        assert await journal_statuses(bot) == {journal.HANDLED: 2}
    assert replies(api, 1001) == ["truoc", "bi_cat"]


async def test_recovery_leaves_alone_what_the_intake_is_recording_at_that_moment(
    api: FakeBotApi, settings: Settings, runtime: Runtime, clock: MovableClock
) -> None:
    async with running(api, settings, runtime) as bot:
        await record_command(bot, runtime, clock(), 999, "/dang_ghi")
        bot.inbound._recording = {999}  # committed, not yet handed on by the intake
        assert await bot.inbound.recover() == 0
        bot.inbound._recording = set()  # as if the intake never handed it on
        assert await bot.inbound.recover() == 1
        await api.wait_for("sendMessage", chat_id=1001)
    assert replies(api, 1001) == ["dang_ghi"]


async def test_an_update_that_could_not_be_recorded_is_not_confirmed_and_comes_again(
    api: FakeBotApi, settings: Settings, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(api, settings, runtime) as bot:
        assert bot.poller is not None
        bot.poller.first_pause = 0.05  # the pause after a failed batch (1 s in the field)
        real = journal.record_many
        failures = []

        async def broken(*args: object, **kwargs: object) -> set[int]:
            failures.append(1)
            monkeypatch.setattr(journal, "record_many", real)  # the database is back
            raise OSError("disk I/O error")

        monkeypatch.setattr(journal, "record_many", broken)
        api.private_text("/once")
        sent = await api.wait_for("sendMessage", chat_id=1001, timeout=10)
        assert len(sent) == 1
        assert "/once" in sent[0]["text"]
        assert failures == [1]
        assert bot.poller is not None
        assert bot.poller.failures == 0


async def test_each_database_records_answers_and_marks_an_update_the_journal_on_its_engine(
    api: FakeBotApi,
    settings: Settings,
    database_url: str,
    clock: MovableClock,
    templates: Templates,
) -> None:
    """The served bot on SQLite and on PostgreSQL: an update is recorded, answered and marked
    handled. On PostgreSQL the journal writes through an engine of its own whose commits do
    not wait for the disk (storage.db.make_journal_engine); everything else through the
    bot's own."""
    on_database = settings.model_copy(update={"database_url": database_url})
    async with (
        templates.open_runtime(on_database, clock) as runtime,
        running(api, on_database, runtime) as bot,
    ):
        api.private_text("/ghi_lai")
        await api.wait_for("sendMessage", chat_id=1001)
        await until(lambda: _statuses_are(bot, {journal.HANDLED: 1}), "the update marked handled")
        claims = bot.inbound.claims.kw["bind"]
        if database_url.startswith("sqlite"):
            assert claims is runtime.engine
        else:
            assert claims is not runtime.engine
            async with claims.connect() as connection:
                assert await connection.scalar(text("SHOW synchronous_commit")) == "off"
    assert replies(api, 1001) == ["ghi_lai"]


async def _statuses_are(bot: Serving, expected: dict[str, int]) -> bool:
    return await journal_statuses(bot) == expected
