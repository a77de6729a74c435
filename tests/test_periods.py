"""Reporting periods: parsing, bounds and order."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.periods import parse_period, quarter_of, rank


def test_a_quarter_spans_its_three_months() -> None:
    q = parse_period("2025-Q3")
    assert (q.starts_on, q.ends_on, q.kind) == (date(2025, 7, 1), date(2025, 9, 30), "quarter")


def test_a_leap_year_first_half_ends_on_the_thirtieth_of_june() -> None:
    h = parse_period("2024-h1")
    assert (h.code, h.starts_on, h.ends_on) == ("2024-H1", date(2024, 1, 1), date(2024, 6, 30))


def test_the_quarter_of_a_day_in_december_is_q4() -> None:
    assert quarter_of(date(2025, 12, 25)).code == "2025-Q4"


def test_periods_rank_by_end_date_and_a_year_after_its_last_quarter() -> None:
    order = rank(["2025", "2024", "2025-Q4", "2025-Q1"])
    assert sorted(order, key=order.__getitem__) == ["2024", "2025-Q1", "2025-Q4", "2025"]


@pytest.mark.parametrize("bad", ["", "25", "2025-Q5", "2025-H3", "Q3", "năm 2025"])
def test_anything_else_is_not_a_period(bad: str) -> None:
    with pytest.raises(ValueError, match="not a period"):
        parse_period(bad)
