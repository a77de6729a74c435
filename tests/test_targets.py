"""Plan targets against actual values, an index's results, and agencies that ended."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from scoring.engine import Measurement
from scoring.loading import parse_assessment, parse_directory, parse_framework
from scoring.model import Comparison, Directory, Framework, PlanTarget, TargetKind
from scoring.targets import Status, evaluate_index, evaluate_targets, status_of
from tests.conftest import DATA


@pytest.fixture(scope="module")
def frameworks(directory: Directory) -> dict[str, Framework]:
    found = {}
    for name in ("ninh-thuan-2314", "dti-ninh-thuan-2022"):
        text = (DATA / "frameworks" / f"{name}.yaml").read_text("utf-8")
        framework = parse_framework(text, name, directory)
        found[framework.code] = framework
    return found


def _values(name: str, frameworks: dict[str, Framework]) -> tuple[Measurement, ...]:
    text = (DATA / "assessments" / f"{name}.yaml").read_text("utf-8")
    return parse_assessment(text, name, frameworks).measurements


def test_the_first_half_of_2023_meets_9_of_19_targets_as_the_report_counts(
    frameworks: dict[str, Framework],
) -> None:
    board = evaluate_targets(
        frameworks["ninh-thuan-2314"], _values("ninh-thuan-2023-h1", frameworks)
    )
    assert (board.year, board.period, len(board.results)) == (2023, "2023-H1", 19)
    assert (board.reached, board.count(Status.NOT_MET), board.count(Status.NO_DATA)) == (9, 6, 4)


def test_household_fibre_in_2023_is_77_13_percent_against_75_and_met(
    frameworks: dict[str, Framework],
) -> None:
    board = evaluate_targets(
        frameworks["ninh-thuan-2314"], _values("ninh-thuan-2023-h1", frameworks), "2023"
    )
    result = board.result("1.3")
    assert result is not None
    row = result.rows[0]
    assert row.actual is not None
    assert row.target is not None
    assert (row.actual.value, row.target.value, row.status) == (D("77.13"), 75, Status.EXCEEDED)
    assert result.status.reached


def test_no_data_is_kept_apart_from_zero() -> None:
    target = PlanTarget(TargetKind.TARGET, 2023, D(12))
    assert status_of(target, None) is Status.NO_DATA
    assert status_of(target, Measurement("3.1", "2023-H1", value=D(0))) is Status.NOT_MET


@pytest.mark.parametrize(
    ("comparison", "value", "status"),
    [
        (Comparison.ABOVE, "90", Status.NOT_MET),
        (Comparison.ABOVE, "91", Status.EXCEEDED),
        (Comparison.AT_LEAST, "90", Status.MET),
        (Comparison.AT_MOST, "15", Status.MET),
        (Comparison.AT_MOST, "12", Status.EXCEEDED),
        (Comparison.AT_MOST, "16", Status.NOT_MET),
    ],
)
def test_comparisons_read_as_the_documents_word_them(
    comparison: Comparison, value: str, status: Status
) -> None:
    target = PlanTarget(
        TargetKind.TARGET, 2025, D(90 if comparison != "<=" else 15), comparison=comparison
    )
    assert status_of(target, Measurement("x", "2025", value=D(value))) is status


def test_a_status_the_source_states_wins_over_the_comparison() -> None:
    target = PlanTarget(TargetKind.TARGET, 2023, D(90), comparison=Comparison.ABOVE)
    stated = Measurement("1.1", "2023-H1", value=D(90), verdict="đạt")
    assert status_of(target, stated) is Status.MET


def test_a_year_without_targets_counts_nothing(frameworks: dict[str, Framework]) -> None:
    board = evaluate_targets(frameworks["ninh-thuan-2314"], [], "2024")
    assert board.results == ()


def test_the_2025_targets_come_from_decision_2314_with_baselines_and_national_figures(
    frameworks: dict[str, Framework],
) -> None:
    sub = frameworks["ninh-thuan-2314"].sub_index("2.3")
    assert sub is not None
    assert [p.key for p in sub.parts] == ["tinh", "huyen", "xa"]
    kinds = {(t.kind, t.year, t.part): t.value for t in sub.targets}
    assert kinds[(TargetKind.BASELINE, 2021, "tinh")] == 97
    assert kinds[(TargetKind.TARGET, 2025, "xa")] == 60
    assert kinds[(TargetKind.NATIONAL, 2030, "huyen")] == 90


def test_ninh_thuans_dti_2022_is_0_5934_rank_27_of_63_with_pillar_values_and_ranks(
    frameworks: dict[str, Framework],
) -> None:
    board = evaluate_index(
        frameworks["dti-ninh-thuan-2022"], _values("ninh-thuan-dti-2022", frameworks)
    )
    assert board.whole is not None
    assert (board.whole.value, board.whole.rank, board.whole.rank_of) == (D("0.5934"), 27, 63)
    values = {p.name: (m.value, m.rank) for p, m in board.pillars if m is not None}
    assert values == {
        "Chính quyền số": (D("0.6787"), 24),
        "Kinh tế số": (D("0.6518"), 29),
        "Xã hội số": (D("0.6045"), 22),
    }


def test_an_old_agency_name_resolves_to_its_successor_and_keeps_its_own_code(
    directory: Directory,
) -> None:
    assert directory.find("Sở TT&TT") == "STTTT"
    assert directory.current("STTTT") == "SKHCN"
    assert directory.current(directory.find("Sở Kế hoạch và Đầu tư") or "") == "STC"
    assert directory.expand("STTTT") == ("SKHCN",)
    assert "STTTT" not in directory.expand("SBN")
    assert directory.predecessors("SKHCN") == ("STTTT",)


def test_imported_targets_name_the_old_agency_and_the_successor_answers(
    frameworks: dict[str, Framework], directory: Directory
) -> None:
    sub = frameworks["ninh-thuan-2314"].sub_index("3.1")
    assert sub is not None
    assert sub.lead == ("SKHDT",)
    assert directory.expand(sub.lead[0]) == ("STC",)


def test_a_successor_must_exist_and_an_end_must_come_with_it() -> None:
    text = (DATA / "agencies" / "khanh-hoa.yaml").read_text("utf-8")
    with pytest.raises(ValueError, match="kế nhiệm 'NOPE'"):
        parse_directory(text.replace("successor: SKHCN", "successor: NOPE"), "a.yaml")
    with pytest.raises(ValueError, match="valid_to"):
        parse_directory(
            text.replace("    valid_to: 2025-02-28\n    successor: STC", "    successor: STC"),
            "a.yaml",
        )
