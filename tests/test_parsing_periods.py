"""Reporting periods named in free text: quarters, halves and years, with or without a year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from parsing.numbers import format_vi
from parsing.period_text import PeriodTextError, find_period
from scoring.periods import parse_period

TODAY = date(2025, 11, 30)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
years = st.integers(2000, 2100)
days = st.dates(date(2001, 1, 1), date(2099, 12, 31))


def _outcome(text: str, today: date) -> tuple[str | None, str] | PeriodTextError:
    try:
        return find_period(text, today)
    except PeriodTextError as error:
        return error


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("quý 3", "2025-Q3"),
        ("quy 3", "2025-Q3"),
        ("QUÝ 3", "2025-Q3"),
        ("Q3", "2025-Q3"),
        ("q3/2025", "2025-Q3"),
        ("Q3-2025", "2025-Q3"),
        ("Q3 2025", "2025-Q3"),
        ("quý 3/2025", "2025-Q3"),
        ("quý 3 - 2024", "2024-Q3"),
        ("quý III", "2025-Q3"),
        ("Quý iv/2024", "2024-Q4"),
        ("quý 3 năm 2025", "2025-Q3"),
        ("2025-Q3", "2025-Q3"),
        ("2024-h2", "2024-H2"),
        ("năm 2025", "2025"),
        ("nam 2025", "2025"),
        ("Năm 2024", "2024"),
        ("cả năm 2025", "2025"),
        ("6 tháng đầu năm 2025", "2025-H1"),
        ("6 thang cuoi nam 2024", "2024-H2"),
        ("sáu tháng đầu năm 2025", "2025-H1"),
        ("nửa cuối năm 2024", "2024-H2"),
        ("H1/2025", "2025-H1"),
        ("H2 2025", "2025-H2"),
        ("Q2 of 2024", "2024-Q2"),
        ("year 2025", "2025"),
        ("full year 2024", "2024"),
        ("quarter 3", "2025-Q3"),
        ("first half 2025", "2025-H1"),
        ("second half of 2024", "2024-H2"),
    ],
)
def test_a_period_phrase_is_read_in_vietnamese_or_english(text: str, code: str) -> None:
    assert find_period(text, TODAY) == (code, "")


@pytest.mark.parametrize(
    ("text", "today", "code"),
    [
        ("quý 4", date(2026, 1, 5), "2025-Q4"),
        ("quý 3", date(2025, 11, 30), "2025-Q3"),
        ("quý 4", date(2025, 11, 30), "2025-Q4"),
        ("quý 2", date(2025, 2, 1), "2024-Q2"),
        ("quý 1", date(2025, 1, 1), "2025-Q1"),
        ("6 tháng cuối năm", date(2025, 6, 30), "2024-H2"),
        ("6 tháng cuối năm", date(2025, 7, 1), "2025-H2"),
        ("H1", date(2025, 3, 1), "2025-H1"),
    ],
)
def test_a_quarter_or_half_without_a_year_is_the_latest_one_begun(
    text: str, today: date, code: str
) -> None:
    assert find_period(text, today)[0] == code


@pytest.mark.parametrize(
    ("text", "code", "rest"),
    [
        ("theo số liệu quý 3", "2025-Q3", "theo số liệu"),
        ("8.2 12,5 Q3/2025 theo Sở KH&CN", "2025-Q3", "8.2 12,5 theo Sở KH&CN"),
        ("quý 3 12,5", "2025-Q3", "12,5"),
        ("số liệu năm 2024   đã chốt", "2024", "số liệu đã chốt"),
        ("giá trị 1\u202f082\u202f862 quý 2", "2025-Q2", "giá trị 1\u202f082\u202f862"),
    ],
)
def test_the_period_phrase_is_cut_from_the_text_and_spaces_collapse(
    text: str, code: str, rest: str
) -> None:
    assert find_period(text, TODAY) == (code, rest)


@pytest.mark.parametrize(
    "text",
    [
        "8.2 12,5 2025",
        "2025",
        "3.3",
        "12,5",
        "năm",
        "cả năm",
        "quý",
        "điểm hạ tầng số",
        "Kính gửi quý vị",
        "quy định 2025",
        "Việt Nam 2025",
        "quý 3.5",
        "Q10",
        "H5N1",
        "năm 12,5",
        "",
    ],
)
def test_text_without_a_period_comes_back_unchanged(text: str) -> None:
    assert find_period(text, TODAY) == (None, text)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("quý 5", "quý 5"),
        ("Q0/2025", "Q0/2025"),
        ("năm 25", "năm 25"),
        ("số liệu quý 3/1999", "quý 3/1999"),
        ("năm 2101", "năm 2101"),
        ("H3 2025", "H3 2025"),
        ("quý 12", "quý 12"),
        ("6 tháng đầu năm 25", "6 tháng đầu năm 25"),
        ("quý " + "9" * 5000, "quý " + "9" * 5000),
    ],
)
def test_a_malformed_period_is_reported_with_its_phrase(text: str, phrase: str) -> None:
    with pytest.raises(PeriodTextError) as caught:
        find_period(text, TODAY)
    assert caught.value.text == phrase


def test_the_first_period_named_is_the_one_taken() -> None:
    assert find_period("quý 2 năm 2024 so với năm 2023", TODAY) == ("2024-Q2", "so với năm 2023")


@given(st.text(), days)
@example("quý " * 10_000, TODAY)
@example("6 thang dau nam " * 5_000, TODAY)
def test_any_text_gives_a_period_code_or_none_or_a_period_text_error(
    text: str, today: date
) -> None:
    outcome = _outcome(text, today)  # anything but a PeriodTextError would escape from here
    if isinstance(outcome, PeriodTextError):
        assert outcome.text
        return
    code, rest = outcome
    if code is None:
        assert rest == text
    else:
        assert parse_period(code).code == code


@given(st.integers(1, 4), years, st.sampled_from(["quý {q}/{y}", "Q{q}-{y}", "quý {r} năm {y}"]))
def test_a_quarter_with_a_year_names_that_quarter(quarter: int, year: int, form: str) -> None:
    text = form.format(q=quarter, y=year, r=ROMAN[quarter])
    assert find_period(text, TODAY) == (f"{year}-Q{quarter}", "")


@given(st.integers(1, 4), days)
def test_a_quarter_without_a_year_has_begun_and_is_the_latest_of_its_number(
    quarter: int, today: date
) -> None:
    code, _ = find_period(f"quý {quarter}", today)
    assert code is not None
    period = parse_period(code)
    later = parse_period(f"{period.year + 1}-Q{quarter}")
    assert period.starts_on <= today < later.starts_on


@given(
    st.sampled_from(["1.1", "3.3", "8.2"]),
    st.decimals(-(10**9), 10**9, places=2, allow_nan=False, allow_infinity=False),
    st.integers(1, 2),
    years,
)
def test_a_period_phrase_leaves_codes_and_values_alone(
    code: str, value: Decimal, half: int, year: int
) -> None:
    spelled = format_vi(value)
    text = f"{code} {spelled} H{half}/{year}"
    assert find_period(text, TODAY) == (f"{year}-H{half}", f"{code} {spelled}")


period_words = st.sampled_from(
    [" ", "quý", "quy", "Q", "q", "H", "năm", "nam", "cả", "6 tháng", "đầu", "cuối", "nửa", "of"]
    + ["year", "first half", "III", "iv", "3", "0", "5", "2025", "1999", "25", "/", "-", ",", "."]
)


@given(st.lists(period_words, max_size=12).map("".join), days)
def test_text_made_of_period_words_gives_a_shorter_text_or_a_period_text_error(
    text: str, today: date
) -> None:
    outcome = _outcome(text, today)
    if isinstance(outcome, PeriodTextError):
        assert outcome.text.strip()
        return
    code, rest = outcome
    if code is not None:
        assert parse_period(code).code == code
        assert len(rest) < len(text)
