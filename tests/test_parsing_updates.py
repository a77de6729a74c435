"""Metric updates typed in chat: the code, the value as typed, the period and a note."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from parsing.numbers import format_vi
from parsing.update_text import UpdateRequest, UpdateSyntaxError, parse_update

TODAY = date(2025, 11, 30)
codes = st.builds(lambda p, s: f"{p}.{s}", st.integers(1, 9), st.integers(1, 9))
values = st.builds(
    lambda value, percent: format_vi(value) + percent,
    st.decimals(-(10**12), 10**12, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "%"]),
)


def _outcome(text: str) -> UpdateRequest | UpdateSyntaxError | None:
    try:
        return parse_update(text, TODAY)
    except UpdateSyntaxError as error:
        return error


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
        ("set 8.2 12.5", "8.2", "12.5", None),
        ("8.2: 12,5%", "8.2", "12,5%", None),
        ("8.2=12,5", "8.2", "12,5", None),
        ("chỉ số 8.2: 12,5", "8.2", "12,5", None),
        ("08.02: 7", "8.2", "7", None),
        ("8.2 = có", "8.2", "có", None),
        ("1.1: không", "1.1", "không", None),
        ("/capnhat 1.1 yes", "1.1", "yes", None),
        ("1.1 = Đạt", "1.1", "Đạt", None),
        ("1.1: chưa đạt", "1.1", "chưa đạt", None),
        ("/capnhat 8.2 1.234", "8.2", "1.234", None),
        ("/capnhat 8.2 -3,5", "8.2", "-3,5", None),
        ("/capnhat 8.2 1\u202f082\u202f862", "8.2", "1\u202f082\u202f862", None),
        ("/capnhat 8.2 12,5.", "8.2", "12,5", None),
        ("  /capnhat   8.2   12,5  năm 2024 ", "8.2", "12,5", "2024"),
    ],
)
def test_an_update_is_read_in_any_of_its_forms(
    text: str, code: str, raw: str, period: str | None
) -> None:
    assert parse_update(text, TODAY) == UpdateRequest(code, raw, period, "")


@pytest.mark.parametrize("text", ["8.2: 12,5 %", "8.2: 12,5\u00a0%", "/capnhat 8.2 12,5 %."])
def test_a_detached_percent_sign_is_attached_to_the_value(text: str) -> None:
    request = parse_update(text, TODAY)
    assert request is not None
    assert (request.raw_value, request.note) == ("12,5%", "")


@pytest.mark.parametrize(
    ("text", "period", "note"),
    [
        ("8.2: 12,5% theo số liệu quý 3", "2025-Q3", "theo số liệu"),
        ("/capnhat 8.2 12,5 theo số liệu Sở KH&CN", None, "theo số liệu Sở KH&CN"),
        ("8.2: 12,5%, theo   báo cáo\nquý 2", "2025-Q2", "theo báo cáo"),
        ("1.1: có - đã triển khai", None, "đã triển khai"),
        ("1.1: chưa đạt yêu cầu", None, "yêu cầu"),
        ("8.2 = 12 -5% so với Q2/2024", "2024-Q2", "-5% so với"),
    ],
)
def test_the_period_is_taken_out_and_the_rest_becomes_the_note(
    text: str, period: str | None, note: str
) -> None:
    request = parse_update(text, TODAY)
    assert request is not None
    assert (request.period, request.note) == (period, note)


@pytest.mark.parametrize(
    "text",
    [
        "điểm hạ tầng số",
        "6.4 được bao nhiêu điểm",
        "8.2",
        "chỉ số 8.2",
        "8.2 12,5",
        "8.2: tỷ lệ hồ sơ trực tuyến",
        "8,2: 12,5",
        "/start",
        "/capnhatx 8.2 12",
        "cập nhật danh bạ",
        "set up the bot",
        "làm sao cập nhật 8.2 = 12",
        "6.4 quý 5 được bao nhiêu điểm",
        "",
    ],
)
def test_text_that_is_not_an_update_gives_none(text: str) -> None:
    assert parse_update(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "reason", "code"),
    [
        ("/capnhat", "no_code", None),
        ("/capnhat@TroLyDtiBot", "no_code", None),
        ("/capnhat 12,5", "no_code", None),
        ("/capnhat hạ tầng số 12", "no_code", None),
        ("cập nhật 12,5", "no_code", None),
        ("cập nhật 8.2", "no_value", "8.2"),
        ("/capnhat 8.2 cao", "no_value", "8.2"),
        ("/capnhat 8.2 1e5", "no_value", "8.2"),
        ("8.2 = abc", "no_value", "8.2"),
        ("8.2 =", "no_value", "8.2"),
        ("/capnhat 8.2 12 quý 5", "bad_period", "8.2"),
        ("8.2: 12,5 Q0/2025", "bad_period", "8.2"),
        ("update 8.2 = 12 năm 25", "bad_period", "8.2"),
    ],
)
def test_an_incomplete_update_says_what_is_missing(
    text: str, reason: str, code: str | None
) -> None:
    with pytest.raises(UpdateSyntaxError) as caught:
        parse_update(text, TODAY)
    assert (caught.value.reason, caught.value.code) == (reason, code)


def test_a_bad_period_error_keeps_the_period_phrase_as_its_cause() -> None:
    with pytest.raises(UpdateSyntaxError) as caught:
        parse_update("/capnhat 8.2 12 quý 5", TODAY)
    assert getattr(caught.value.__cause__, "text", None) == "quý 5"


@given(st.text())
@example("/capnhat " + "8.2 " * 10_000)
@example("8.2: " + "1" * 100_000)
def test_any_text_gives_an_update_or_none_or_an_update_syntax_error(text: str) -> None:
    outcome = _outcome(text)  # anything but an UpdateSyntaxError would escape from here
    if isinstance(outcome, UpdateSyntaxError):
        assert outcome.reason in {"no_code", "no_value", "bad_period"}
    elif outcome is not None:
        assert outcome.raw_value
        assert outcome.code.count(".") == 1


@given(st.sampled_from(["/capnhat ", "cập nhật ", "update ", "8.2: ", "8.2 = "]), st.text())
def test_any_text_after_an_update_keyword_is_handled(prefix: str, text: str) -> None:
    outcome = _outcome(prefix + text)
    assert outcome is None or isinstance(outcome, UpdateRequest | UpdateSyntaxError)


@given(codes, values, st.sampled_from(["/capnhat {c} {v}", "cập nhật {c} = {v}", "{c}: {v}"]))
@example("8.2", "1.234", "{c}: {v}")
def test_each_form_gives_back_the_code_and_the_value_as_typed(
    code: str, value: str, form: str
) -> None:
    request = parse_update(form.format(c=code, v=value), TODAY)
    assert request == UpdateRequest(code, value, None, "")


@given(codes, values, st.integers(1, 4), st.integers(2000, 2100))
def test_a_period_after_the_value_is_read_and_not_left_in_the_note(
    code: str, value: str, quarter: int, year: int
) -> None:
    request = parse_update(f"/capnhat {code} {value} quý {quarter}/{year} theo Sở", TODAY)
    assert request == UpdateRequest(code, value, f"{year}-Q{quarter}", "theo Sở")


def test_a_value_is_kept_exactly_as_typed_not_as_read() -> None:
    request = parse_update("/capnhat 8.2 0012,50", TODAY)
    assert request is not None
    assert request.raw_value == "0012,50"


update_words = st.sampled_from(
    [" ", "/capnhat", "@Bot", "cập nhật", "update", "set", "chỉ số", "8.2", "08.02", "8,2", ":"]
    + ["=", "là", "to", "12,5", "1.234", "%", "-", "có", "chưa", "đạt", "quý 3", "Q5", "năm 25"]
    + ["/2025", "theo", ",", "."]
)


@given(st.lists(update_words, max_size=10).map("".join))
def test_text_made_of_update_words_gives_an_update_or_none_or_an_update_syntax_error(
    text: str,
) -> None:
    outcome = _outcome(text)
    if isinstance(outcome, UpdateRequest):
        assert outcome.raw_value == outcome.raw_value.strip()
        assert outcome.raw_value
        assert outcome.note == outcome.note.strip()
