"""Points from values: the rules, and the sums per pillar and for the whole framework."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.status import ReviewStatus
from scoring.model import Framework, Pillar, Provenance, Rule, RuleKind, SubIndex
from scoring.periods import rank

CENT = Decimal("0.01")
DTI_PLACES = Decimal("0.0001")


class InvalidValue(ValueError):
    """A value a sub-index's rule cannot score (negative, out of range, not yes/no)."""


@dataclass(frozen=True, slots=True)
class Measurement:
    """One sub-index's value for a period: a raw `value` scored by the rule, or `points`
    given directly by an evaluator (on `source_max` when the evaluator used another maximum).

    `provenance` is official (an evaluator's points, or a value an administrator approved) or
    reported (a document's measured figure, or a value not yet reviewed). A value in another
    `unit` than the sub-index scores (a count where the rule wants a percentage) is kept and
    shown, never scored. `part` is the row of a broken-down target, `text` a value stated in
    words, `verdict` the achievement a source states itself, `rank` / `rank_of` a place among
    provinces."""

    code: str
    period: str
    value: Decimal | None = None
    points: Decimal | None = None
    source: str = ""
    source_max: Decimal | None = None
    status: ReviewStatus = ReviewStatus.APPROVED  # or PENDING: not reviewed yet
    submission_id: int | None = None
    provenance: Provenance = Provenance.OFFICIAL
    unit: str = ""
    note: str = ""
    part: str = ""
    text: str = ""
    verdict: str = ""
    rank: int | None = None
    rank_of: int | None = None

    @property
    def pending(self) -> bool:
        return self.status != ReviewStatus.APPROVED


@dataclass(frozen=True, slots=True)
class SubIndexScore:
    """A sub-index's counted value and points, and what a reader should see next to them: the
    newest official points when the counted ones are not official, values of later periods that
    cannot be scored, and a value waiting for review."""

    sub_index: SubIndex
    measurement: Measurement | None
    points: Decimal | None  # None: no data yet
    official: Measurement | None = None
    unscored: tuple[Measurement, ...] = ()
    waiting: Measurement | None = None

    @property
    def has_data(self) -> bool:
        return self.points is not None

    @property
    def lost(self) -> Decimal:
        return self.sub_index.max_points - (self.points or Decimal(0))

    @property
    def kind(self) -> Provenance | None:
        """What the counted points are: the evaluator's or an approved value's own (official),
        not yet reviewed (reported), or computed by a rule (estimated)."""
        m = self.measurement
        if m is None or self.points is None:
            return None
        if m.pending:
            return Provenance.REPORTED
        if m.points is None and self.sub_index.rule.kind is not RuleKind.ASSESSED:
            return Provenance.ESTIMATED
        return m.provenance

    @property
    def converted(self) -> bool:
        """Points the evaluator gave on another maximum, converted to this framework's."""
        m = self.measurement
        return (
            m is not None
            and m.points is not None
            and m.source_max is not None
            and m.source_max != self.sub_index.max_points
        )


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

    def kinds(self) -> dict[Provenance, int]:
        return count_kinds(self.sub_scores)


def count_kinds(scores: Iterable[SubIndexScore]) -> dict[Provenance, int]:
    """How many sub-indices each kind of points counts (those without data left out)."""
    counted: dict[Provenance, int] = {}
    for s in scores:
        if s.kind is not None:
            counted[s.kind] = counted.get(s.kind, 0) + 1
    return counted


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
    def scores(self) -> tuple[SubIndexScore, ...]:
        return tuple(s for p in self.pillars for s in p.sub_scores)

    def kinds(self) -> dict[Provenance, int]:
        return count_kinds(self.scores)

    @property
    def complete(self) -> bool:
        """Every scored sub-index has official points: only then is the DTI value more than an
        estimate."""
        return all(s.kind is Provenance.OFFICIAL for s in self.scores if s.sub_index.max_points)

    @property
    def periods(self) -> tuple[str, ...]:
        """The periods the counted values belong to."""
        return tuple(sorted({s.measurement.period for s in self.scores if s.measurement}))

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
    elif rule.kind is RuleKind.NONE:
        raise InvalidValue("not_scored")
    else:
        reached = [lvl.points for lvl in rule.levels if value >= lvl.at_least]
        earned = max(reached, default=Decimal(0))
    return earned.quantize(CENT, ROUND_HALF_UP)


