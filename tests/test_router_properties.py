"""Properties of the router over generated messages: it never raises, always gives one intent,
and keeps its safety rules whatever surrounds the words that trigger them."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsing.intents import KINDS, Gap, Intent, Unclear, Update, WhatIf, fields
from parsing.router import route
from tests.router_data import bundled_lexicon

TODAY = date(2025, 11, 30)
# Words of every kind the router reads, so generated messages hit its rules and not only noise.
WORDS = (
    "điểm", "tổng", "bao nhiêu", "còn thiếu", "để đạt", "800", "0,8", "năm", "2025", "quý 3",
    "nếu", "thì", "8.2", "8,2", "6.6", "đạt", "=", ":", "40%", "30 điểm", "được", "và", "cập nhật",
    "ai", "chủ trì", "Sở Tài chính", "chưa báo cáo", "xếp hạng", "so với", "biểu đồ", "hạ tầng số",
    "chữ ký số", "Đà Nẵng", "Ninh Thuận", "?", "ạ", "nhé", "bot ơi", "@bot", "không", "chưa",
    "what if", "suppose", "top 5", "yếu nhất", "trụ cột thứ 7", "tạm tính", "12,5", "1.082.862",
)  # fmt: skip
QUESTION = ("bao nhiêu", "?", "ai", "thế nào", "không?", "which", "how")
HYPOTHETICAL = ("nếu", "giả sử", "what if", "suppose", "trường hợp")
messages = st.lists(st.sampled_from(WORDS), max_size=14).map(" ".join)
PROPERTY = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])


def routed(text: str) -> Intent:
    return route(text, bundled_lexicon(), TODAY)


def _no_update(found: Intent) -> bool:
    if isinstance(found, Unclear):
        return not any(isinstance(c, Update) for c in found.candidates)
    return not isinstance(found, Update)


@PROPERTY
@given(st.text(max_size=300))
def test_any_text_routes_to_exactly_one_known_intent(text: str) -> None:
    found = routed(text)
    assert type(found) in KINDS
    assert fields(found)["kind"] in KINDS.values()


@PROPERTY
@given(messages)
def test_any_mix_of_the_routers_words_routes_to_one_intent(text: str) -> None:
    found = routed(text)
    assert type(found) in KINDS
    if isinstance(found, Unclear):
        assert len(found.candidates) <= 3
        assert not any(isinstance(c, Unclear) for c in found.candidates)


@PROPERTY
@given(messages, st.sampled_from(HYPOTHETICAL), messages)
def test_a_hypothetical_is_never_an_update(before: str, marker: str, after: str) -> None:
    assert _no_update(routed(f"{before} {marker} {after}"))


@PROPERTY
@given(messages, st.sampled_from(QUESTION), messages)
def test_a_message_with_a_question_word_is_never_an_update(
    before: str, question: str, after: str
) -> None:
    assert _no_update(routed(f"{before} {question} {after}"))


@PROPERTY
@given(st.integers(2000, 2100), messages)
def test_a_year_is_never_a_target(year: int, words: str) -> None:
    found = routed(f"năm {year} còn thiếu bao nhiêu điểm {words}")
    if isinstance(found, Gap) and found.target is not None:
        assert found.target != year


@PROPERTY
@given(
    st.lists(
        st.tuples(st.sampled_from(["8.2", "6.6", "4.2", "3.3"]), st.integers(1, 99)),
        min_size=1,
        max_size=4,
        unique_by=lambda change: change[0],
    )
)
def test_every_clause_of_a_what_if_is_applied(changes: list[tuple[str, int]]) -> None:
    clauses = " và ".join(f"{code} đạt {value}%" for code, value in changes)
    found = routed(f"nếu {clauses} thì tổng bao nhiêu")
    assert isinstance(found, WhatIf)
    assert [(c.code, c.raw_value) for c in found.changes] == [(c, f"{v}%") for c, v in changes]
    assert found.not_understood == ()


@PROPERTY
@given(messages)
def test_routing_is_pure_the_same_message_routes_the_same(text: str) -> None:
    assert routed(text) == routed(text)
