"""The scoring engine: rules, sums, no-data state, and the real 2024 figures."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from domain.status import ReviewStatus
from scoring.engine import InvalidValue, Measurement, evaluate, newest, rule_points, score
from scoring.model import Framework, Level, Provenance, Rule, RuleKind
from scoring.periods import rank

REPORTED = Provenance.REPORTED


def test_ratio_gives_proportional_points_below_the_threshold_and_full_points_above() -> None:
    rule = Rule(RuleKind.RATIO, threshold=D(50))
    assert rule_points(rule, D(50), D("7.6")) == D("7.60")
    assert rule_points(rule, D(50), D(50)) == D(50)
    assert rule_points(rule, D(50), D(80)) == D(50)


def test_ratio_for_members_per_100_inhabitants_uses_its_own_threshold() -> None:
    assert rule_points(Rule(RuleKind.RATIO, threshold=D(5)), D(10), D("0.5")) == D("1.00")


def test_boolean_gives_all_or_nothing_and_refuses_other_values() -> None:
    rule = Rule(RuleKind.BOOLEAN)
    assert rule_points(rule, D(10), D(1)) == D(10)
    assert rule_points(rule, D(10), D(0)) == D(0)
    with pytest.raises(InvalidValue):
        rule_points(rule, D(10), D("0.5"))


def test_assessed_points_are_taken_as_given_within_the_maximum() -> None:
    rule = Rule(RuleKind.ASSESSED)
    assert rule_points(rule, D(20), D(15)) == D(15)
    with pytest.raises(InvalidValue):
        rule_points(rule, D(20), D(21))


def test_levels_give_the_points_of_the_highest_step_reached() -> None:
    rule = Rule(
        RuleKind.LEVELS, levels=(Level(D(1), D(5)), Level(D(3), D(10)), Level(D(5), D(20)))
    )
    assert rule_points(rule, D(20), D(0)) == D(0)
    assert rule_points(rule, D(20), D(4)) == D(10)
    assert rule_points(rule, D(20), D(9)) == D(20)


def test_negative_values_are_refused_by_every_rule() -> None:
    for rule in (
        Rule(RuleKind.RATIO, threshold=D(1)),
        Rule(RuleKind.ASSESSED),
        Rule(RuleKind.BOOLEAN),
    ):
        with pytest.raises(InvalidValue):
            rule_points(rule, D(10), D(-1))


def test_a_framework_with_no_values_scores_zero_and_reports_every_sub_index_as_missing(
    framework: Framework,
) -> None:
    board = score(framework, {})
    assert board.total == 0
    assert board.missing == len(framework.sub_indices) == 50
    assert all(s.points is None for p in board.pillars for s in p.sub_scores)


def test_the_2024_figures_add_up_exactly_with_6_8_converted_to_its_2025_maximum(
    framework: Framework,
) -> None:
    points = {
        "6.1": "15", "6.2": "10", "6.3": "13", "6.4": "9.17", "6.5": "14.4", "6.6": "11.4",
        "6.8": "9.2", "7.1": "26.3", "7.2": "19.5", "8.2": "7.6", "8.3": "27.5",
    }  # fmt: skip
    current = {c: Measurement(c, "2024", points=D(p)) for c, p in points.items()}
    current["4.2"] = Measurement("4.2", "2024", value=D("6.09"))
    current["4.5"] = Measurement("4.5", "2024", value=D("0.5"))
    current["6.8"] = Measurement("6.8", "2024", points=D("9.2"), source_max=D(20))
    board = score(framework, current)
    # 9,2/20 counts 4,6/10: 182,34 with 6.8 taken at face value, 177,74 converted.
    assert board.total == D("177.74")
    assert board.dti == D("0.1777")
    assert board.pillar("6").points == D("77.57")  # type: ignore[union-attr]
    assert board.sub_index("4.2").points == D("18.27")  # type: ignore[union-attr]
    assert board.missing == 37
    assert board.gap_to_target == D("622.26")


def test_points_given_on_another_maximum_keep_their_scale_and_count_converted(
    framework: Framework,
) -> None:
    board = score(framework, {"6.8": Measurement("6.8", "2024", points=D(15), source_max=D(20))})
    s = board.sub_index("6.8")
    assert s is not None
    assert (s.points, s.converted, s.measurement.points) == (D("7.50"), True, D(15))  # type: ignore[union-attr]


def test_points_a_rule_computes_are_estimates_and_an_evaluators_are_official(
    framework: Framework,
) -> None:
    board = evaluate(
        framework,
        [
            Measurement("6.4", "2024", points=D("9.17")),
            Measurement("4.2", "2024", value=D("6.09"), provenance=REPORTED, unit="%"),
        ],
    )
    assert board.sub_index("6.4").kind is Provenance.OFFICIAL  # type: ignore[union-attr]
    assert board.sub_index("4.2").kind is Provenance.ESTIMATED  # type: ignore[union-attr]
    assert board.kinds() == {Provenance.OFFICIAL: 1, Provenance.ESTIMATED: 1}
    assert not board.complete


def test_a_newer_value_the_rule_cannot_read_is_shown_beside_the_official_points(
    framework: Framework,
) -> None:
    board = evaluate(
        framework,
        [
            Measurement("6.5", "2024", points=D("14.4")),
            Measurement("6.5", "2025", value=D("37.6"), provenance=REPORTED, unit="%"),
            Measurement("8.2", "2025", value=D(9968), provenance=REPORTED, unit="chứng thư"),
        ],
    )
    counted = board.sub_index("6.5")
    assert counted is not None
    assert counted.points == D("14.4")
    assert [m.value for m in counted.unscored] == [D("37.6")]
    only_count = board.sub_index("8.2")
    assert only_count is not None
    assert only_count.points is None
    assert [m.value for m in only_count.unscored] == [D(9968)]


def test_a_newer_estimate_counts_and_the_older_official_points_stay_in_view(
    framework: Framework,
) -> None:
    board = evaluate(
        framework,
        [
            Measurement("6.3", "2024", points=D(13)),
            Measurement("6.3", "2025", value=D("68.75"), provenance=REPORTED, unit="%"),
        ],
    )
    s = board.sub_index("6.3")
    assert s is not None
    assert (s.points, s.kind) == (D("14.47"), Provenance.ESTIMATED)
    assert s.official is not None
    assert s.official.points == D(13)


def test_a_value_waiting_for_review_is_shown_but_not_counted(framework: Framework) -> None:
    values = [
        Measurement("8.2", "2025-Q3", value=D(20), provenance=REPORTED, unit="%"),
        Measurement("8.2", "2025-Q4", value=D("12.5"), status=ReviewStatus.PENDING, unit="%"),
    ]
    s = evaluate(framework, values).sub_index("8.2")
    assert s is not None
    assert s.measurement is not None
    assert (s.measurement.value, s.waiting.value) == (D(20), D("12.5"))  # type: ignore[union-attr]
    provisional = evaluate(framework, values, with_pending=True).sub_index("8.2")
    assert provisional is not None
    assert provisional.kind is Provenance.REPORTED


def test_the_newest_period_wins_and_a_later_entry_wins_within_a_period() -> None:
    values = [
        Measurement("8.2", "2025-Q3", value=D(20)),
        Measurement("8.2", "2024", value=D(10)),
        Measurement("8.2", "2025-Q3", value=D(25)),
        Measurement("6.4", "2024", points=D(9)),
    ]
    chosen = newest(values, rank([m.period for m in values]))
    assert chosen["8.2"].value == D(25)
    assert chosen["6.4"].points == D(9)
