"""Unhandled errors reach the operator chat: kind, place and incident id only, at most once per
kind per ten minutes (on the test's clock)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from bot.operator import Incident, Throttle, incident_of
from bot.settings import Settings
from handlers.context import Context
from services.container import Services
from tests.botapi import TOKEN, FakeBotApi
from tests.conftest import MovableClock, running_bot

OPERATOR_CHAT = -100777888999


async def broken_command(update: Update, context: Context) -> None:
    raise ZeroDivisionError("a message that quotes the user: " + str(update.effective_message))


def test_an_incident_names_the_error_type_and_the_innermost_place_in_the_bot_s_code() -> None:
    from scoring.loading import parse_directory

    try:
        parse_directory("agencies: 3", "bad.yaml")
    except ValueError as exc:
        incident = incident_of(exc, "abcd1234")
    assert incident.kind == "FileError"
    assert incident.where.startswith("scoring.yaml_reader:")  # where files are read
    assert incident.where.endswith("(items)")  # where it was raised, not where it was called
    assert "bad.yaml" not in incident.where  # the message stays out of the report


def test_the_throttle_admits_one_report_per_kind_per_window_and_counts_the_rest() -> None:
    clock = MovableClock(datetime(2025, 12, 1, tzinfo=UTC))
    throttle = Throttle(clock, timedelta(minutes=10))
    first, other = Incident("1", "KeyError", "a:1 (f)"), Incident("2", "KeyError", "b:2 (g)")
    assert throttle.admit(first) == 0
    assert throttle.admit(first) is None
    assert throttle.admit(other) == 0  # another place is another kind
    clock.advance(minutes=9, seconds=59)
    assert throttle.admit(first) is None
    clock.advance(seconds=1)
    assert throttle.admit(first) == 2  # two held back since the last report


async def test_an_unhandled_error_is_reported_to_the_operator_chat_once_per_ten_minutes(
    api: FakeBotApi,
    settings: Settings,
    services: Services,
    clock: MovableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="bot.operator")
    local = settings.model_copy(update={"operator_chat_id": OPERATOR_CHAT})
    async with running_bot(api, local, services) as app:
        app.add_handler(CommandHandler("hong", broken_command), group=-3)
        for n in range(1, 3):  # each time: "Xin lỗi, đã có lỗi", then "Không có lệnh /hong"
            api.private_text("/hong bí mật 123", first_name="Lan")
            await api.wait_for("sendMessage", count=2 * n, chat_id=1001)
        reports = await api.wait_for("sendMessage", chat_id=OPERATOR_CHAT)
        clock.advance(minutes=10)
        api.private_text("/hong bí mật 123", first_name="Lan")
        reports = await api.wait_for("sendMessage", count=2, chat_id=OPERATOR_CHAT)
    assert len(api.sent("sendMessage", chat_id=OPERATOR_CHAT)) == 2
    first, second = (r["text"] for r in reports)
    assert "ZeroDivisionError" in first
    assert "tests.test_operator:" in first
    assert "(broken_command)" in first
    for text in (first, second):
        assert "bí mật" not in text  # neither what the user typed …
        assert "Lan" not in text  # … nor their name …
        assert TOKEN not in text  # … nor the token
    assert "thêm 1 lần" in second  # the second failure was held back, and is counted
    logged = re.findall(r"incident ([0-9a-f]{8}): ZeroDivisionError", caplog.text)
    assert len(logged) == 3  # every failure has its id in the log
    assert f"Mã sự cố: {logged[0]}" in first
    assert f"Mã sự cố: {logged[2]}" in second


async def test_without_an_operator_chat_nothing_is_sent_but_the_user_s_apology(
    api: FakeBotApi, settings: Settings, services: Services
) -> None:
    async with running_bot(api, settings, services) as app:
        app.add_handler(CommandHandler("hong", broken_command), group=-3)
        api.private_text("/hong")
        await api.wait_for("sendMessage", count=2, chat_id=1001)
    assert {p["chat_id"] for p in api.sent("sendMessage")} == {1001}
