"""End to end: registration, quick updates, authorization, evidence, review, history, my work."""

from __future__ import annotations

import copy
import re

from telegram.ext import Application

from tests.botapi import FakeBotApi
from tests.chat import ADMIN_ID, Chat
from tests.conftest import MovableClock

FOCAL, OTHER, STRANGER = 2001, 2002, 2003


async def invite(admin: Chat, agency: str, *extra: str) -> str:
    reply = await admin.say(" ".join(["/moi", agency, *extra]))
    found = re.search(r": ([A-Z0-9]{8})\n", reply["text"])
    assert found, reply["text"]
    return found.group(1)


async def registered(
    api: FakeBotApi, agency: str = "SKHCN", user_id: int = FOCAL, name: str = "Hoa"
) -> Chat:
    admin, chat = Chat(api, ADMIN_ID, "Quản trị"), Chat(api, user_id, name)
    code = await invite(admin, agency)
    reply = await chat.say(f"/start {code}")
    assert "đầu mối của" in reply["text"]
    return chat


async def test_a_focal_point_registers_with_an_invite_and_confirms_an_update(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api)
    preview = await chat.say("/capnhat 8.2 12,5%")
    assert preview["text"].startswith("📝 Xem trước cập nhật")
    assert "Kỳ: quý 4/2025" in preview["text"]
    assert "Điểm: 7,6 → 12,5 /50" in preview["text"]
    assert "Chỉ số chính: 35,1 → 40" in preview["text"]
    assert "Tổng DTI: 269,19 → 274,09" in preview["text"]
    answer = await chat.press(preview, "✅")
    assert answer["text"] == "Đã lưu"
    assert chat.current(preview)["text"].startswith("✅ Đã lưu 8.2 = 12,5 % (quý 4/2025)")
    official = await chat.say("/diem 8.2")
    assert "7,6/50" in official["text"]
    assert "● Điểm chính thức" in official["text"]
    # The focal point who just sent it sees it beside the counted value.
    assert "⏳ 12,5 % — chờ thẩm định, chưa tính" in official["text"]
    provisional = await chat.say("điểm 8.2 tạm tính")
    assert "12,5/50" in provisional["text"]
    assert "◐ Số liệu báo cáo, chưa thẩm định" in provisional["text"]
    assert "chưa được thẩm định" in provisional["text"]


async def test_a_plain_sentence_update_with_a_period_and_a_note_is_understood(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api)
    preview = await chat.say("8.2: 12,5% theo số liệu quý 3")
    assert "Kỳ: quý 3/2025" in preview["text"]
    assert "Ghi chú: theo số liệu" in preview["text"]


async def test_cancel_stores_nothing(api: FakeBotApi, bot: Application) -> None:
    chat = await registered(api)
    preview = await chat.say("cập nhật 8.2 = 20")
    await chat.press(preview, "✖️")
    assert chat.current(preview)["text"] == "Đã hủy, không lưu gì."
    history = await chat.say("/lichsu 8.2")
    assert "20 %" not in history["text"]


async def test_a_double_pressed_confirm_stores_once(api: FakeBotApi, bot: Application) -> None:
    chat = await registered(api)
    preview = await chat.say("/capnhat 8.2 12,5")
    stale = copy.deepcopy(preview)  # what the user's screen still shows when pressing again
    await chat.press(preview, "✅")
    second = await chat.press(stale, "✅")
    assert second["show_alert"] is True
    assert "đã được xử lý" in second["text"]
    history = await chat.say("/lichsu 8.2")
    assert history["text"].count("12,5 %") == 1


async def test_another_user_cannot_press_someone_elses_confirm(
    api: FakeBotApi, bot: Application
) -> None:
    owner = await registered(api)
    preview = await owner.say("/capnhat 8.2 12,5")
    intruder = await registered(api, user_id=OTHER, name="Minh")
    answer = await intruder.press(preview, "✅")
    assert "không phải của bạn" in answer["text"]
    assert "12,5 %" not in (await owner.say("/lichsu 8.2"))["text"]


async def test_an_older_preview_cannot_be_confirmed_after_a_newer_value_was_sent(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api)
    old = await chat.say("/capnhat 8.2 12,5")
    new = await chat.say("/capnhat 8.2 15")
    answer = await chat.press(old, "✅")
    assert "giá trị mới hơn" in answer["text"]
    await chat.press(new, "✅")
    history = (await chat.say("/lichsu 8.2"))["text"]
    assert "15 %" in history
    assert "12,5 %" not in history


