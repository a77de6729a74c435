"""End to end: what people type is bounded when typed (and they are told the limit), old rows
with longer texts never break a view, long answers are split between lines, and long lists of
buttons are paged with ◀ ▶ (Sở KH&CN's 43 sub-indices in /chiso)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from telegram.ext import Application

from domain.messages import EXPLANATION_LIMIT, NOTE_LIMIT, REASON_LIMIT, TITLE_LIMIT
from domain.status import ReviewStatus
from services.container import Services
from services.identity import Caller
from storage.models import DeadlineChangeRow, DraftRow, ExplanationRow
from tests.botapi import FakeBotApi
from tests.chat import ADMIN_ID, Chat
from tests.legacy import EXPLANATION, NOTE, REASON, long_text, store_long_texts
from tests.test_e2e_updates import FOCAL, registered

JSON = dict[str, object]


def content(text: str) -> str:
    """Text without its whitespace: what survives being split between lines."""
    return "".join(text.split())


async def count(services: Services, row: type) -> int:
    async with services.identity._sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(row)) or 0)


async def replies(chat: Chat, first: JSON, more: int) -> list[str]:
    """The text of a reply and of the `more` messages that follow it."""
    return [str(first["text"])] + [str((await chat.next_message())["text"]) for _ in range(more)]


def buttons(message: JSON) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])  # type: ignore[union-attr]
    return [b["text"] for row in rows for b in row]


# ------------------------------------------------------------------ bounded when typed
async def test_a_note_longer_than_the_limit_is_refused_with_the_limit_and_stores_nothing(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    chat = await registered(api)
    refused = await chat.say(f"/capnhat 8.2 12,5 {'a' * (NOTE_LIMIT + 1)}")
    assert f"Ghi chú dài {NOTE_LIMIT + 1} ký tự, tối đa {NOTE_LIMIT}" in refused["text"]
    assert "/capnhat 8.2 12,5" in refused["text"]  # what to type instead
    assert await count(services, DraftRow) == 0
    accepted = await chat.say(f"/capnhat 8.2 12,5 {'a' * NOTE_LIMIT}")
    assert accepted["text"].startswith("📝 Xem trước cập nhật")


async def test_a_return_reason_longer_than_the_limit_is_refused_typed_or_asked_for(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    chat = await registered(api)
    await chat.press(await chat.say("/capnhat 8.2 12,5"), "✅")
    admin = Chat(api, ADMIN_ID)
    (waiting,) = await services.review.queue()
    long_reason = "x" * (REASON_LIMIT + 1)
    refused = await admin.say(f"/tralai {waiting.id} {long_reason}")
    assert f"Lý do dài {REASON_LIMIT + 1} ký tự, tối đa {REASON_LIMIT}" in refused["text"]
    await admin.press(await admin.say("/duyet"), "↩️")
    asked = await admin.next_message()
    assert f"tối đa {REASON_LIMIT} ký tự" in asked["text"]  # told before typing
    assert "tối đa" in (await admin.say(long_reason))["text"]
    assert [s.status for s in await services.updates.history("8.2")][-1] is ReviewStatus.PENDING
    assert "Đã trả lại" in (await admin.say(f"/tralai {waiting.id} {'x' * REASON_LIMIT}"))["text"]


async def test_an_explanation_and_a_deadline_title_are_bounded_and_the_usage_says_so(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    chat = await registered(api)
    assert "tối đa 1.500 ký tự" in (await chat.say("/giaitrinh"))["text"]
    refused = await chat.say(f"/giaitrinh 8.2 {'y' * (EXPLANATION_LIMIT + 1)}")
    assert "Giải trình dài 1.501 ký tự, tối đa 1.500" in refused["text"]
    assert await count(services, ExplanationRow) == 0
    saved = await chat.say(f"/giaitrinh 8.2 {'y' * EXPLANATION_LIMIT}")
    assert "Đã lưu giải trình" in saved["text"]
    admin = Chat(api, ADMIN_ID)
    title = "z" * (TITLE_LIMIT + 1)
    refused = await admin.say(f"/themhan 15/12/2025 quý 4 {title}")
    assert f"Tiêu đề dài {TITLE_LIMIT + 1} ký tự, tối đa {TITLE_LIMIT}" in refused["text"]
    assert await count(services, DeadlineChangeRow) == 0


# ------------------------------------------------------------------ old rows, every view
async def test_old_long_notes_and_reasons_never_break_history_review_or_my_work(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    chat = await registered(api)
    focal = await services.identity.person(Caller(FOCAL, "Hoa"))
    admin = await services.identity.person(Caller(ADMIN_ID, "Quản trị"))
    old = await store_long_texts(services, focal, admin)

    history = await chat.say("/lichsu 8.2")
    assert len(history["text"]) < 4096
    assert "Ghi chú: ghi chú ghi chú" in history["text"]
    assert "…" in history["text"]
    assert f"/lichsu 8.2 #{old.noted}" in history["text"]  # how to read it whole

    whole = await chat.say(f"/lichsu 8.2 #{old.noted}")
    parts = await replies(chat, whole, 2)  # a note of 3,873 and an explanation of 5,000
    assert all(len(p) <= 4096 for p in parts)
    joined = "\n".join(parts)
    assert content(long_text(NOTE, "ghi chú")) in content(joined)
    assert "Giải trình quý 4/2025:" in joined
    assert content(long_text(EXPLANATION, "giải trình")) in content(joined)

    returned = await chat.say(f"/lichsu {old.returned_code}")
    assert "Lý do trả lại: lý do lý do" in returned["text"]
    assert len(returned["text"]) < 1000
    reason = await chat.say(f"/lichsu {old.returned_code} #{old.returned}")
    reason_parts = await replies(chat, reason, 1)
    assert content(long_text(REASON, "lý do")) in content("\n".join(reason_parts))
    assert "Đã trả lại: Quản trị" in reason_parts[0]

    work = await chat.say("/chiso")
    assert "bị trả lại: lý do lý do" in work["text"]
    assert len(work["text"]) < 4096

    queue = await Chat(api, ADMIN_ID).say("/duyet")
    assert len(queue["text"]) < 1500
    assert f"#{old.noted}" in queue["text"]
    assert f"/lichsu 8.2 #{old.noted}" in queue["text"]

    card = await chat.say("điểm 8.2 tạm tính")  # the value with the long note counts here
    assert len(card["text"]) < 2000
    assert "ghi chú ghi chú" in card["text"]
    assert f"/lichsu 8.2 #{old.noted}" in card["text"]

    calendar = await chat.say("/hanchot")
    assert "tiêu đề tiêu đề" in calendar["text"]
    assert len(calendar["text"]) < 1500


async def test_a_value_read_whole_that_is_not_of_the_sub_index_is_refused_with_the_list_to_see(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api)
    assert "không có số liệu #999" in (await chat.say("/lichsu 8.2 #999"))["text"]
    assert "/lichsu 8.2 #12" in (await chat.say("/lichsu 8.2 #²"))["text"]  # the usage


# ------------------------------------------------------------------ splitting and paging
async def test_sở_khcn_pages_through_all_43_update_buttons_with_previous_and_next(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    chat = await registered(api)
    work = await chat.say("/chiso")
    assert len(work["text"]) > 3000  # the real data: 43 sub-indices
    first = buttons(work)
    assert first[-3:] == ["◀", "1/4", "▶"]
    assert len(first) == 12 + 3
    seen = set(first[:-3])
    for page in (2, 3, 4, 1):
        await chat.press(chat.current(work), "▶")
        shown = buttons(chat.current(work))
        assert shown[-2] == f"{page}/4"
        seen |= set(shown[:-3])
    assert len(seen) == 43
    assert all(re.fullmatch(r"✏️ \d+\.\d+", b) for b in seen)
    await chat.press(chat.current(work), "◀")  # from the first page to the last
    assert buttons(chat.current(work))[-2] == "4/4"
    edits = len(api.sent("editMessageReplyMarkup"))
    answer = await chat.press(chat.current(work), "4/4")  # where you are: nothing changes
    assert "text" not in answer
    assert len(api.sent("editMessageReplyMarkup")) == edits
    await chat.press(chat.current(work), "✏️")
    assert "Gõ giá trị cho chỉ số" in (await chat.next_message())["text"]


async def test_my_work_longer_than_a_message_is_split_between_lines_with_the_buttons_last(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api)
    admin = Chat(api, ADMIN_ID)
    code = re.search(r": ([A-Z0-9]{8})\n", (await admin.say("/moi VPUBND"))["text"])
    assert code
    await chat.say(f"/start {code.group(1)}")
    first = await chat.say("/chiso")
    second = await chat.next_message()
    assert len(first["text"]) + len(second["text"]) > 4096
    assert all(len(m["text"]) <= 4096 for m in (first, second))
    assert "reply_markup" not in first
    position = buttons(second)[-2]  # "1/N": the first page of the buttons
    assert position.startswith("1/")
    assert int(position[2:]) > 1
    assert (first["text"] + second["text"]).count("🏛") == 2  # both agencies, nothing lost


async def test_the_reminder_dry_run_is_split_instead_of_cut(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    admin = await services.identity.person(Caller(ADMIN_ID, "Quản trị"))
    invite = await services.identity.create_invite(admin, "SKHCN", max_uses=30, days=30)
    for n in range(30):
        await services.identity.redeem(Caller(7000 + n, f"Đầu mối {n}"), invite.code)
    chat = Chat(api, ADMIN_ID)
    first = await chat.say("/nhacnho 18/12/2025")
    parts = await replies(chat, first, 1)
    assert len("\n".join(parts)) > 4000
    assert all(len(p) <= 4096 for p in parts)
    assert sum(p.count("• 70") for p in parts) == 20  # every listed recipient, none cut off


async def test_evidence_lists_newest_first_a_page_at_a_time_and_each_button_sends_its_file(
    api: FakeBotApi, bot: Application
) -> None:
    chat = await registered(api)
    for n in range(1, 11):
        api.private_document(f"bao-cao-{n:02d}.pdf", caption="minh chứng 8.2", user_id=FOCAL)
        await chat.next_message()
    listing = await chat.say("/minhchung 8.2")
    assert "10 tệp" in listing["text"]
    assert "1. bao-cao-10.pdf" in listing["text"]  # newest first
    assert "bao-cao-02.pdf" not in listing["text"]
    assert buttons(listing)[-3:] == ["◀", "1/2", "▶"]
    await chat.press(listing, "▶")
    second = chat.current(listing)
    assert "9. bao-cao-02.pdf" in second["text"]
    assert "10. bao-cao-01.pdf" in second["text"]
    assert "bao-cao-10.pdf" not in second["text"]
    await chat.press(second, "📎 10.")
    (document,) = await api.wait_for("sendDocument", chat_id=FOCAL)
    assert document["caption"] == "bao-cao-01.pdf"
