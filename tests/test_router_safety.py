"""The safety rules of issue 10 (item 4) and the confident-wrong answers it lists: none of them
can happen again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parsing.intents import (
    TOTAL,
    Change,
    Gap,
    Help,
    Holders,
    Holdings,
    Intent,
    NoData,
    NoDataReason,
    NotReported,
    Rank,
    Score,
    Subject,
    SubjectKind,
    Summary,
    Unclear,
    UnclearReason,
    Update,
    Weakest,
    WhatIf,
    kind_of,
)
from parsing.router import route
from tests.router_data import bundled_lexicon, fixture_lexicon

TODAY = date(2025, 11, 30)


def routed(text: str) -> Intent:
    return route(text, bundled_lexicon(), TODAY)


def sub(code: str) -> Subject:
    return Subject(SubjectKind.SUB_INDEX, code)


# --- the confident-wrong answers of the issue ---


def test_a_year_is_not_taken_for_the_target() -> None:
    assert routed("năm 2025 còn thiếu bao nhiêu điểm để đạt 800") == Gap(Decimal(800), "2025")


def test_both_clauses_of_a_what_if_are_applied() -> None:
    assert routed("nếu 8.2 đạt 40% và 6.6 được 30 điểm thì tổng bao nhiêu") == WhatIf(
        (Change("8.2", "40%"), Change("6.6", "30", as_points=True))
    )


def test_a_value_followed_by_a_question_is_a_what_if_not_an_update() -> None:
    assert routed("8.2 = 30% thì tổng điểm bao nhiêu") == WhatIf((Change("8.2", "30%"),))


def test_another_provinces_score_is_no_data_not_ours() -> None:
    assert routed("điểm DTI của Đà Nẵng") == NoData(NoDataReason.OTHER_PROVINCE, "Đà Nẵng")


def test_a_quick_report_for_the_leaders_is_the_summary_not_a_pillar() -> None:
    assert routed("báo cáo nhanh tình hình chuyển đổi số cho lãnh đạo") == Summary()


def test_the_provinces_digital_transformation_score_is_the_total_not_4_1() -> None:
    assert routed("Điểm chuyển đổi số của tỉnh hiện được bao nhiêu?") == Score(TOTAL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cần thêm bao nhiêu điểm nữa mới đạt 800", Gap(Decimal(800))),
        ("khoảng cách tới mục tiêu 800", Gap(Decimal(800))),
        ("kéo điểm xuống nhiều nhất", Weakest()),
        ("xếp thứ mấy", Rank()),
        ("chưa gửi số liệu", NotReported()),
        ("Sở Tài chính chịu trách nhiệm chỉ số nào", Holdings("STC")),
        ("nếu 8.2 tăng lên 40%", WhatIf((Change("8.2", "40%"),))),
        ("ai chủ trì chỉ số chữ ký số cá nhân", Holders(sub("8.2"))),
        ("trụ cột thứ 7", Score(Subject(SubjectKind.PILLAR, "7"))),
        ("bot ơi điểm hiện tại thế nào ạ", Score(TOTAL)),
    ],
)
def test_the_questions_the_issue_found_misunderstood_are_understood(
    text: str, expected: Intent
) -> None:
    assert routed(text) == expected


# --- a hypothetical or a question is never an update ---


@pytest.mark.parametrize(
    "text",
    [
        "nếu 8.2 = 40% thì sao",
        "giả sử cập nhật 8.2 = 40%",
        "trường hợp 8.2 đạt 40%",
        "8.2 = 40% thì tổng điểm bao nhiêu",
        "what if 8.2 is 40%",
        "suppose 8.2 reaches 40%",
        "cập nhật 8.2 = 12,5% có đúng không",
        "cập nhật 8.2 là 12,5% hả",
        "8.2 = 12,5% được không?",
        "cập nhật 8.2 = 12,5% bao giờ",
    ],
)
def test_a_hypothetical_or_a_question_is_never_an_update(text: str) -> None:
    found = routed(text)
    assert not isinstance(found, Update)
    if isinstance(found, Unclear):
        assert not any(isinstance(c, Update) for c in found.candidates)


def test_a_plain_update_is_still_an_update() -> None:
    assert routed("cập nhật 8.2 = 12,5% quý 3") == Update("8.2", "12,5%", "2025-Q3")
    assert routed("8.2: 12,5% theo số liệu Sở KH&CN") == Update(
        "8.2", "12,5%", None, "theo số liệu Sở KH&CN"
    )


def test_a_bare_rise_may_be_a_report_or_a_hypothetical_so_the_bot_asks() -> None:
    found = routed("8.2 lên 40%")
    assert isinstance(found, Unclear)
    assert {kind_of(c) for c in found.candidates} == {"update", "what_if"}


# --- every clause of a what-if is applied or named back ---


def test_a_clause_that_cannot_be_read_is_named_back() -> None:
    assert routed("nếu 8.2 đạt 40% và chỉ số hài lòng tăng gấp đôi thì tổng bao nhiêu") == WhatIf(
        (Change("8.2", "40%"),), ("chỉ số hài lòng tăng gấp đôi",)
    )


def test_a_clause_naming_a_code_the_framework_lacks_is_named_back() -> None:
    found = routed("nếu 8.2 đạt 40% và 8.5 đạt 20% thì sao")
    assert found == WhatIf((Change("8.2", "40%"),), ("8.5 đạt 20%",))


def test_a_clause_without_its_value_takes_the_next_one() -> None:
    assert routed("nếu 8.2 và 8.3 cùng đạt 70% thì sao") == WhatIf(
        (Change("8.2", "70%"), Change("8.3", "70%"))
    )


def test_a_change_may_name_its_sub_index_in_words() -> None:
    assert routed("nếu chữ ký số cá nhân đạt 40% thì tổng bao nhiêu") == WhatIf(
        (Change("8.2", "40%"),)
    )


def test_a_what_if_of_nothing_readable_asks_for_its_parts() -> None:
    assert routed("nếu đạt 50% thì tổng bao nhiêu") == Unclear(UnclearReason.INCOMPLETE)


def test_a_what_if_on_a_code_the_framework_lacks_offers_the_neighbours() -> None:
    found = routed("nếu 8.5 đạt 50% thì tổng bao nhiêu")
    assert isinstance(found, Unclear)
    assert found.reason is UnclearReason.UNKNOWN_CODE
    assert {c.changes[0].code for c in found.candidates if isinstance(c, WhatIf)} == {
        "8.1",
        "8.2",
        "8.3",
    }


# --- other provinces, and those the data holds ---


@pytest.mark.parametrize(
    "text", ["Bình Dương còn thiếu bao nhiêu để đạt 800", "how does Hanoi rank"]
)
def test_any_question_about_another_province_gets_no_data(text: str) -> None:
    found = routed(text)
    assert isinstance(found, NoData)
    assert found.reason is NoDataReason.OTHER_PROVINCE


def test_a_province_the_data_holds_is_answered_from_its_framework() -> None:
    found = route("điểm DTI của Ninh Thuận năm 2022", fixture_lexicon(), TODAY)
    assert found == Score(TOTAL, framework="dti-ninh-thuan-2022", period="2022")


def test_a_held_province_asked_what_only_our_figures_answer_gets_no_data() -> None:
    found = route("Ninh Thuận còn thiếu bao nhiêu để đạt 800", fixture_lexicon(), TODAY)
    assert found == NoData(NoDataReason.NOT_HELD, "Ninh Thuận")


def test_an_index_the_data_does_not_track_gets_no_data() -> None:
    assert routed("điểm PCI năm 2024") == NoData(NoDataReason.NOT_HELD, "PCI")


def test_a_commune_is_not_scored_on_its_own() -> None:
    assert routed("điểm DTI của phường Nha Trang") == NoData(
        NoDataReason.NOT_HELD, "phường Nha Trang"
    )


def test_a_year_no_assessment_can_hold_yet_gets_no_data() -> None:
    assert routed("điểm DTI năm 2030") == NoData(NoDataReason.NOT_HELD, "năm 2030")


# --- unclear: nothing, or a real choice ---


@pytest.mark.parametrize("text", ["asdf", "hôm nay trời đẹp quá", "ok", "???", "tỉnh"])
def test_a_message_with_nothing_to_go_on_suggests_nothing(text: str) -> None:
    assert routed(text) == Unclear(UnclearReason.NOTHING)


@pytest.mark.parametrize(
    "text", ["hello", "xin chào", "chào bot ạ", "bạn làm được gì", "@TroLyDtiBot"]
)
def test_a_greeting_or_asking_what_the_bot_does_gets_the_help(text: str) -> None:
    assert routed(text) == Help()


def test_an_unknown_code_offers_its_neighbours_never_their_figure() -> None:
    found = routed("điểm chỉ số 3.9")
    assert isinstance(found, Unclear)
    assert found.reason is UnclearReason.UNKNOWN_CODE
    assert found.candidates == (Score(sub("3.7")), Score(sub("3.6")), Score(sub("3.5")))


def test_close_readings_are_offered_as_up_to_three_candidates() -> None:
    found = routed("còn thiếu gì không")
    assert isinstance(found, Unclear)
    assert found.reason is UnclearReason.AMBIGUOUS
    assert {kind_of(c) for c in found.candidates} == {"gap", "my_work", "not_reported"}


def test_who_leads_without_a_subject_asks_for_it() -> None:
    assert routed("ai chủ trì?") == Unclear(UnclearReason.INCOMPLETE)


# --- a question written after some context ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Chiều nay anh Chủ tịch họp giao ban về chuyển đổi số. Điểm hạ tầng số bao nhiêu?",
            Score(Subject(SubjectKind.PILLAR, "3")),
        ),
        (
            "Theo Kế hoạch 4636 năm nay phải đạt 800 điểm. Hạ tầng số được bao nhiêu?",
            Score(Subject(SubjectKind.PILLAR, "3")),
        ),
        (
            "Chào bot, cho mình hỏi với ạ. Ai chủ trì chỉ số chữ ký số cá nhân?",
            Holders(sub("8.2")),
        ),
    ],
)
def test_the_sentence_that_asks_says_what_is_asked_not_the_context(
    text: str, expected: Intent
) -> None:
    assert routed(text) == expected


def test_a_hypothetical_set_out_in_an_earlier_sentence_still_holds() -> None:
    assert routed("Giả sử 8.2 đạt 40%. Khi đó tổng điểm bao nhiêu?") == WhatIf(
        (Change("8.2", "40%"),)
    )