async def test_a_confirm_after_someone_else_changed_the_value_meanwhile_changes_nothing(
    api: FakeBotApi, bot: Application, clock: MovableClock
) -> None:
    late = await registered(api)
    preview = await late.say("/capnhat 8.2 12,5")
    colleague = await registered(api, user_id=OTHER, name="Minh")
    await colleague.press(await colleague.say("/capnhat 8.2 15"), "✅")
    clock.advance(minutes=1)
    answer = await late.press(preview, "✅")
    assert answer["show_alert"] is True
    assert "vừa được Minh cập nhật thành 15" in answer["text"]
    history = (await late.say("/lichsu 8.2"))["text"]
    assert "15 %" in history
    assert "12,5 %" not in history


async def test_two_focal_points_confirming_at_the_same_moment_are_both_stored_and_the_later_counts(
    api: FakeBotApi, bot: Application
) -> None:
    first = await registered(api)
    second = await registered(api, user_id=OTHER, name="Minh")
    one = await first.say("/capnhat 8.2 12,5")
    two = await second.say("/capnhat 8.2 15")
    await first.press(one, "✅")
    await second.press(two, "✅")  # the test clock has not moved: the same moment
    history = (await first.say("/lichsu 8.2"))["text"]
    assert "12,5 %" in history
    assert "15 %" in history
    assert "15/50" in (await first.say("điểm 8.2 tạm tính"))["text"]


async def test_an_agency_that_does_not_hold_a_sub_index_is_refused_with_who_holds_it(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api, agency="SNV")
    reply = await chat.say("/capnhat 8.2 12,5")
    assert "không thuộc cơ quan của bạn (Sở Nội vụ)" in reply["text"]
    assert "Chủ trì: Sở KH&CN" in reply["text"]
    allowed = await chat.say("/capnhat 4.2 8")
    assert allowed["text"].startswith("📝")


async def test_a_group_member_in_an_agency_group_may_update_what_the_group_coordinates(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api, agency="VNPT")
    reply = await chat.say("/capnhat 3.3 85,6")
    assert reply["text"].startswith("📝")
    assert "thuê bao/100 dân" in reply["text"]


async def test_an_unregistered_user_gets_scores_but_is_told_how_to_register_to_update(
    api: FakeBotApi, bot: Application
) -> None:
    chat = Chat(api, STRANGER, "Khách")
    assert "269,19" in (await chat.say("tổng điểm DTI"))["text"]
    reply = await chat.say("/capnhat 8.2 12,5")
    assert "/start MÃ_MỜI" in reply["text"]


async def test_updates_are_not_taken_in_a_group(api: FakeBotApi, bot: Application) -> None:
    api.group_text("/capnhat 8.2 12,5", chat_id=-100200300, user_id=ADMIN_ID)
    sent = await api.wait_for("sendMessage", chat_id=-100200300)
    assert "tin nhắn riêng" in sent[0]["text"]


async def test_bad_values_get_a_message_saying_what_to_type(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api)
    cases = {
        "/capnhat 8.2 150%": "từ 0 đến 100%",
        "/capnhat 8.2 -3": "không được âm",
        "/capnhat 8.2 1.234": "1,234 hoặc 1234",
        "/capnhat 8.2 abc": "Gõ ví dụ: /capnhat 8.2",
        "/capnhat 6.1 25": "từ 0 đến 20",
        "/capnhat 6.1 15%": "không phải %",
        "/capnhat 8.9 5": "Không có chỉ số 8.9",
        "/capnhat": "Thiếu mã chỉ số",
        "/capnhat 8.2": "Thiếu giá trị",
    }
    for text, expected in cases.items():
        reply = await chat.say(text)
        assert expected in reply["text"], (text, reply["text"])


async def test_a_yes_no_sub_index_takes_co_and_khong(api: FakeBotApi, bot: Application) -> None:
    chat = await registered(api)
    assert "Giá trị: có" in (await chat.say("/capnhat 1.1 có"))["text"]
    assert "có hoặc không" in (await chat.say("/capnhat 1.1 50"))["text"]


async def test_evidence_with_a_caption_is_attached_and_can_be_fetched_back(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api)
    api.private_document("bao-cao-8.2.pdf", caption="minh chứng 8.2", user_id=FOCAL)
    saved = await chat.next_message()
    assert 'Đã nhận minh chứng "bao-cao-8.2.pdf" cho chỉ số 8.2 (quý 4/2025)' in saved["text"]
    listing = await chat.say("/minhchung 8.2")
    assert "bao-cao-8.2.pdf" in listing["text"]
    await chat.press(listing, "📎 1.")
    documents = await api.wait_for("sendDocument", chat_id=FOCAL)
    assert documents[0]["document"]


