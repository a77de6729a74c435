"""Points from values: the rules, and the sums per pillar and for the whole framework."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from scoring.model import Framework, Pillar, Rule, RuleKind, SubIndex

CENT = Decimal("0.01")
DTI_PLACES = Decimal("0.0001")


class InvalidValue(ValueError):
    """A value a sub-index's rule cannot score (negative, out of range, not yes/no)."""


@dataclass(frozen=True, slots=True)
class Measurement:
    """One sub-index's value for a period: a raw `value` scored by the rule, or `points`
    given directly by an evaluator."""

    code: str
    period: str
    value: Decimal | None = None
    points: Decimal | None = None
    source: str = ""
    source_max: Decimal | None = None
    status: str = "approved"  # a domain.status.ReviewStatus: "approved" or "pending"
    submission_id: int | None = None


@dataclass(frozen=True, slots=True)
class SubIndexScore:
    sub_index: SubIndex
    measurement: Measurement | None
    points: Decimal | None  # None: no data yet

    @property
    def has_data(self) -> bool:
        return self.points is not None

    @property
    def lost(self) -> Decimal:
        return self.sub_index.max_points - (self.points or Decimal(0))


@dataclass(frozen=True, slots=True)
class PillarScore:
    pillar: Pillar
    sub_scores: tuple[SubIndexScore, ...]

    @property
    def points(self) -> Decimal:
        return sum((s.points or Decimal(0) for s in self.sub_scores), Decimal(0))

    @property
    def missing(self) -> int:
        return sum(1 for s in self.sub_scores if not s.has_data)


@dataclass(frozen=True, slots=True)
class Scoreboard:
    framework: Framework
    pillars: tuple[PillarScore, ...]

    @property
    def total(self) -> Decimal:
        return sum((p.points for p in self.pillars), Decimal(0))

    @property
    def dti(self) -> Decimal:
        return (self.total / self.framework.total_max).quantize(DTI_PLACES, ROUND_HALF_UP)

    @property
    def missing(self) -> int:
        return sum(p.missing for p in self.pillars)

    @property
    def gap_to_target(self) -> Decimal | None:
        target = self.framework.target_total
        return None if target is None else max(target - self.total, Decimal(0))

    def pillar(self, code: str) -> PillarScore | None:
        return next((p for p in self.pillars if p.pillar.code == code), None)

    def sub_index(self, code: str) -> SubIndexScore | None:
        pillar = self.pillar(code.split(".", 1)[0])
        if pillar is None:
            return None
        return next((s for s in pillar.sub_scores if s.sub_index.code == code), None)


def rule_points(rule: Rule, max_points: Decimal, value: Decimal) -> Decimal:
    """Points a raw value earns under a rule, rounded to hundredths."""
    if value < 0:
        raise InvalidValue("negative")
    if rule.kind is RuleKind.RATIO:
        assert rule.threshold is not None  # noqa: S101 - the loader guarantees a threshold
        earned = max_points * min(value / rule.threshold, Decimal(1))
    elif rule.kind is RuleKind.BOOLEAN:
        if value not in (0, 1):
            raise InvalidValue("not_boolean")
        earned = max_points * value
    elif rule.kind is RuleKind.ASSESSED:
        if value > max_points:
            raise InvalidValue("above_max")
        earned = value
    else:
        reached = [lvl.points for lvl in rule.levels if value >= lvl.at_least]
        earned = max(reached, default=Decimal(0))
    return earned.quantize(CENT, ROUND_HALF_UP)


def measurement_points(sub_index: SubIndex, m: Measurement) -> Decimal:
    """Points of one measurement: an evaluator's points (capped at the maximum), else the rule."""
    if m.points is not None:
        return min(m.points, sub_index.max_points).quantize(CENT, ROUND_HALF_UP)
    if m.value is None:
        raise InvalidValue("empty")
    return rule_points(sub_index.rule, sub_index.max_points, m.value)


def score(framework: Framework, current: Mapping[str, Measurement]) -> Scoreboard:
    """Score every sub-index from its current measurement; a sub-index without one has no data."""
    pillars = []
    for pillar in framework.pillars:
        subs = []
        for sub in pillar.sub_indices:
            m = current.get(sub.code)
            subs.append(SubIndexScore(sub, m, None if m is None else measurement_points(sub, m)))
        pillars.append(PillarScore(pillar, tuple(subs)))
    return Scoreboard(framework, tuple(pillars))


def newest(
    measurements: Iterable[Measurement], order: Mapping[str, int]
) -> dict[str, Measurement]:
    """For each sub-index the measurement of the latest period; later items win ties.

    `order` ranks period codes (higher is later)."""
    chosen: dict[str, Measurement] = {}
    for m in measurements:
        held = chosen.get(m.code)
        if held is None or order.get(m.period, -1) >= order.get(held.period, -1):
            chosen[m.code] = m
    return chosen
