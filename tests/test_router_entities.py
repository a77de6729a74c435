"""Each entity found by its one extractor: codes (and values that look like codes), pillars,
sub-indices by name, agencies (old names resolved), provinces, periods, targets and counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsing.entities import Entities, extract
from parsing.intents import Subject, SubjectKind
from parsing.lexicon import Lexicon
from parsing.period_text import period_at, period_span, starts_period
from parsing.reading import read
from parsing.tokens import tokenize
from tests.router_data import bundled_lexicon, fixture_lexicon

TODAY = date(2025, 11, 30)


def entities(text: str, lexicon: Lexicon | None = None) -> Entities:
    chosen = lexicon or bundled_lexicon()
    return extract(read(text, chosen), chosen, TODAY)


def sub(code: str) -> Subject:
    return Subject(SubjectKind.SUB_INDEX, code)


def pillar(code: str) -> Subject:
    return Subject(SubjectKind.PILLAR, code)


# --- codes ---


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("điểm 8.2", ["8.2"]),
        ("điểm 8,2", ["8.2"]),  # a comma code the framework holds
        ("chỉ số 8 2", ["8.2"]),
        ("nếu 8,2 đạt 40%", ["8.2"]),  # followed by a link word
        ("cập nhật 8.2 = 8,2", ["8.2"]),  # the second follows a link: a value
        ("8.2 đạt 8,2%", ["8.2"]),
        ("được 8,2 điểm", []),  # points
        ("tỷ lệ 12,5", []),  # no pillar 12: a value
        ("chỉ số 3.9", ["3.9"]),  # a code the framework lacks, still a code
        ("what is 8.2", ["8.2"]),  # "is" before a code asks about it
    ],
)
def test_a_code_is_told_from_a_value_by_its_context(text: str, codes: list[str]) -> None:
    assert [c.code for c in entities(text).codes] == codes


def test_an_unknown_code_is_a_code_the_framework_lacks() -> None:
    (found,) = entities("chỉ số 3.9").codes
    assert not found.known


# --- pillars ---


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("điểm hạ tầng số", "3"),
        ("diem ha tang so", "3"),
        ("HTS", "3"),
        ("điểm ATTT", "5"),
        ("digital infrastructure", "3"),
        ("trụ cột 3", "3"),
        ("trụ cột thứ 7", "7"),
        ("trụ cột thứ bảy", "7"),
        ("chỉ số chính số 3", "3"),
        ("pillar 8", "8"),
        ("chỉ số 4", "4"),
        ("an toàn thông tim mạng", "5"),  # a typo in a long name
        ("chính quyền điện tử", "6"),  # a synonym of the pillar's name
    ],
)
def test_a_pillar_is_found_by_name_abbreviation_or_number(text: str, code: str) -> None:
    assert [p.code for p in entities(text).pillars] == [code]


def test_a_pillar_number_the_framework_lacks_is_no_pillar() -> None:
    assert entities("trụ cột 12").pillars == []


# --- sub-indices by name ---


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ai chủ trì chỉ số chữ ký số cá nhân", "8.2"),
        ("tỷ lệ hồ sơ nộp online", "6.5"),
        ("người dân có VNeID", "8.1"),
        ("người dân biết kỹ năng CNTT", "8.3"),
        ("tên miền .vn", "7.5"),
        ("hợp đồng điện tử của doanh nghiệp", "7.3"),
        ("data centre on the cloud", "3.5"),
        ("chỉ số AI", "3.7"),
        ("tỷ trọng kinh tế số trong GRDP", "7.1"),
    ],
)
def test_a_sub_index_is_named_by_the_meaning_bearing_words_of_its_name(
    text: str, code: str
) -> None:
    assert entities(text).subject.subjects == (sub(code),)


@pytest.mark.parametrize(
    "text",
    [
        "Điểm chuyển đổi số của tỉnh hiện được bao nhiêu?",  # the total, not 4.1
        "tỷ lệ bao nhiêu rồi",  # "tỷ lệ" is in half the names
        "điểm chính quyền số",  # the pillar, not 2.3 or 6.9
    ],
)
def test_words_many_names_share_name_no_sub_index(text: str) -> None:
    assert not any(s.kind is SubjectKind.SUB_INDEX for s in entities(text).subject.subjects)


def test_two_sub_indices_named_alike_are_both_offered() -> None:
    assert set(entities("tỷ lệ hồ sơ trực tuyến").subject.subjects) == {sub("6.5"), sub("6.6")}


def test_a_word_typed_with_other_diacritics_does_not_name_a_sub_index() -> None:
    # "cả" (all) folds like the "cá" of "cá nhân" (8.2).
    assert not entities("tổng điểm tính cả số liệu chưa duyệt").subject.named


# --- agencies ---


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Sở Tài chính chủ trì chỉ số nào", "STC"),
        ("STC phụ trách gì", "STC"),
        ("Sở KH&CN", "SKHCN"),
        ("sở khcn chủ trì gì", "SKHCN"),
        ("Department of Finance", "STC"),
        ("VNPT chưa báo cáo", "VNPT"),
        ("So Khoa hoc Cong ngh chu tri gi", "SKHCN"),  # a typo in a long name
        ("Tài chính chủ trì gì", "STC"),  # an everyday-word alias next to the question
    ],
)
def test_an_agency_is_found_by_code_name_or_alias(text: str, code: str) -> None:
    assert entities(text).agency == code


def test_an_everyday_word_alias_alone_is_no_agency() -> None:
    assert entities("thống kê các chỉ số chưa báo cáo").agency is None
    assert entities("xây dựng đề án đô thị thông minh").agency is None


def test_a_short_code_counts_only_in_capitals() -> None:
    assert entities("CAT chưa báo cáo").agency == "CAT"
    assert entities("the cat").agency is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Sở Thông tin và Truyền thông phụ trách chỉ số nào", "SKHCN"),
        ("Sở TT&TT chủ trì gì", "SKHCN"),
        ("Sở Kế hoạch và Đầu tư phối hợp chỉ số nào", "STC"),
    ],
)
def test_an_old_agency_name_resolves_to_its_successor(text: str, code: str) -> None:
    assert entities(text, fixture_lexicon()).agency == code


# --- provinces and frameworks ---


def test_another_province_is_found_as_typed() -> None:
    (found,) = entities("điểm DTI của Đà Nẵng").provinces
    assert (found.typed, found.held) == ("Đà Nẵng", False)


def test_the_deployments_province_is_held() -> None:
    (found,) = entities("điểm DTI Khánh Hòa").provinces
    assert found.held


def test_a_province_name_that_is_an_everyday_phrase_needs_capitals() -> None:
    assert entities("điểm 8.2 cao bằng 8.3 không").provinces == []
    assert [p.name for p in entities("tỉnh Cao Bằng").provinces] == ["Cao Bằng"]


@pytest.mark.parametrize(
    ("text", "framework"),
    [
        ("chỉ tiêu của đề án chuyển đổi số Ninh Thuận", "ninh-thuan-2314"),
        ("Quyết định 2314 đạt bao nhiêu", "ninh-thuan-2314"),
        ("DTI Ninh Thuận năm 2022", "dti-ninh-thuan-2022"),
        ("điểm DTI của Ninh Thuận", "dti-ninh-thuan-2022"),
        ("điểm DTI Khánh Hòa", None),
        ("đề án đô thị thông minh", None),  # a pillar of the DTI framework
        ("chỉ tiêu 8.2", None),  # a code of the DTI framework
    ],
)
def test_a_framework_is_named_by_name_alias_province_or_targets_wording(
    text: str, framework: str | None
) -> None:
    assert entities(text, fixture_lexicon()).framework == framework


# --- periods ---


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("điểm quý 3", "2025-Q3"),
        ("điểm quí 2/2025", "2025-Q2"),
        ("quý này", "2025-Q4"),
        ("quý trước", "2025-Q3"),
        ("năm nay", "2025"),
        ("năm ngoái", "2024"),
        ("6 tháng đầu năm", "2025-H1"),
        ("6 tháng đầu năm ngoái", "2024-H1"),
        ("the third quarter", "2025-Q3"),
        ("last quarter", "2025-Q3"),
        ("5 năm trước", None),  # five years ago
    ],
)
def test_a_period_is_read_as_users_type_it(text: str, period: str | None) -> None:
    assert entities(text).period == period


def test_a_bare_year_in_a_question_is_its_year() -> None:
    assert entities("xếp hạng DTI 2024").year == 2024


@given(st.lists(st.sampled_from(["quý", "3", "năm", "2024", "Q2", "nay", "ngoái", "x", " "])))
def test_periods_tried_at_word_starts_find_what_a_search_finds(parts: list[str]) -> None:
    text = " ".join(parts)
    tokens = tokenize(text)
    starts = [s for s, w in zip(tokens.starts, tokens.texts, strict=True) if starts_period(w)]
    try:
        expected = period_span(text, TODAY)
    except ValueError:
        with pytest.raises(ValueError):  # noqa: PT011 - the same malformed period either way
            period_at(text, TODAY, starts)
        return
    assert period_at(text, TODAY, starts) == expected


# --- targets and counts ---


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("còn thiếu bao nhiêu để đạt 800", "800"),
        ("còn thiếu bao nhiêu để đạt 800 điểm", "800"),
        ("thiếu bao nhiêu để đạt 0,8", "800"),
        ("muốn đạt 0,85 thì thiếu bao nhiêu", "850"),
        ("làm sao đạt 1.000 điểm", "1000"),
        ("để đạt 80% thì còn thiếu bao nhiêu", "800"),
        ("năm 2025 còn thiếu bao nhiêu điểm để đạt 800", "800"),  # the year is no target
        ("2025 cần đạt 800 thì thiếu mấy điểm", "800"),
        ("năm 2025 còn thiếu bao nhiêu", None),
    ],
)
def test_a_target_is_points_of_the_total_and_never_a_year(text: str, target: str | None) -> None:
    found = entities(text).target
    assert found == (None if target is None else Decimal(target))


@given(st.integers(2000, 2100))
def test_a_year_is_never_a_target(year: int) -> None:
    assert entities(f"còn thiếu bao nhiêu điểm để đạt mục tiêu năm {year}").target is None
    assert entities(f"{year} còn thiếu bao nhiêu điểm").target is None


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("5 chỉ số yếu nhất", 5),
        ("top 3 kém nhất", 3),
        ("năm chỉ số yếu nhất", 5),
        ("yếu nhất", None),
    ],
)
def test_how_many_is_read_in_figures_and_words(text: str, count: int | None) -> None:
    assert entities(text).count == count
