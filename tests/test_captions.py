"""A file's caption is read by the router's extractors: the sub-index and the period it names."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsing.captions import Caption, read_caption
from tests.router_data import bundled_lexicon

TODAY = date(2025, 11, 30)


def caption(text: str) -> Caption:
    return read_caption(text, bundled_lexicon(), TODAY)


@pytest.mark.parametrize(
    ("text", "code", "period"),
    [
        ("minh chứng 8.2", "8.2", None),
        ("Minh chứng chỉ số 8,2 quý 3/2025", "8.2", "2025-Q3"),
        ("bien ban chi so 8 2 Q2/2025", "8.2", "2025-Q2"),
        ("Báo cáo năm 2024 cho 6.6", "6.6", "2024"),
        ("ảnh hội nghị chuyển đổi số", None, None),
        ("", None, None),
    ],
)
def test_the_sub_index_and_period_a_caption_names(
    text: str, code: str | None, period: str | None
) -> None:
    found = caption(text)
    assert (found.code, found.period, found.bad_period) == (code, period, False)


def test_a_wrong_period_is_said_to_be_wrong_not_taken_for_the_current_one() -> None:
    found = caption("minh chứng 8.2 quý 5")
    assert (found.code, found.bad_period) == ("8.2", True)


def test_a_value_is_not_a_sub_index() -> None:
    assert caption("tỷ lệ đạt 8,2%").code is None


@given(st.text(max_size=300))
def test_any_caption_is_read_without_error(text: str) -> None:
    found = caption(text)
    assert found.code is None or found.code.count(".") == 1
