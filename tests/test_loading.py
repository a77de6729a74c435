"""Loading the framework, agency and assessment files, and refusing broken ones."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from scoring.loading import FileError, parse_assessment, parse_directory, parse_framework
from scoring.model import Directory, Framework, Role
from tests.conftest import DATA

FRAMEWORK_TEXT = (DATA / "frameworks" / "dti-province-2025.yaml").read_text("utf-8")
ASSESSMENT_TEXT = (DATA / "assessments" / "khanh-hoa-dti-2024.yaml").read_text("utf-8")


def test_the_2025_framework_has_eight_scored_pillars_adding_to_1000_and_an_unscored_ninth(
    framework: Framework,
) -> None:
    maxima = [p.max_points for p in framework.pillars]
    assert maxima == [50, 50, 200, 100, 100, 200, 150, 150, 0]
    assert sum(maxima) == framework.total_max == 1000
    assert framework.pillar("9").name == "Đô thị thông minh"  # type: ignore[union-attr]
    assert framework.target_total == 800


def test_the_infrastructure_pillar_has_seven_sub_indices_led_by_the_science_department(
    framework: Framework,
) -> None:
    pillar = framework.pillar("3")
    assert pillar is not None
    assert [s.max_points for s in pillar.sub_indices] == [30, 30, 30, 30, 30, 30, 20]
    assert all(s.lead == ("SKHCN",) for s in pillar.sub_indices)
    assert framework.sub_index("3.3").coordinate == ("DNVT",)  # type: ignore[union-attr]


def test_every_sub_index_from_1_1_to_9_3_is_present(framework: Framework) -> None:
    codes = [s.code for s in framework.sub_indices]
    assert len(codes) == 50
    assert (codes[0], codes[-1]) == ("1.1", "9.3")


def test_thresholds_stated_by_the_seeds_are_in_the_data(framework: Framework) -> None:
    thresholds = {
        c: framework.sub_index(c).rule.threshold for c in ("8.2", "8.3", "4.2", "4.5", "3.1")
    }  # type: ignore[union-attr]
    assert thresholds == {"8.2": 50, "8.3": 70, "4.2": 10, "4.5": 5, "3.1": 100}


def test_groups_expand_to_their_member_agencies(directory: Directory) -> None:
    assert set(directory.expand("DNVT")) == {"VNPT", "VIETTEL", "FPT"}
    assert "SNV" in directory.expand("SBNDP")
    assert directory.expand("SKHCN") == ("SKHCN",)


def test_which_sub_indices_the_home_affairs_department_leads(framework: Framework) -> None:
    led = [s.code for s in framework.sub_indices if "SNV" in s.lead]
    assert led == ["4.1", "4.2", "4.3", "4.4"]


def test_who_coordinates_3_3_is_every_telecom_enterprise(
    framework: Framework, directory: Directory
) -> None:
    sub = framework.sub_index("3.3")
    assert sub is not None
    holders = {a for code in sub.coordinate for a in directory.expand(code)}
    assert holders == {"VNPT", "VIETTEL", "FPT"}
    assert Role.COORDINATE.value == "coordinate"


def _refused(text: str, directory: Directory) -> str:
    with pytest.raises(FileError) as caught:
        parse_framework(text, "broken.yaml", directory)
    return str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('code: "3.3"', 'code: "3.2"', "3.2' bị trùng"),
        ("max: 20\n        rule: ratio", "max: 25\n        rule: ratio", "khác điểm tối đa"),
        ("lead: [SNV]", "lead: [SO_KHONG_CO]", "SO_KHONG_CO"),
        ("max: 30\n        rule: ratio", "max: -30\n        rule: ratio", "không âm"),
        ("rule: boolean", "rule: votes", "votes"),
        ("threshold: 50", "threshold: 0", "threshold"),
        ("total_max: 1000", "total_max: 900", "khác total_max 900"),
        ("    max: 200\n", "    max: [200\n", "YAML"),
        ('code: "3.3"', "code: 3.3", "ngoặc kép"),
    ],
)
def test_a_corrupted_framework_is_refused_with_the_file_line_and_problem(
    directory: Directory, old: str, new: str, expected: str
) -> None:
    assert old in FRAMEWORK_TEXT
    message = _refused(FRAMEWORK_TEXT.replace(old, new, 1), directory)
    assert message.startswith("broken.yaml")
    assert expected in message
    assert "dòng" in message


def test_a_sub_index_without_points_is_refused(directory: Directory) -> None:
    text = FRAMEWORK_TEXT.replace(
        "        max: 10\n        rule: boolean\n", "        rule: boolean\n", 1
    )
    assert "chỉ số 1.1: thiếu trường 'max'" in _refused(text, directory)


def test_a_directory_with_a_duplicate_agency_is_refused() -> None:
    text = (
        (DATA / "agencies" / "khanh-hoa.yaml")
        .read_text("utf-8")
        .replace("code: SNV", "code: SKHCN")
    )
    with pytest.raises(FileError, match="SKHCN' bị trùng"):
        parse_directory(text, "agencies.yaml")


def test_the_2024_assessment_maps_to_2025_codes_and_flags_the_6_8_maximum(
    framework: Framework,
) -> None:
    assessment = parse_assessment(ASSESSMENT_TEXT, "a.yaml", {framework.code: framework})
    by_code = {m.code: m for m in assessment.measurements}
    assert by_code["6.4"].points == D("9.17")
    assert by_code["8.2"].points == D("7.6")
    assert by_code["4.5"].value == D("0.5")
    assert assessment.period == "2024"
    assert len(assessment.warnings) == 1
    assert "6.8" in assessment.warnings[0]
    assert "20" in assessment.warnings[0]
    assert "Báo cáo 05-BC/BCĐ" in by_code["6.6"].source


def test_an_assessment_for_an_unknown_sub_index_is_refused(framework: Framework) -> None:
    text = ASSESSMENT_TEXT.replace('code: "7.2"', 'code: "7.9"')
    with pytest.raises(FileError, match="7.9: không có"):
        parse_assessment(text, "a.yaml", {framework.code: framework})


def test_an_assessment_for_a_framework_not_loaded_is_refused(framework: Framework) -> None:
    with pytest.raises(FileError, match="chưa được nạp"):
        parse_assessment(ASSESSMENT_TEXT, "a.yaml", {})
