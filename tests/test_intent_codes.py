"""The data of "did you mean …?" buttons: each candidate the router offers comes back exactly from
its button, within Telegram's 64 bytes, and no other text reads as a candidate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsing.intent_codes import MAX_BYTES, decode, encode
from parsing.intents import (
    TOTAL,
    Change,
    Chart,
    ChartKind,
    Gap,
    Help,
    Holdings,
    Intent,
    NoData,
    NoDataReason,
    Score,
    Subject,
    SubjectKind,
    Unclear,
    UnclearReason,
    Update,
    WhatIf,
)
from parsing.router import route
from tests.router_data import bundled_lexicon

TODAY = date(2025, 11, 30)
ASKED_BACK = [
    "hạ tầng số đang mất bao nhiêu điểm",
    "nên ưu tiên cải thiện chỉ số nào",
    "còn thiếu gì không",
    "8.2 lên 40%",
    "muốn vào top 20 thì cần bao nhiêu điểm",
    "3.9",
    "cập nhật 3.9 = 5",
    "ai chủ trì 9.9",
    "điểm tỷ lệ hồ sơ trực tuyến",
]


@pytest.mark.parametrize("text", ASKED_BACK)
def test_every_candidate_the_router_offers_fits_a_button_and_comes_back_whole(text: str) -> None:
    asked = route(text, bundled_lexicon(), TODAY)
    assert isinstance(asked, Unclear)
    assert asked.candidates
    for candidate in asked.candidates:
        data = encode(candidate, "ask:")
        assert data is not None
        assert len(data.encode()) <= MAX_BYTES
        assert decode(data.removeprefix("ask:")) == candidate


@pytest.mark.parametrize(
    "intent",
    [
        Score(Subject(SubjectKind.SUB_INDEX, "1.3"), True, "ninh-thuan-2314", "2023"),
        WhatIf((Change("8.2", "40%"), Change("6.6", "30", as_points=True))),
        WhatIf((Change("8.2", "10%", step=1), Change("6.6", "3", as_points=True, step=-1))),
        Gap(Decimal("612.5"), "2025"),
        Chart(ChartKind.HISTORY, TOTAL),
        Holdings("SNV"),
        Help(),
    ],
)
def test_an_intent_comes_back_from_its_code(intent: Intent) -> None:
    data = encode(intent)
    assert data is not None
    assert decode(data) == intent


@pytest.mark.parametrize(
    "intent",
    [
        NoData(NoDataReason.OTHER_PROVINCE, "Đà Nẵng"),
        Unclear(UnclearReason.NOTHING),
        Update("8.2", "12,5%", None, "ghi chú " * 20),  # over 64 bytes
        Update("8.2", "12|5", None, ""),  # holds the separator
        WhatIf((Change("8.2", "40%"),), ("dân số tăng",)),  # a clause not understood
    ],
)
def test_what_cannot_be_carried_whole_gets_no_button(intent: Intent) -> None:
    assert encode(intent) is None


@given(st.text(max_size=64))
def test_no_other_text_reads_as_a_candidate(text: str) -> None:
    found = decode(text)
    assert found is None or encode(found) == text
