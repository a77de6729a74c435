"""Command arguments, button data and dates are read strictly: ASCII digits, ids within the
database's integers, years within the calendar's window; anything else is None, never an
exception."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from parsing.arguments import (
    INT64_MAX,
    ROW_ID_MAX,
    clean,
    clock_time,
    natural,
    period_code,
    row_id,
    telegram_id,
    year,
)
from parsing.dates import parse_date
from scoring.periods import parse_period

# Digits that str.isdigit() or "\d" accept and int() refuses or reads: superscripts, circled,
# Arabic-Indic, Devanagari, full-width.
NOT_ASCII_DIGITS = ["²", "³", "①", "٣", "३", "３", "𝟓"]


@given(st.integers(0, INT64_MAX))
def test_a_whole_number_in_ascii_digits_reads_as_itself(n: int) -> None:
    assert natural(str(n)) == n


@given(st.text(max_size=30))
@example("²")
@example("1²")
@example("99999999999999999999")
@example("-1")
@example("+1")
@example(" 1")
@example("1_000")
def test_natural_never_raises_and_reads_only_ascii_digits(text: str) -> None:
    value = natural(text)
    if value is not None:
        assert text.isascii()
        assert text.isdigit()
        assert 0 <= value <= INT64_MAX


@pytest.mark.parametrize("digit", NOT_ASCII_DIGITS)
def test_digits_that_are_not_ascii_are_refused_everywhere(digit: str) -> None:
    assert natural(digit) is None
    assert natural(f"1{digit}") is None
    assert telegram_id(f"12{digit}") is None
    assert row_id(f"#{digit}") is None
    assert year(f"202{digit}") is None
    assert period_code(f"202{digit}-Q1") is None
    assert parse_date(f"0{digit}/12/2025") is None
    assert clock_time(f"0{digit}:00") is None


def test_ids_beyond_the_databases_integers_are_refused() -> None:
    assert telegram_id(str(INT64_MAX)) == INT64_MAX
    assert telegram_id(str(INT64_MAX + 1)) is None
    assert telegram_id("0") is None
    assert row_id(str(ROW_ID_MAX)) == ROW_ID_MAX
    assert row_id(str(ROW_ID_MAX + 1)) is None
    assert row_id("#12") == 12
    assert row_id("##12") is None
    assert row_id("9" * 400) is None


@given(st.integers(2000, 2100), st.sampled_from(["", "-Q1", "-Q2", "-Q3", "-Q4", "-H1", "-H2"]))
def test_a_period_code_in_the_window_reads_as_the_calendar_reads_it(y: int, part: str) -> None:
    code = f"{y}{part}"
    assert period_code(code) == parse_period(code).code
    assert period_code(code.lower()) == code


@given(st.text(max_size=12))
@example("0-Q1")
@example("0000")
@example("9999")
@example("2025-Q5")
@example("2025-Q0")
@example("2025-H3")
def test_period_code_never_raises_and_what_it_reads_the_calendar_can_use(text: str) -> None:
    code = period_code(text)
    if code is not None:
        period = parse_period(code)
        assert 2000 <= period.year <= 2100
        assert period.ends_on.year == period.year  # no arithmetic past the window


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_a_date_in_the_window_reads_in_every_spelling(day: date) -> None:
    for text in (
        day.strftime("%d/%m/%Y"),
        day.strftime("%d-%m-%Y"),
        day.strftime("%d.%m.%Y"),
        day.isoformat(),
        f"{day.day}/{day.month}/{day.year}",
    ):
        assert parse_date(text) == day


@given(st.text(max_size=14))
@example("01/01/0001")
@example("31/12/9999")
@example("31/02/2025")
@example("٢٥/١٢/٢٠٢٥")
def test_parse_date_never_raises_and_keeps_to_the_window(text: str) -> None:
    day = parse_date(text)
    if day is not None:
        assert 2000 <= day.year <= 2100


def test_years_outside_the_calendars_window_are_not_dates() -> None:
    assert parse_date("01/01/0001") is None
    assert parse_date("31/12/9999") is None
    assert parse_date("31/12/2100") == date(2100, 12, 31)
    assert year("1999") is None
    assert year("2025") == 2025
    assert year("02025") is None


@given(st.integers(0, 23), st.integers(0, 59))
def test_a_time_of_day_reads_with_or_without_a_leading_zero(hour: int, minute: int) -> None:
    assert clock_time(f"{hour:02d}:{minute:02d}") == (hour, minute)
    assert clock_time(f"{hour}:{minute:02d}") == (hour, minute)


def test_times_that_do_not_exist_are_refused() -> None:
    assert clock_time("24:00") is None
    assert clock_time("8:60") is None
    assert clock_time("8:5") is None


@given(st.text())
@example("/start ABC\x00DEF")
@example("\ud800")
def test_cleaned_text_has_no_nul_and_always_encodes(text: str) -> None:
    cleaned = clean(text)
    assert "\x00" not in cleaned
    cleaned.encode("utf-8")
    assert clean(cleaned) == cleaned
    if "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert cleaned == text  # anything else is left as typed
