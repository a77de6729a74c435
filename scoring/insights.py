"""What a good analyst would tell a leader (pure): the weakest sub-indices, the cheapest way to a
target, what-if scores, and change over time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from scoring.engine import Measurement, Scoreboard, SubIndexScore, evaluate
from scoring.model import Framework, RuleKind
from scoring.periods import parse_period, rank


@dataclass(frozen=True, slots=True)
class Step:
    """One sub-index on the way to a target: the points it can still give, and what it takes."""

    score: SubIndexScore
    gain: Decimal
    needs_value: Decimal | None  # for a ratio: the value that gives full points (its threshold)

    @property
    def no_data(self) -> bool:
        return not self.score.has_data


@dataclass(frozen=True, slots=True)
class GapPlan:
    target: Decimal
    gap: Decimal
    steps: tuple[Step, ...]  # cheapest first, just enough to close the gap (or all there are)
    reachable: bool
    # The total of official points alone, when the board also counts reported or estimated ones:
    # the gap an assessment would show today.
    official_total: Decimal | None = None


def weakest(board: Scoreboard, count: int = 5) -> list[SubIndexScore]:
    """Sub-indices by points lost, most first; a sub-index without data has lost everything."""
    scored = [s for p in board.pillars for s in p.sub_scores if s.sub_index.max_points > 0]
    return sorted(scored, key=lambda s: (-s.lost, s.sub_index.code))[:count]


def _cost(s: SubIndexScore) -> tuple[int, Decimal, str]:
    """Cheapest first: values not reported yet (points may only be waiting to be entered), then
    the sub-indices nearest to full points, whose last stretch is the smallest effort."""
    if not s.has_data:
        return (0, -s.sub_index.max_points, s.sub_index.code)
    return (1, s.lost / s.sub_index.max_points, s.sub_index.code)


def gap_plan(board: Scoreboard, target: Decimal) -> GapPlan:
    """The points missing to `target` and the cheapest sub-indices that would close the gap."""
    gap = max(target - board.total, Decimal(0))
    candidates = sorted((s for p in board.pillars for s in p.sub_scores if s.lost > 0), key=_cost)
    steps, gained = [], Decimal(0)
    for s in candidates:
        if gained >= gap:
            break
        rule = s.sub_index.rule
        needs = rule.threshold if rule.kind is RuleKind.RATIO else None
        steps.append(Step(s, s.lost, needs))
        gained += s.lost
    return GapPlan(target, gap, tuple(steps), gained >= gap)


def what_if(
    framework: Framework, values: Iterable[Measurement], changes: Iterable[Measurement]
) -> Scoreboard:
    """The score if the changed values were stored as well: computed, never stored. Give each
    change the period an update would get, and the result equals storing it."""
    return evaluate(framework, [*values, *changes])


def board_at(
    framework: Framework,
    values: Iterable[Measurement],
    period: str,
    *,
    with_pending: bool = False,
) -> Scoreboard:
    """The score as it stood at the end of `period`: only values of periods ending by then."""
    return evaluate(framework, up_to(values, period), with_pending=with_pending)


def up_to(values: Iterable[Measurement], period: str) -> list[Measurement]:
    """The values of periods ending by the end of `period`."""
    end = parse_period(period).ends_on
    return [m for m in values if parse_period(m.period).ends_on <= end]


def later_than(values: Iterable[Measurement], period: str | None) -> bool:
    """Whether some value is of a period ending after `period`'s end (so the board at its end
    is not today's)."""
    if period is None:
        return False
    end = parse_period(period).ends_on
    return any(parse_period(m.period).ends_on > end for m in values)


def periods_of(values: Iterable[Measurement]) -> list[str]:
    """The distinct periods that have values, oldest first."""
    codes = {m.period for m in values}
    order = rank(list(codes))
    return sorted(codes, key=order.__getitem__)
