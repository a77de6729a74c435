"""End to end: leaders' questions in private and in groups, Vietnamese and English; charts,
exports, subscriptions and command menus through the local Bot API server."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from telegram.ext import Application

from bot.app import publish_commands
from domain.messages import split_message
from domain.status import ReviewStatus
from handlers.reminder_job import send_due
from handlers.reports import export_labels, export_row
from parsing.intents import Change
from parsing.intents import Update as UpdateIntent
from reports.export import PillarRow, Summary, workbook_bytes
from scoring.insights import weakest
from services.container import Services
from services.identity import Caller
from services.updates import Preview
from tests.botapi import FakeBotApi
from tests.chat import ADMIN_ID, Chat
from tests.conftest import MovableClock

GROUP = -100200300
LEADER, STRANGER, ENGLISH = 3001, 3002, 3003


async def ask_group(api: FakeBotApi, text: str, *, user_id: int = LEADER, count: int = 1) -> str:
    api.group_text(f"@{api.bot_user['username']} {text}", chat_id=GROUP, user_id=user_id)
    sent = await api.wait_for("sendMessage", count=count, chat_id=GROUP)
    return str(sent[count - 1]["text"])


async def test_every_insight_question_in_a_private_chat(api: FakeBotApi, bot: Application) -> None:
    chat = Chat(api, LEADER, "Lãnh đạo")
    weakest_text = (await chat.say("chỉ số nào mất điểm nhiều nhất"))["text"]
    assert weakest_text.startswith("📉 5 chỉ số mất điểm nhiều nhất")
    assert "8.2 " in weakest_text
    assert "Đủ điểm khi đạt ≥ 50 %" in weakest_text
    gap = (await chat.say("còn thiếu bao nhiêu điểm để đạt 800"))["text"]
    assert "còn thiếu 530,81 điểm" in gap
    what_if = (await chat.say("nếu 8.2 đạt 30% thì tổng điểm bao nhiêu"))["text"]
    assert "Tổng DTI: 269,19 → 291,59" in what_if
    assert "không thay đổi số liệu" in what_if
    two = (await chat.say("nếu 8.2 đạt 30% và 6.6 là 20 thì sao"))["text"]
    assert "Tổng DTI: 269,19 → 300,19" in two
    holders = (await chat.say("ai phối hợp 3.3"))["text"]
    assert (
        "Các doanh nghiệp viễn thông (VNPT Khánh Hòa, Viettel Khánh Hòa, FPT Telecom Khánh Hòa)"
        in holders
    )
    holdings = (await chat.say("Sở Nội vụ chủ trì chỉ số nào"))["text"]
    assert "Chủ trì 4 chỉ số: 4.1, 4.2, 4.3, 4.4" in holdings
    # A group of agencies as Phụ lục I names it: the sub-indices that name it.
    telecoms = (await chat.say("doanh nghiệp viễn thông phối hợp chỉ số nào"))["text"]
    assert "Phối hợp 6 chỉ số: 3.1, 3.2, 3.3, 3.4, 7.4, 8.2" in telecoms
    owed = (await chat.say("Sở Tài chính còn thiếu chỉ số nào"))["text"]
    assert "1/1 cơ quan còn thiếu số liệu" in owed  # what it owes, not what it holds
    late = (await chat.say("cơ quan nào chưa báo cáo"))["text"]
    assert "17/17 cơ quan còn thiếu số liệu" in late
    # A group of agencies (Phụ lục I's "các sở, ban, ngành") means its members, never "0/0".
    departments = (await chat.say("sở ban ngành nào chưa báo cáo"))["text"]
    assert "14/14 cơ quan còn thiếu số liệu" in departments
    assert "Tất cả đã báo cáo đủ" not in departments
    trend = (await chat.say("Hạ tầng số so với quý trước"))["text"]
    assert trend.startswith("📈 3. Hạ tầng số")
    assert "(+90)" in trend
    assert "Năm 2024: hạng 16/34" in (await chat.say("xếp hạng DTI"))["text"]
    assert "/neu 8.2=30%" in (await chat.say("/neu"))["text"]
    assert "Không có chỉ số 8.9" in (await chat.say("nếu 8.9 đạt 30% thì sao"))["text"]


async def test_leaders_ask_in_a_group_by_mention_and_get_a_summary(
    api: FakeBotApi, bot: Application
) -> None:
    summary = await ask_group(api, "tóm tắt")
    assert "Tổng: 269,19/1.000 điểm, ước tính DTI ≈ 0,2692" in summary
    assert "3. Hạ tầng số: 90/200" in summary
    assert "Chưa có số liệu: 33/50" in summary
    assert "Chậm báo cáo quý 4/2025: 17/17 cơ quan" in summary
    assert "4.4" in await ask_group(api, "Sở Nội vụ chủ trì chỉ số nào", count=2)
    api.group_text("/tomtat", chat_id=GROUP, user_id=LEADER)
    assert (
        "ước tính DTI ≈ 0,2692"
        in (await api.wait_for("sendMessage", count=3, chat_id=GROUP))[2]["text"]
    )


async def test_a_stranger_mentioning_the_bot_with_an_unplaceable_question_gets_the_short_help(
    api: FakeBotApi, bot: Application
) -> None:
    text = await ask_group(api, "thời tiết Nha Trang hôm nay", user_id=STRANGER)
    assert text.startswith("Mình chưa hiểu câu hỏi")
    assert "reply_markup" not in api.sent_messages(chat_id=GROUP)[0]


async def test_a_stranger_mentioning_the_bot_with_a_close_call_gets_candidates(
    api: FakeBotApi, bot: Application
) -> None:
    text = await ask_group(api, "nên ưu tiên cải thiện chỉ số nào", user_id=STRANGER)
    assert text.startswith("Ý bạn là:")
    buttons = api.sent_messages(chat_id=GROUP)[0]["reply_markup"]["inline_keyboard"]
    assert 2 <= len(buttons) <= 3


async def test_the_same_questions_in_english_get_english_answers(
    api: FakeBotApi, bot: Application
) -> None:
    def ask(text: str) -> None:
        api.private_text(text, user_id=ENGLISH, first_name="Anna", language_code="en")

    ask("weakest sub-indices")
    sent = await api.wait_for("sendMessage", chat_id=ENGLISH)
    assert sent[0]["text"].startswith("📉 The 5 sub-indices losing the most points")
    assert "7.6/50" in sent[0]["text"]
    ask("what if 8.2 reaches 30%")
    sent = await api.wait_for("sendMessage", count=2, chat_id=ENGLISH)
    assert "Total DTI: 269.19 → 291.59" in sent[1]["text"]
    ask("digital infrastructure score")
    sent = await api.wait_for("sendMessage", count=3, chat_id=ENGLISH)
    assert "0/200 points" in sent[2]["text"]
    ask("/language vi")
    sent = await api.wait_for("sendMessage", count=4, chat_id=ENGLISH)
    assert "tiếng Việt" in sent[3]["text"]
    ask("who leads 3.3")
    sent = await api.wait_for("sendMessage", count=5, chat_id=ENGLISH)
    assert "Chủ trì: Sở Khoa học và Công nghệ" in sent[4]["text"]


async def test_an_english_speaker_asks_in_a_group_and_is_answered_in_english(
    api: FakeBotApi, bot: Application
) -> None:
    api.group_text(
        f"@{api.bot_user['username']} summary", chat_id=GROUP, user_id=ENGLISH, language_code="en"
    )
    sent = await api.wait_for("sendMessage", chat_id=GROUP)
    assert "Total: 269.19/1,000 points, estimated DTI ≈ 0.2692" in sent[0]["text"]


async def test_charts_are_sent_as_photos_and_the_export_as_two_documents(
    api: FakeBotApi, bot: Application
) -> None:
    chat = Chat(api, LEADER)
    api.private_text("/bieudo", user_id=LEADER)
    photo = await api.wait_for("sendPhoto", chat_id=LEADER)
    assert "269,19/1.000" in photo[0]["caption"]
    api.private_text("/bieudo lich su", user_id=LEADER)
    await api.wait_for("sendPhoto", count=2, chat_id=LEADER)
    api.private_text("/bieudo 8.2", user_id=LEADER)
    photos = await api.wait_for("sendPhoto", count=3, chat_id=LEADER)
    assert photos[2]["caption"].startswith("Chỉ số 8.2")
    assert "/bieudo lịch sử" in (await chat.say("/bieudo thời tiết"))["text"]
    api.private_text("/xuatexcel", user_id=LEADER)
    documents = await api.wait_for("sendDocument", count=2, chat_id=LEADER)
    names = [d["document"]["filename"] for d in documents]
    assert names[0].endswith(".xlsx")
    assert names[1].endswith(".csv")


async def test_what_if_equals_the_total_after_storing_the_same_values(services: Services) -> None:
    result = await services.insights.what_if((Change("8.2", "30%"), Change("6.6", "20")))
    assert not hasattr(result, "reason")
    admin = await services.identity.person(Caller(ADMIN_ID, "Quản trị"))
    for code, value in (("8.2", "30%"), ("6.6", "20")):
        preview = await services.updates.preview(admin, UpdateIntent(code, value, None, ""), None)
        assert isinstance(preview, Preview)
        stored = await services.updates.confirm(admin, preview.draft_id)
        await services.review.decide(admin, stored.submission_id, ReviewStatus.APPROVED)  # type: ignore[union-attr]
    assert (await services.scores.scoreboard()).total == result.after.total == D("300.19")  # type: ignore[union-attr]


async def test_the_weakest_list_and_the_gap_agree_with_the_points_of_each_sub_index(
    services: Services,
) -> None:
    board = await services.scores.scoreboard()
    items = weakest(board, 50)
    for item in items:
        assert item.lost == item.sub_index.max_points - (item.points or 0)
    assert [i.lost for i in items] == sorted((i.lost for i in items), reverse=True)
    plan = (await services.insights.gap(800)).plan
    assert plan.gap == D(800) - board.total
    assert sum(step.gain for step in plan.steps) >= plan.gap
    assert all(step.gain == step.score.lost for step in plan.steps)
    assert all(
        not step.no_data for step in plan.steps[len([s for s in plan.steps if s.no_data]) :]
    )


async def test_the_export_holds_every_sub_index_with_the_scoring_modules_points(
    services: Services,
) -> None:
    board, lines = await services.reports.export_lines()
    t = services.texts.for_language("vi")
    _, directory = await services.reports.reference()
    rows = [export_row(t, line, directory, True) for line in lines]
    pillars = tuple(
        PillarRow(p.pillar.code, p.pillar.name, p.points, p.pillar.max_points, p.missing)
        for p in board.pillars
    )
    summary = Summary(
        "DTI", datetime(2025, 11, 30, tzinfo=UTC), board.total, D(1000), board.dti, D(800), pillars
    )
    book = load_workbook(
        io.BytesIO(workbook_bytes(summary, rows, export_labels(t), services.calendar.zone))
    )
    sheet = book[t("export.sheet.sub_indices")]
    found = {r[0]: r[7] for r in sheet.iter_rows(min_row=2, values_only=True)}
    expected = {s.sub_index.code: s.points for p in board.pillars for s in p.sub_scores}
    assert found.keys() == expected.keys()
    assert all((found[c] is None) == (expected[c] is None) for c in expected)
    assert all(expected[c] is None or D(str(found[c])) == expected[c] for c in expected)


async def test_a_weekly_subscription_arrives_once_per_week_across_restarts_of_the_tick(
    api: FakeBotApi, bot: Application, services: Services, clock: MovableClock
) -> None:
    api.group_text("/dangkytomtat tuan t2 08:00", chat_id=GROUP, user_id=ADMIN_ID)
    sent = await api.wait_for("sendMessage", chat_id=GROUP)
    assert "mỗi thứ Hai lúc 08:00" in sent[0]["text"]
    day = date(2025, 12, 1)  # a Monday
    for _ in range(21):
        for hour in (0, 1, 5):  # 07:00, 08:00 and 12:00 local
            clock.now = datetime(day.year, day.month, day.day, hour, 5, tzinfo=UTC)
            await send_due(bot.bot, services)
        day += timedelta(days=1)
    digests = [m for m in api.sent("sendMessage", chat_id=GROUP)[1:] if "DTI ≈ " in m["text"]]
    assert len(digests) == 3


async def test_only_leaders_and_administrators_subscribe_a_group(
    api: FakeBotApi, bot: Application
) -> None:
    api.group_text("/dangkytomtat tuan", chat_id=GROUP, user_id=STRANGER)
    sent = await api.wait_for("sendMessage", chat_id=GROUP)
    assert "Chỉ lãnh đạo hoặc quản trị viên" in sent[0]["text"]
    api.group_text("/dangkytomtat hangngay", chat_id=GROUP, user_id=ADMIN_ID)
    sent = await api.wait_for("sendMessage", count=2, chat_id=GROUP)
    assert "Gõ: /dangkytomtat tuan" in sent[1]["text"]


async def test_command_menus_are_published_per_language_and_scope(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    await publish_commands(bot, services)
    calls = api.sent("setMyCommands")
    scopes = {(c["scope"]["type"], c.get("language_code")) for c in calls}
    assert {("all_private_chats", None), ("all_group_chats", None), ("chat", None)} <= scopes
    assert {("all_private_chats", "en"), ("all_group_chats", "en"), ("chat", "en")} <= scopes
    private_en = next(
        c
        for c in calls
        if c["scope"]["type"] == "all_private_chats" and c.get("language_code") == "en"
    )
    assert any(cmd["description"].startswith("Summary") for cmd in private_en["commands"])


def test_a_long_answer_is_split_between_lines_and_never_inside_a_word() -> None:
    text = "\n".join(f"dòng {n} " + "chữ " * 30 for n in range(300))
    parts = split_message(text, limit=1000)
    assert all(len(p) <= 1000 for p in parts)
    assert "\n".join(parts).split() == text.split()
    huge = "từ " * 2000
    assert all(len(p) <= 1000 and not p.endswith("t") for p in split_message(huge, limit=1000))


GROUP_QUESTIONS = {
    "vi": [
        ("chỉ số nào mất điểm nhiều nhất", "📉 5 chỉ số mất điểm nhiều nhất"),
        ("còn thiếu bao nhiêu điểm để đạt 800", "còn thiếu 530,81 điểm"),
        ("nếu 8.2 đạt 30% thì tổng điểm bao nhiêu", "269,19 → 291,59"),
        ("ai chủ trì 3.3", "Chủ trì: Sở Khoa học và Công nghệ"),
        ("Sở Nội vụ chủ trì chỉ số nào", "Chủ trì 4 chỉ số"),
        ("cơ quan nào chưa báo cáo", "hạn 25/12/2025"),
        ("Hạ tầng số so với quý trước", "Cuối quý 3/2025"),
        ("xếp hạng", "hạng 16/34"),
        ("tổng điểm DTI", "269,19/1.000 điểm"),
    ],
    "en": [
        ("weakest sub-indices", "📉 The 5 sub-indices losing the most points"),
        ("how far to reach 800", "530.81 points short"),
        ("what if 8.2 reaches 30%", "269.19 → 291.59"),
        ("who leads 3.3", "Lead: Sở Khoa học và Công nghệ"),
        ("which sub-indices does Sở Nội vụ lead", "Leads 4 sub-indices"),
        ("late agencies", "due 25 Dec 2025"),
        ("infrastructure compared with last quarter", "End of Q3/2025"),
        ("ranking", "rank 16/34"),
        ("total DTI score", "269.19/1,000 points"),
    ],
}


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_every_question_kind_in_a_group_in_each_language(
    api: FakeBotApi, bot: Application, lang: str
) -> None:
    for n, (question, expected) in enumerate(GROUP_QUESTIONS[lang], 1):
        api.group_text(
            f"@{api.bot_user['username']} {question}",
            chat_id=GROUP,
            user_id=LEADER,
            language_code=lang,
        )
        sent = await api.wait_for("sendMessage", count=n, chat_id=GROUP)
        assert expected in sent[n - 1]["text"], (question, sent[n - 1]["text"])
