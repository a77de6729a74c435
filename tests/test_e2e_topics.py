"""End to end: in a supergroup with topics, every reply goes to the topic the question came from:
answers, button-driven answers, photos and documents, and the summaries a topic subscribed to."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from telegram.ext import Application

from handlers.reminder_job import send_due
from services.container import Services
from tests.botapi import FakeBotApi
from tests.chat import ADMIN_ID
from tests.conftest import MovableClock
from tests.test_e2e_reminders import at_eight, link, no_sleep

GROUP = -100200300
LEADER = 3001
MENTION = "@TroLyDtiBot"


def in_group(api: FakeBotApi, method: str = "sendMessage") -> list[dict[str, Any]]:
    """What the bot sent to the group, as Telegram stored it (with its topic)."""
    sent = [m for m in api.sent_messages(chat_id=GROUP) if m["from"]["id"] == api.bot_user["id"]]
    key = {"sendMessage": "text", "sendPhoto": "photo", "sendDocument": "document"}[method]
    return [m for m in sent if key in m]


async def test_a_question_asked_in_a_topic_is_answered_in_that_topic(
    api: FakeBotApi, bot: Application
) -> None:
    reports = api.create_topic("Báo cáo", chat_id=GROUP)
    other = api.create_topic("Hỏi đáp", chat_id=GROUP)
    api.group_text(f"{MENTION} tổng điểm DTI", chat_id=GROUP, thread_id=reports)
    api.group_text(f"{MENTION} điểm Hạ tầng số", chat_id=GROUP, thread_id=other)
    api.group_text(f"{MENTION} tóm tắt", chat_id=GROUP)  # the General topic
    await api.wait_for("sendMessage", count=3, chat_id=GROUP)
    where = {m.get("message_thread_id"): m["text"] for m in in_group(api)}
    assert where.keys() == {reports, other, None}
    assert where[reports].startswith("📊 Tổng điểm DTI")
    assert where[other].startswith("📊 3. Hạ tầng số")
    assert "Tổng: 269,19/1.000 điểm" in where[None]


async def test_a_suggestion_button_pressed_in_a_topic_answers_in_that_topic(
    api: FakeBotApi, bot: Application
) -> None:
    topic = api.create_topic("Hỏi đáp", chat_id=GROUP)
    api.group_text(f"{MENTION} hạ tầng số đang mất bao nhiêu điểm", chat_id=GROUP, thread_id=topic)
    await api.wait_for("sendMessage", chat_id=GROUP)
    suggestion = in_group(api)[0]
    assert suggestion["message_thread_id"] == topic
    assert suggestion["text"].startswith("Ý bạn là:")
    button = suggestion["reply_markup"]["inline_keyboard"][0][0]
    api.callback_query(button["callback_data"], message=suggestion, user_id=LEADER)
    await api.wait_for("answerCallbackQuery")
    await api.wait_for("sendMessage", count=2, chat_id=GROUP)
    answer = in_group(api)[1]
    assert answer["text"].startswith("📊 ")
    assert answer["message_thread_id"] == topic


async def test_charts_exports_and_refusals_go_to_the_topic_they_were_asked_in(
    api: FakeBotApi, bot: Application
) -> None:
    topic = api.create_topic("Biểu đồ", chat_id=GROUP)
    api.group_text("/bieudo", chat_id=GROUP, thread_id=topic, user_id=LEADER)
    api.group_text("/xuatexcel", chat_id=GROUP, thread_id=topic, user_id=LEADER)
    api.group_text("/duyet", chat_id=GROUP, thread_id=topic, user_id=ADMIN_ID)
    await api.wait_for("sendPhoto", chat_id=GROUP)
    await api.wait_for("sendDocument", count=2, chat_id=GROUP)
    await api.wait_for("sendMessage", chat_id=GROUP)
    sent = in_group(api, "sendPhoto") + in_group(api, "sendDocument") + in_group(api)
    assert len(sent) == 4
    assert all(m["message_thread_id"] == topic for m in sent)
    assert "tin nhắn riêng" in in_group(api)[0]["text"]


async def test_only_a_mention_or_a_reply_to_the_bot_is_a_question_in_a_topic_it_opened(
    api: FakeBotApi, bot: Application
) -> None:
    # Every message in a topic "replies" to the topic's first message; that is not a question.
    topic = api.create_topic("Trợ lý", chat_id=GROUP, user_id=api.bot_user["id"])
    api.group_text("hôm nay họp lúc mấy giờ", chat_id=GROUP, thread_id=topic)
    api.group_text(f"{MENTION} HTS", chat_id=GROUP, thread_id=topic)
    await api.wait_for("sendMessage", chat_id=GROUP)
    api.group_text("tổng điểm DTI", chat_id=GROUP, thread_id=topic, reply_to_bot=True)
    await api.wait_for("sendMessage", count=2, chat_id=GROUP)
    answers = in_group(api)
    assert answers[0]["text"].startswith("📊 3. Hạ tầng số")
    assert answers[1]["text"].startswith("📊 Tổng điểm DTI")
    assert all(m["message_thread_id"] == topic for m in answers)


async def test_a_summary_subscribed_in_a_topic_arrives_in_that_topic(
    api: FakeBotApi, bot: Application, services: Services, clock: MovableClock
) -> None:
    topic = api.create_topic("Tóm tắt tuần", chat_id=GROUP)
    api.group_text("/dangkytomtat tuan t2 08:00", chat_id=GROUP, thread_id=topic, user_id=ADMIN_ID)
    await api.wait_for("sendMessage", chat_id=GROUP)
    assert in_group(api)[0]["message_thread_id"] == topic
    clock.now = datetime(2025, 12, 1, 1, 5, tzinfo=UTC)  # Monday 08:05 local
    await send_due(bot.bot, services, sleep=no_sleep)
    digest = in_group(api)[1]
    assert "DTI ≈ " in digest["text"]
    assert digest["message_thread_id"] == topic

    # Subscribed again from the General topic: the next one goes there.
    api.group_text("/dangkytomtat tuan t2 08:00", chat_id=GROUP, user_id=ADMIN_ID)
    await api.wait_for("sendMessage", count=3, chat_id=GROUP)
    clock.now += timedelta(days=7)
    await send_due(bot.bot, services, sleep=no_sleep)
    later = in_group(api)[3]
    assert "DTI ≈ " in later["text"]
    assert later.get("message_thread_id") is None


async def test_a_leaders_group_registered_in_a_topic_gets_its_summaries_there(
    api: FakeBotApi, bot: Application, services: Services, clock: MovableClock
) -> None:
    await link(services, 2001, "SNV")
    topic = api.create_topic("Lãnh đạo", chat_id=GROUP)
    api.group_text("/nhomlanhdao", chat_id=GROUP, thread_id=topic, user_id=ADMIN_ID)
    await api.wait_for("sendMessage", chat_id=GROUP)
    assert in_group(api)[0]["message_thread_id"] == topic
    clock.now = at_eight(date(2025, 12, 26))  # the day after the quarter's deadline
    report = await send_due(bot.bot, services, sleep=no_sleep)
    assert report.failed == []
    summary = in_group(api)[1]
    assert "Sở Nội vụ: " in summary["text"]
    assert summary["message_thread_id"] == topic
