"""Placing a free-text score question: pillars, sub-indices, the total, and the unplaceable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.lookup import resolve
from scoring.model import Framework
from scoring.text import fold


@pytest.mark.parametrize(
    ("question", "kind", "code"),
    [
        ("điểm Hạ tầng số hiện tại", "pillar", "3"),
        ("diem ha tang so", "pillar", "3"),
        ("ĐIỂM HẠ TẦNG SỐ", "pillar", "3"),
        ("diem ha tnag so", "pillar", "3"),
        ("HTS", "pillar", "3"),
        ("chỉ số 3", "pillar", "3"),
        ("digital infrastructure score", "pillar", "3"),
        ("điểm chính quyền số", "pillar", "6"),
        ("CQS", "pillar", "6"),
        ("ATTT", "pillar", "5"),
        ("an toan thong tin mang", "pillar", "5"),
        ("nhận thức số", "pillar", "1"),
        ("Xã hội số được bao nhiêu", "pillar", "8"),
        ("chỉ số 6.4 được bao nhiêu điểm", "sub_index", "6.4"),
        ("6,4", "sub_index", "6.4"),
        ("Hạ tầng số 3.3", "sub_index", "3.3"),
        ("tỷ lệ hồ sơ trực tuyến toàn trình", "sub_index", "6.6"),
        ("tổng điểm DTI", "total", ""),
        ("tong diem", "total", ""),
        ("total", "total", ""),
        ("điểm", "total", ""),
    ],
)
def test_questions_are_placed_in_the_framework(
    framework: Framework, question: str, kind: str, code: str
) -> None:
    target = resolve(framework, question)
    assert (target.kind, target.code) == (kind, code)


def test_an_unknown_code_suggests_the_sub_indices_of_its_pillar(framework: Framework) -> None:
    target = resolve(framework, "3.9 bao nhiêu điểm")
    assert target.kind == "unknown"
    assert target.code == "3.9"
    assert target.suggestions[:2] == ("3.1", "3.2")


def test_an_unplaceable_question_comes_back_with_the_closest_pillars(framework: Framework) -> None:
    target = resolve(framework, "thời tiết Nha Trang")
    assert target.kind == "unknown"
    assert len(target.suggestions) == 3
    assert all(framework.pillar(c) for c in target.suggestions)


def test_folding_removes_diacritics_case_and_punctuation() -> None:
    assert fold("  Điểm HẠ TẦNG số?! ") == "diem ha tang so"


@given(st.text(max_size=200))
def test_any_text_is_placed_or_answered_with_suggestions_never_an_exception(text: str) -> None:
    from scoring.loading import parse_directory, parse_framework  # noqa: PLC0415
    from tests.conftest import DATA  # noqa: PLC0415 - hypothesis forbids function fixtures here

    fw = _framework_once(DATA, parse_directory, parse_framework)
    target = resolve(fw, text)
    assert target.kind in {"total", "pillar", "sub_index", "unknown"}
    if target.kind == "pillar":
        assert fw.pillar(target.code) is not None
    if target.kind == "sub_index":
        assert fw.sub_index(target.code) is not None


@given(st.text(max_size=100))
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


_CACHE: dict[str, Framework] = {}


def _framework_once(data, parse_directory, parse_framework) -> Framework:  # type: ignore[no-untyped-def]
    if "fw" not in _CACHE:
        d = parse_directory((data / "agencies" / "khanh-hoa.yaml").read_text("utf-8"), "a")
        _CACHE["fw"] = parse_framework(
            (data / "frameworks" / "dti-province-2025.yaml").read_text("utf-8"), "f", d
        )
    return _CACHE["fw"]
