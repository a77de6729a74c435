"""Updates typed in chat, routed: every form the first update reader took gives the same update
through the router; text that is no update (a question, a bare code, a heading) never is one;
and /capnhat names what is missing. (Ported from the update reader the router replaced.)"""

from __future__ import annotations

from datetime import date

import pytest

from parsing.commands import split_command, update_problem
from parsing.intents import Update
from parsing.router import route
from tests.router_data import bundled_lexicon

TODAY = date(2025, 11, 30)


@pytest.mark.parametrize(
    ("text", "code", "raw", "period"),
    [
        ("/capnhat 8.2 12,5%", "8.2", "12,5%", None),
        ("/capnhat@TroLyDtiBot 8.2 12,5%", "8.2", "12,5%", None),
        ("/update 8.2 12.5", "8.2", "12.5", None),
        ("/capnhat 8.2 = 12,5 quý 3", "8.2", "12,5", "2025-Q3"),
        ("/capnhat 8.2 quý 3/2024 12,5", "8.2", "12,5", "2024-Q3"),
        ("cập nhật 8.2 = 12,5", "8.2", "12,5", None),
        ("Cập Nhật 8.2 = 12,5", "8.2", "12,5", None),
        ("cap nhat 3.3 85.6", "3.3", "85.6", None),
        ("cập nhật chỉ số 8.2 là 12,5%", "8.2", "12,5%", None),
        ("cập nhật: 8.2 bằng 1.082.862", "8.2", "1.082.862", None),
        ("update 8.2 to 12.5%", "8.2", "12.5%", None),
        ("update 8.2 = 12.5", "8.2", "12.5", None),
        ("8.2: 12,5%", "8.2", "12,5%", None),
        ("8.2=12,5", "8.2", "12,5", None),
        ("chỉ số 8.2: 12,5", "8.2", "12,5", None),
        ("8.2 = có", "8.2", "có", None),
        ("1.1: không", "1.1", "không", None),
        ("/capnhat 1.1 yes", "1.1", "yes", None),
        ("/capnhat 8.2 1.234", "8.2", "1.234", None),
        ("/capnhat 8.2 -3,5", "8.2", "-3,5", None),
        ("  /capnhat   8.2   12,5  năm 2024 ", "8.2", "12,5", "2024"),
    ],
)
def test_an_update_is_routed_in_any_of_its_forms(
    text: str, code: str, raw: str, period: str | None
) -> None:
    assert route(text, bundled_lexicon(), TODAY) == Update(code, raw, period, "")


@pytest.mark.parametrize(
    ("text", "period", "note"),
    [
        ("/capnhat 8.2 12,5 theo số liệu Sở KH&CN", None, "theo số liệu Sở KH&CN"),
        ("8.2: 12,5% theo số liệu quý 3", "2025-Q3", "theo số liệu"),
        ("1.1: có - đã triển khai", None, "đã triển khai"),
    ],
)
def test_the_period_is_taken_out_and_the_rest_becomes_the_note(
    text: str, period: str | None, note: str
) -> None:
    found = route(text, bundled_lexicon(), TODAY)
    assert isinstance(found, Update), found
    assert (found.period, found.note) == (period, note)


@pytest.mark.parametrize(
    "text",
    [
        "điểm hạ tầng số",
        "6.4 được bao nhiêu điểm",
        "8.2",
        "chỉ số 8.2",
        "8.2: tỷ lệ hồ sơ trực tuyến",
        "/start",
        "cập nhật danh bạ",
        "làm sao cập nhật 8.2 = 12",
        "6.4 quý 5 được bao nhiêu điểm",
        "8.2 = 30% thì tổng điểm bao nhiêu",
        "nếu cập nhật 8.2 = 40% thì sao",
        "",
    ],
)
def test_text_that_is_not_an_update_is_never_routed_to_one(text: str) -> None:
    assert not isinstance(route(text, bundled_lexicon(), TODAY), Update)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("/capnhat", "no_code"),
        ("/capnhat 12,5", "no_code"),
        ("/capnhat hạ tầng số 12", "no_code"),
        ("/capnhat 8.2", "no_value"),
        ("/capnhat 8.2 cao", "no_value"),
        ("/capnhat 8.2 12 quý 5", "bad_period"),
    ],
)
def test_an_incomplete_update_command_says_what_is_missing(text: str, problem: str) -> None:
    split = split_command(text)
    assert split is not None
    assert update_problem(split[1], bundled_lexicon(), TODAY) == problem
