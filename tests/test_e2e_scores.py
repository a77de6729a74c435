"""End to end: the real Application, long-polling the local Bot API server, answering people."""

from __future__ import annotations

import re
from dataclasses import replace

from telegram.ext import Application

from bot.settings import Settings
from parsing.intents import Score
from services.container import Services
from services.scores import ScoreAnswer, ScoreService
from tests.botapi import FakeBotApi
from tests.conftest import running_bot

INFRA_MAXIMA = ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7"]


async def reply_to(api: FakeBotApi, chat_id: int = 1001) -> str:
    sent = await api.wait_for("sendMessage", chat_id=chat_id)
    return str(sent[-1]["text"])


async def test_a_private_question_about_digital_infrastructure_gets_the_pillar_breakdown(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("điểm Hạ tầng số hiện tại")
    text = await reply_to(api)
    assert text.startswith("📊 3. Hạ tầng số")
    assert "Bộ chỉ số: Bộ chỉ số DTI cấp tỉnh năm 2025" in text
    assert "90/200 điểm" in text
    lines = [line for line in text.splitlines() if line[:3] in INFRA_MAXIMA]
    assert [line[:3] for line in lines] == INFRA_MAXIMA
    maxima = [re.search(r": (?:[\d,]+/|chưa có số liệu, tối đa )(\d+)", line) for line in lines]
    assert [m[1] if m else "" for m in maxima] == ["30"] * 6 + ["20"]
    assert all("chủ trì Sở KH&CN" in line for line in lines)
    # The 2025 figures of Báo cáo 05-BC/BCĐ, section III.3: estimated points, the value, where.
    for code, value in (("3.1", "100 %"), ("3.3", "134,9 thuê bao/100 dân"), ("3.4", "102,92 %")):
        line = next(line for line in lines if line.startswith(code))
        assert "30/30 ○ 2025" in line
        assert f"↳ {value} · Báo cáo 05-BC/BCĐ" in text
    assert text.count("mục III.3") == 3
    assert "Điểm gồm: 0 chính thức, 0 báo cáo, 3 ước tính; 4 chưa có số liệu" in text
    assert "Chưa có số liệu: 4/7 chỉ số thành phần" in text
    assert "○ ước tính" in text
    assert "Mục tiêu 800: còn thiếu 530,81 điểm" in text


async def test_the_question_without_diacritics_gets_the_same_answer(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("điểm Hạ tầng số hiện tại")
    first = await reply_to(api)
    api.private_text("diem ha tang so")
    sent = await api.wait_for("sendMessage", count=2, chat_id=1001)
    assert sent[1]["text"] == first


async def test_the_total_shows_points_with_a_decimal_comma_and_the_dti_value(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("tổng điểm DTI")
    text = await reply_to(api)
    assert "269,19/1.000 điểm" in text
    assert "ước tính DTI ≈ 0,2692" in text
    assert "6. Hoạt động Chính quyền số: 79,04/200" in text
    assert "Chưa có số liệu: 33/50" in text
    assert "năm 2024" in text


async def test_a_sub_index_answer_gives_points_period_source_and_agencies(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("chỉ số 6.4 được bao nhiêu điểm")
    text = await reply_to(api)
    assert "9,17/20" in text
    assert "năm 2024" in text
    assert "Báo cáo 05-BC/BCĐ" in text
    assert "Chủ trì: Văn phòng UBND tỉnh" in text


async def test_the_score_command_takes_an_abbreviation(api: FakeBotApi, bot: Application) -> None:
    api.private_text("/diem CQS")
    assert (await reply_to(api)).startswith("📊 6. Hoạt động Chính quyền số")


async def test_a_question_with_two_close_readings_gets_buttons_whose_press_answers(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("hạ tầng số đang mất bao nhiêu điểm")
    await api.wait_for("sendMessage", chat_id=1001)
    asked = api.sent_messages(chat_id=1001)[-1]
    assert asked["text"].startswith("Ý bạn là:")
    buttons = [row[0] for row in asked["reply_markup"]["inline_keyboard"]]
    assert 2 <= len(buttons) <= 3
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    score = next(b for b in buttons if b["text"].startswith("Điểm 3. Hạ tầng số"))
    api.callback_query(score["callback_data"], message=asked)
    await api.wait_for("answerCallbackQuery")
    sent = await api.wait_for("sendMessage", count=2, chat_id=1001)
    assert sent[1]["text"].startswith("📊 3. Hạ tầng số")


async def test_a_question_with_nothing_understood_gets_the_short_help_without_buttons(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("thời tiết Nha Trang hôm nay")
    sent = await api.wait_for("sendMessage", chat_id=1001)
    assert sent[0]["text"].startswith("Mình chưa hiểu câu hỏi.")
    assert "tổng điểm DTI" in sent[0]["text"]
    assert "reply_markup" not in sent[0]


async def test_an_unknown_sub_index_code_offers_the_nearest_codes(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("3.9")
    sent = await api.wait_for("sendMessage", chat_id=1001)
    text = sent[0]["text"]
    assert text.startswith("Không có chỉ số 3.9. Ý bạn là:")
    assert "• Điểm 3.7" in text
    labels = [row[0]["text"] for row in sent[0]["reply_markup"]["inline_keyboard"]]
    assert labels[0].startswith("Điểm 3.7")


async def test_a_sticker_gets_a_polite_answer_saying_what_to_type(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_sticker()
    assert "Mình chỉ đọc tin nhắn chữ" in await reply_to(api)


async def test_start_and_help_explain_what_to_ask(api: FakeBotApi, bot: Application) -> None:
    api.private_text("/start")
    assert "điểm Hạ tầng số hiện tại" in await reply_to(api)
    api.private_text("/help")
    sent = await api.wait_for("sendMessage", count=2, chat_id=1001)
    assert "/diem" in sent[1]["text"]


async def test_an_unknown_command_is_answered_with_the_commands_to_use(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("/xoasach")
    assert "Không có lệnh /xoasach" in await reply_to(api)


async def test_a_huge_message_is_refused_with_an_example(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("hạ tầng " * 500)
    assert "Tin nhắn dài quá" in await reply_to(api)


async def test_in_a_group_the_bot_answers_only_when_mentioned_or_replied_to(
    api: FakeBotApi, bot: Application
) -> None:
    group = -100200300
    api.group_text("điểm Hạ tầng số", chat_id=group)
    api.group_text(f"@{api.bot_user['username']} tổng điểm DTI", chat_id=group)
    sent = await api.wait_for("sendMessage", chat_id=group)
    assert sent[0]["text"].startswith("📊 Tổng điểm DTI")
    api.group_text("HTS", chat_id=group, reply_to_bot=True)
    sent = await api.wait_for("sendMessage", count=2, chat_id=group)
    assert sent[1]["text"].startswith("📊 3. Hạ tầng số")
    assert len(api.sent("sendMessage", chat_id=group)) == 2


async def test_a_429_from_telegram_is_waited_out_and_the_answer_still_arrives(
    api: FakeBotApi, bot: Application
) -> None:
    api.fail_next("sendMessage", status=429, retry_after=1)
    api.private_text("tổng điểm DTI")
    sent = await api.wait_for("sendMessage", chat_id=1001, timeout=10)
    assert "269,19" in sent[0]["text"]


class BrokenScores(ScoreService):
    async def answer(self, score: Score, chat_id: int | None = None) -> ScoreAnswer:
        raise RuntimeError("database is gone")


async def test_a_failing_handler_answers_with_an_apology_not_silence(
    api: FakeBotApi, settings: Settings, services: Services
) -> None:
    scores = BrokenScores(
        services.scores._sessions, calendar=services.calendar, province="Khánh Hòa"
    )
    broken = replace(services, scores=scores)
    async with running_bot(api, settings, broken):
        api.private_text("tổng điểm DTI")
        assert "đã có lỗi" in await reply_to(api)


async def test_6_8_keeps_the_evaluators_scale_and_counts_converted(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("/diem 6.8")
    text = await reply_to(api)
    assert "Điểm: 4,6/10 (46%)" in text
    assert "● Điểm chính thức" in text
    assert "Nguồn chấm 9,2/20; quy đổi sang bộ chỉ số này: 4,6/10" in text
    assert "Kỳ số liệu: năm 2024" in text
    assert "Báo cáo 05-BC/BCĐ ngày 06/01/2026, mục III.6 (Đánh giá chung), VI.2.b" in text


async def test_a_percentage_a_report_states_gives_estimated_points_with_the_rules_source(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("/diem 4.2")
    text = await reply_to(api)
    assert "○ Điểm ước tính" in text
    assert "Giá trị: 2,75 %" in text
    assert "Nguồn: Báo cáo 05-BC/BCĐ ngày 06/01/2026 (số liệu năm 2025), mục III.4" in text
    assert "đủ điểm khi ≥ 10 % (theo Báo cáo 05-BC/BCĐ, mục III.4)" in text
    assert "theo giả định" in text
    api.private_text("/diem 3.1")
    sent = await api.wait_for("sendMessage", count=2, chat_id=1001)
    assert "Cách chấm (theo giả định, nguồn không nêu ngưỡng)" in sent[1]["text"]


async def test_the_total_counts_each_kind_and_calls_an_incomplete_dti_an_estimate(
    api: FakeBotApi, bot: Application
) -> None:
    api.private_text("tổng điểm DTI")
    text = await reply_to(api)
    assert "Điểm gồm: 10 chính thức, 0 báo cáo, 7 ước tính; 30 chưa có số liệu" in text
    assert "ước tính DTI ≈ 0,2692" in text
    assert "DTI = " not in text
    assert "Số liệu của: năm 2024, năm 2025" in text
    assert "● chính thức · ◐ báo cáo · ○ ước tính" in text


async def test_a_sub_index_answer_shows_what_the_documents_say_beside_its_values(
    api: FakeBotApi, bot: Application
) -> None:
    # data/assessments/khanh-hoa-2025-reported.yaml, notes: 3.5 (Báo cáo 05-BC/BCĐ, mục VI.2.a)
    api.private_text("chỉ số 3.5 được bao nhiêu điểm")
    text = await reply_to(api)
    assert "Trung tâm dữ liệu chưa kết nối Nền tảng đám mây của Chính phủ." in text