def measurement_points(sub_index: SubIndex, m: Measurement) -> Decimal:
    """Points of one measurement: an evaluator's points, converted to this framework's maximum
    when they were given on another (9,2/20 counts 4,6/10), else the rule's points for the
    value."""
    if m.points is not None:
        points = m.points
        if m.source_max and m.source_max != sub_index.max_points:
            points = points * sub_index.max_points / m.source_max
        return min(points, sub_index.max_points).quantize(CENT, ROUND_HALF_UP)
    if m.value is None:
        raise InvalidValue("empty")
    return rule_points(sub_index.rule, sub_index.max_points, m.value)


def scorable(sub_index: SubIndex, m: Measurement) -> bool:
    """Whether a measurement can give points under a sub-index's rule: evaluator's points
    always; a value only in the unit the rule reads, within what the rule accepts."""
    if m.points is not None:
        return True
    if m.value is None or sub_index.rule.kind is RuleKind.NONE:
        return False
    if m.unit and sub_index.unit and m.unit != sub_index.unit:
        return False
    try:
        rule_points(sub_index.rule, sub_index.max_points, m.value)
    except InvalidValue:
        return False
    return True


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


def evaluate(
    framework: Framework, measurements: Iterable[Measurement], *, with_pending: bool = False
) -> Scoreboard:
    """The current score: each sub-index counts its newest scorable value (values of the same
    period: the later one), and carries the values a reader should see beside it. Values not
    yet reviewed count only `with_pending`; otherwise the newest one is shown as waiting."""
    values = [m for m in measurements if not m.part]
    order, by_code = _ranked_by_code(values)
    pillars = []
    for pillar in framework.pillars:
        subs = []
        for sub in pillar.sub_indices:
            subs.append(_pick(sub, by_code.get(sub.code, []), order, with_pending))
        pillars.append(PillarScore(pillar, tuple(subs)))
    return Scoreboard(framework, tuple(pillars))


def rescore(
    board: Scoreboard,
    measurements: Iterable[Measurement],
    codes: Collection[str],
    *,
    with_pending: bool = False,
) -> Scoreboard:
    """`board` with the sub-indices of `codes` scored again from `measurements` (their values,
    as `evaluate` takes them) and the others kept: the board `evaluate` gives from every value
    when only those sub-indices' values changed since `board` was scored. A sub-index's score
    reads only its own values, and the order of their periods is the same among any of them."""
    order, by_code = _ranked_by_code([m for m in measurements if not m.part and m.code in codes])
    pillars = []
    for pillar in board.pillars:
        subs = []
        for kept in pillar.sub_scores:
            sub = kept.sub_index
            if sub.code in codes:
                kept = _pick(sub, by_code.get(sub.code, []), order, with_pending)
            subs.append(kept)
        pillars.append(PillarScore(pillar.pillar, tuple(subs)))
    return Scoreboard(board.framework, tuple(pillars))


def _ranked_by_code(
    values: list[Measurement],
) -> tuple[Mapping[str, int], dict[str, list[Measurement]]]:
    """The rank of the values' periods, and the values by sub-index in their given order."""
    by_code: dict[str, list[Measurement]] = {}
    for m in values:
        by_code.setdefault(m.code, []).append(m)
    return rank([m.period for m in values]), by_code


def _pick(
    sub: SubIndex, values: list[Measurement], order: Mapping[str, int], with_pending: bool
) -> SubIndexScore:
    # Oldest first, stable: a later entry of the same period wins.
    ordered = sorted(values, key=lambda m: order.get(m.period, -1))
    counting = [m for m in ordered if with_pending or not m.pending]
    usable = [m for m in counting if scorable(sub, m)]
    chosen = usable[-1] if usable else None
    points = None if chosen is None else measurement_points(sub, chosen)
    chosen_rank = -1 if chosen is None else order.get(chosen.period, -1)
    unscored = tuple(
        m
        for m in counting
        if not scorable(sub, m) and order.get(m.period, -1) >= chosen_rank and m is not chosen
    )
    official = None
    if chosen is None or chosen.points is None or chosen.provenance is not Provenance.OFFICIAL:
        evaluated = [
            m
            for m in counting
            if m.points is not None and m.provenance is Provenance.OFFICIAL and not m.pending
        ]
        official = evaluated[-1] if evaluated else None
    waiting = None
    if not with_pending:
        newer = [m for m in ordered if m.pending and order.get(m.period, -1) >= chosen_rank]
        waiting = newer[-1] if newer else None
    return SubIndexScore(sub, chosen, points, official, unscored[-3:], waiting)


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
