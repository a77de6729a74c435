"""End to end: every command argument that once reached the database or the calendar unchecked
(digits that are not ASCII, ids past 64 bits, years out of any window, period codes of year 0)
is answered with the command's usage line, never "something went wrong"; and so is button data
that no button of the bot carries."""

from __future__ import annotations

import io

import pytest
from telegram.ext import Application

from bot.console import Console, ConsoleRequest
from tests.botapi import FakeBotApi
from tests.chat import ADMIN_ID, Chat

GROUP = -100200300
HUGE = "99999999999999999999"  # past 64 bits: SQLite raised OverflowError
INTERNAL = "đã có lỗi"


@pytest.mark.parametrize(
    ("typed", "usage"),
    [
        ("/capquyen ² admin", "Gõ: /capquyen ID_TELEGRAM"),
        (f"/capquyen {HUGE} admin", "Gõ: /capquyen ID_TELEGRAM"),
        ("/capquyen 9223372036854775808 leader", "Gõ: /capquyen ID_TELEGRAM"),
        ("/moi SKHCN ²", "Gõ: /moi MÃ_CƠ_QUAN"),
        ("/moi SKHCN 2 ٣", "Gõ: /moi MÃ_CƠ_QUAN"),
        ("/moi SKHCN 1 2 3", "Gõ: /moi MÃ_CƠ_QUAN"),
        ("/tralai ² Thiếu minh chứng", "Gõ: /tralai MÃ_SỐ_LIỆU"),
        (f"/tralai {HUGE} Thiếu minh chứng", "Gõ: /tralai MÃ_SỐ_LIỆU"),
        ("/nhacnho 01/01/0001", "Gõ: /nhacnho"),
        ("/nhacnho 31/12/9999", "Gõ: /nhacnho"),
        ("/nhacnho ٢٥/١٢/٢٠٢٥", "Gõ: /nhacnho"),
        ("/themhan 01/01/0001 quý 1 Họp", "Gõ: /themhan NGÀY KỲ"),
        ("/themhan 15/12/2025 0000 Họp", "Gõ: /themhan NGÀY KỲ"),
        ("/themhan 15/12/2025 0-H3 Họp", "Gõ: /themhan NGÀY KỲ"),
        ("/themhan 15/12/2025 9999 Họp", "Gõ: /themhan NGÀY KỲ"),
        ("/themhan 15/12/2025 quý 5 Họp", "Gõ: /themhan NGÀY KỲ"),
        ("/doihan quarterly:2025-Q4 31/12/9999", "Gõ: /doihan"),
        (f"/xephang 2025 1/{HUGE}", "Gõ: /xephang NĂM"),
        ("/xephang 10000 1/34", "Gõ: /xephang NĂM"),
        ("/xephang ²⁰²⁵ 1/34", "Gõ: /xephang NĂM"),
        ("/xephang 2025 15/34 1,5", "Gõ: /xephang NĂM"),
        ("/tamdung ²", "Gõ: /tamdung SỐ_NGÀY"),
        (f"/tamdung {HUGE}", "Gõ: /tamdung SỐ_NGÀY"),
        ("/lichsu 8.2 ²", "Gõ: /lichsu MÃ"),
        (f"/lichsu 8.2 #{HUGE}", "Gõ: /lichsu MÃ"),
    ],
)
async def test_a_bad_argument_gets_the_usage_line(
    api: FakeBotApi, bot: Application, typed: str, usage: str
) -> None:
    reply = await Chat(api, ADMIN_ID).say(typed)
    assert usage in reply["text"]
    assert INTERNAL not in reply["text"]


@pytest.mark.parametrize(
    "typed",
    ["/dangkytomtat tuan t2 ²:00", "/dangkytomtat thang ٣ 08:00", "/dangkytomtat tuan 25:00"],
)
async def test_a_bad_schedule_in_a_group_gets_the_usage_line(
    api: FakeBotApi, bot: Application, typed: str
) -> None:
    api.group_text(typed, chat_id=GROUP, user_id=ADMIN_ID)
    (reply,) = await api.wait_for("sendMessage", chat_id=GROUP)
    assert reply["text"].startswith("Gõ: /dangkytomtat tuan")


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (f"ev:{HUGE}", "không còn"),
        ("ev:²", "không còn"),
        ("ev:p:8.2:²", "không còn"),
        ("ev:p:99.99:0", "không còn"),
        ("upd:ok:²", "không còn"),
        (f"upd:no:{HUGE}", "không còn"),
        ("rv:ok:9223372036854775808", "hết hạn"),
        ("rv:next:²", "hết hạn"),
        ("my:²", "hết hạn"),
        (f"my:{HUGE}", "hết hạn"),
    ],
)
async def test_button_data_no_button_carries_is_answered_without_an_error(
    api: FakeBotApi, bot: Application, data: str, said: str
) -> None:
    chat = Chat(api, ADMIN_ID)
    message = await chat.say("/help")
    api.callback_query(data, message=message, user_id=ADMIN_ID)
    (answer,) = await api.wait_for("answerCallbackQuery")
    assert said in answer["text"]
    assert answer["show_alert"] is True


def test_the_console_reads_a_button_number_in_ascii_digits_only() -> None:
    request = ConsoleRequest(io.StringIO(), lambda: 0)
    request.buttons = [("✅ Xác nhận", "upd:ok:1")]
    request.last_message = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}
    console = Console(request, ADMIN_ID)
    assert console.is_missing_button("#2")
    assert not console.is_missing_button("#1")
    assert not console.is_missing_button("#²")  # not a button number: typed as text
    assert "callback_query" in console.update_for("#1")
    assert console.update_for("#²")["message"]["text"] == "#²"
