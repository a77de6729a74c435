"""End to end: an administrator chooses a chat's framework with /bochiso, and /diem answers from
it: Ninh Thuận's plan targets (target, actual, status) and its DTI 2022 (value, rank)."""

from __future__ import annotations

from telegram.ext import Application

from services.container import Services
from tests.botapi import FakeBotApi
from tests.chat import ADMIN_ID, Chat

GROUP = -100200300
LEADER = 3001


async def test_bochiso_lists_every_framework_and_marks_the_chats_one(
    api: FakeBotApi, bot: Application
) -> None:
    text = (await Chat(api, LEADER, "Lãnh đạo").say("/bochiso"))["text"]
    assert "1. Bộ chỉ số DTI cấp tỉnh năm 2025 [dti-province-2025] — điểm DTI ✅" in text
    assert "[ninh-thuan-2314] — chỉ tiêu kế hoạch · Ninh Thuận" in text
    assert "[dti-ninh-thuan-2022]" in text
    assert "Quản trị viên đổi bằng /bochiso" in text


async def test_only_an_administrator_chooses_and_the_choice_is_per_chat(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    leader = Chat(api, LEADER, "Lãnh đạo")
    refused = (await leader.say("/bochiso ninh-thuan-2314"))["text"]
    assert "Chỉ quản trị viên chọn bộ chỉ số" in refused
    admin = Chat(api, ADMIN_ID, "Quản trị")
    chosen = (await admin.say("/bochiso Quyết định 2314"))["text"]
    assert "trả lời theo Chỉ tiêu Đề án chuyển đổi số tỉnh Ninh Thuận" in chosen
    assert await services.scores.chat_framework(ADMIN_ID) == "ninh-thuan-2314"
    assert await services.scores.chat_framework(LEADER) == "dti-province-2025"
    assert (await leader.say("/diem"))["text"].startswith("📊 Tổng điểm DTI")
    unknown = (await admin.say("/bochiso bộ không có"))["text"]
    assert unknown.startswith('Không có bộ chỉ số "bộ không có"')


async def test_the_targets_of_decision_2314_with_target_actual_and_status(
    api: FakeBotApi, bot: Application
) -> None:
    admin = Chat(api, ADMIN_ID, "Quản trị")
    await admin.say("/bochiso ninh-thuan-2314")
    text = (await admin.say("/diem"))["text"]
    assert text.startswith("🎯 Chỉ tiêu Đề án chuyển đổi số tỉnh Ninh Thuận 2021-2025")
    assert "Mục tiêu năm 2023, số liệu 6 tháng đầu năm 2023:" in text
    assert "9/19 đạt, 6 chưa đạt, 4 chưa có số liệu" in text
    assert "Nguồn: Báo cáo 02-BC/BCĐCĐS ngày 28/7/2023" in text
    assert "◐ số liệu báo cáo" in text
    fibre = "1.3 Tỷ lệ hộ gia đình có đường Internet cáp quang băng rộng: 77,13 %"
    assert f"{fibre} / mục tiêu ≥ 75 % — ✅ đạt" in text
    assert "Cấp xã: 92,35 % / mục tiêu ≥ 75 % — ✅ đạt, vượt mục tiêu" in text
    assert (
        "3.1 Tỷ trọng kinh tế số trong GRDP của tỉnh: mục tiêu ≥ 12 % — ⬜ chưa có số liệu" in text
    )
    assert "Hộ gia đình: 90 % / mục tiêu > 90 % — ✅ đạt (theo báo cáo)" in text


async def test_household_fibre_in_ninh_thuan_2023_answers_77_13_against_75(
    api: FakeBotApi, bot: Application
) -> None:
    admin = Chat(api, ADMIN_ID, "Quản trị")
    await admin.say("/bochiso ninh-thuan-2314")
    text = (await admin.say("/diem tỷ lệ hộ gia đình có cáp quang Ninh Thuận 2023"))["text"]
    assert text.startswith("📌 1.3. Tỷ lệ hộ gia đình có đường Internet cáp quang băng rộng")
    assert "Năm 2023: ✅ đạt" in text
    assert "77,13 % / mục tiêu ≥ 75 % — ✅ đạt" in text
    assert "Báo cáo 02-BC/BCĐCĐS ngày 28/7/2023, mục Phụ lục, II.1.3" in text
    assert "Chủ trì: Sở Thông tin và Truyền thông (nay: Sở Khoa học và Công nghệ)" in text


async def test_a_group_chosen_for_dti_2022_answers_value_and_rank_per_pillar(
    api: FakeBotApi, bot: Application
) -> None:
    api.group_text("/bochiso dti-ninh-thuan-2022", chat_id=GROUP, user_id=ADMIN_ID)
    await api.wait_for("sendMessage", chat_id=GROUP)
    api.group_text("/diem", chat_id=GROUP, user_id=LEADER)
    sent = await api.wait_for("sendMessage", count=2, chat_id=GROUP)
    text = sent[1]["text"]
    assert text.startswith("📊 DTI 2022 tỉnh Ninh Thuận (thang 0-1)")
    assert "● Kết quả chính thức, năm 2022 · Báo cáo 02-BC/BCĐCĐS ngày 28/7/2023, mục II.5" in text
    assert "Giá trị DTI: 0,5934 — hạng 27/63" in text
    assert "1. Chính quyền số: 0,6787 — hạng 24/63" in text
    assert "3. Xã hội số: 0,6045 — hạng 22/63" in text


async def test_in_a_group_anyone_lists_but_only_an_administrator_chooses_its_framework(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    api.group_text("/bochiso", chat_id=GROUP, user_id=LEADER)
    listed = await api.wait_for("sendMessage", chat_id=GROUP)
    assert "[ninh-thuan-2314]" in listed[0]["text"]
    api.group_text("/bochiso ninh-thuan-2314", chat_id=GROUP, user_id=LEADER)
    refused = await api.wait_for("sendMessage", count=2, chat_id=GROUP)
    assert "Chỉ quản trị viên chọn bộ chỉ số" in refused[1]["text"]
    assert await services.scores.chat_framework(GROUP) == "dti-province-2025"
    # An administrator chooses from the group itself: not a private-only command.
    api.group_text("/bochiso ninh-thuan-2314", chat_id=GROUP, user_id=ADMIN_ID)
    chosen = await api.wait_for("sendMessage", count=3, chat_id=GROUP)
    assert "trả lời theo Chỉ tiêu Đề án" in chosen[2]["text"]
    assert await services.scores.chat_framework(GROUP) == "ninh-thuan-2314"
    assert api.sent("sendMessage", chat_id=ADMIN_ID) == []


async def test_an_old_agency_name_in_a_question_reaches_its_successor(
    api: FakeBotApi, bot: Application
) -> None:
    text = (await Chat(api, LEADER, "Lãnh đạo").say("Sở TT&TT chủ trì chỉ số nào"))["text"]
    assert "Sở Khoa học và Công nghệ" in text
    assert "3.1" in text


async def test_the_service_answers_for_a_framework_subject_and_period(services: Services) -> None:
    from parsing.intents import Score, Subject, SubjectKind  # noqa: PLC0415 - the router's
    from services.frameworks import TargetsAnswer  # noqa: PLC0415

    found = await services.scores.answer(
        Score(Subject(SubjectKind.SUB_INDEX, "1.3"), framework="ninh-thuan-2314", period="2023")
    )
    assert isinstance(found, TargetsAnswer)
    result = found.board.result("1.3")
    assert result is not None
    assert result.status.reached