async def test_evidence_without_a_usable_caption_is_refused_with_the_caption_to_use(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api)
    api.private_photo(caption=None, user_id=FOCAL)
    assert "minh chứng 8.2" in (await chat.next_message())["text"]
    api.private_document(
        "virus.exe", caption="8.2", mime_type="application/x-msdownload", user_id=FOCAL
    )
    assert "Không nhận loại tệp" in (await chat.next_message())["text"]
    api.private_document("big.pdf", caption="8.2", file_size=30 * 1024 * 1024, user_id=FOCAL)
    assert "vượt giới hạn 20 MB" in (await chat.next_message())["text"]


async def test_an_administrator_approves_and_the_focal_point_is_told(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api)
    await chat.press(await chat.say("/capnhat 8.2 12,5"), "✅")
    admin = Chat(api, ADMIN_ID)
    queue = await admin.say("/duyet")
    assert "Chờ thẩm định: 1 số liệu" in queue["text"]
    await admin.press(queue, "✅")
    told = await chat.next_message()
    assert "đã được duyệt" in told["text"]
    assert "12,5/50" in (await chat.say("/diem 8.2"))["text"]


async def test_the_same_question_asked_before_and_after_an_approval_gets_the_new_points(
    api: FakeBotApi, bot: Application
) -> None:
    """An answer is rendered once per values revision: the approval makes the next one new."""
    chat = await registered(api)
    before = (await chat.say("/diem 8.2"))["text"]
    assert before == (await chat.say("/diem 8.2"))["text"]
    assert "7,6/50" in before
    await chat.press(await chat.say("/capnhat 8.2 12,5"), "✅")
    assert "⏳ 12,5 %" in (await chat.say("/diem 8.2"))["text"]  # waiting for review
    admin = Chat(api, ADMIN_ID)
    await admin.press(await admin.say("/duyet"), "✅")
    await chat.next_message()  # told it was approved
    after = (await chat.say("/diem 8.2"))["text"]
    assert "12,5/50" in after
    assert after != before


async def test_an_administrator_returns_with_a_comment_and_the_focal_point_sees_it(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api)
    await chat.press(await chat.say("/capnhat 8.2 12,5"), "✅")
    admin = Chat(api, ADMIN_ID)
    queue = await admin.say("/duyet")
    await admin.press(queue, "↩️")
    assert "Gõ lý do" in (await admin.next_message())["text"]
    assert "Đã trả lại" in (await admin.say("Thiếu minh chứng"))["text"]
    told = await chat.next_message()
    assert "bị trả lại: Thiếu minh chứng" in told["text"]
    work = await chat.say("/chiso")
    assert "8.2" in work["text"]
    assert "bị trả lại: Thiếu minh chứng" in work["text"]


async def test_a_focal_point_cannot_review(api: FakeBotApi, bot: Application) -> None:
    chat = await registered(api)
    assert "Chỉ quản trị viên" in (await chat.say("/duyet"))["text"]


async def test_my_indicators_show_status_deadline_and_update_buttons(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api, agency="SNV")
    work = await chat.say("/chiso")
    assert "quý 4/2025" in work["text"]
    assert "25/12/2025 (còn 25 ngày)" in work["text"]
    assert "4.2" in work["text"]
    await chat.press(work, "✏️ 4.2")
    assert "Gõ giá trị cho chỉ số 4.2" in (await chat.next_message())["text"]
    preview = await chat.say("8")
    assert "4.2" in preview["text"]
    assert "Điểm: 8,25 → 24 /30" in preview["text"]


async def test_an_explanation_is_recorded(api: FakeBotApi, bot: Application) -> None:
    chat = await registered(api, agency="VPUBND")
    reply = await chat.say("/giaitrinh 6.6 Hệ thống DVC lỗi trong tháng 8")
    assert "Đã lưu giải trình cho chỉ số 6.6" in reply["text"]


async def test_an_invite_cannot_be_used_after_it_expires_or_runs_out(
    api: FakeBotApi, bot: Application, clock: MovableClock
) -> None:
    admin = Chat(api, ADMIN_ID)
    code = await invite(admin, "SKHCN", "1", "7")
    first = Chat(api, FOCAL)
    assert "đầu mối của" in (await first.say(f"/start {code}"))["text"]
    second = Chat(api, OTHER)
    assert "dùng hết lượt" in (await second.say(f"/start {code}"))["text"]
    later = await invite(admin, "SKHCN", "5", "7")
    clock.advance(days=8)
    assert "hết hạn" in (await second.say(f"/start {later}"))["text"]
    assert "không đúng" in (await second.say("/start NOPE1234"))["text"]
