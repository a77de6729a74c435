"""Plan targets against actual values (pure): for a period, each target that has a figure for
that year, its actual value and whether it is met; and an index's published results.

"Chưa có số liệu" (no value) is kept apart from a value of zero, and a status the source states
itself (a result in words, or the report's own count) wins over a comparison of figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from scoring.engine import Measurement
from scoring.loading import WHOLE
from scoring.model import Comparison, Framework, Pillar, PlanTarget, SubIndex
from scoring.periods import parse_period, rank


class Status(StrEnum):
    EXCEEDED = "exceeded"  # vượt: met, and better than the target figure
    MET = "met"  # đạt
    NOT_MET = "not_met"  # chưa đạt
    NO_DATA = "no_data"  # chưa có số liệu

    @property
    def reached(self) -> bool:
        return self in (Status.MET, Status.EXCEEDED)


# How the documents state an achievement themselves.
VERDICTS = {
    "đạt": Status.MET,
    "vượt": Status.EXCEEDED,
    "chưa đạt": Status.NOT_MET,
    "không đạt": Status.NOT_MET,
}


@dataclass(frozen=True, slots=True)
class RowResult:
    """One row of a target (the whole indicator, or one part) in a year."""

    part: str
    target: PlanTarget | None
    actual: Measurement | None
    status: Status


@dataclass(frozen=True, slots=True)
class TargetResult:
    sub_index: SubIndex
    rows: tuple[RowResult, ...]

    @property
    def status(self) -> Status:
        """Not met when a row is not met; no data when a row has none; else met (exceeded when
        every row is)."""
        statuses = [r.status for r in self.rows]
        if Status.NOT_MET in statuses:
            return Status.NOT_MET
        if Status.NO_DATA in statuses or not statuses:
            return Status.NO_DATA
        return Status.EXCEEDED if all(s is Status.EXCEEDED for s in statuses) else Status.MET


@dataclass(frozen=True, slots=True)
class TargetsBoard:
    framework: Framework
    year: int  # the targets' year
    period: str | None  # the period of the newest actual value counted (None: none)
    results: tuple[TargetResult, ...]

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def reached(self) -> int:
        return sum(1 for r in self.results if r.status.reached)

    def result(self, code: str) -> TargetResult | None:
        return next((r for r in self.results if r.sub_index.code == code), None)


def status_of(target: PlanTarget | None, actual: Measurement | None) -> Status:
    if actual is None or (actual.value is None and not actual.text):
        return Status.NO_DATA
    stated = VERDICTS.get(actual.verdict.strip().lower()) if actual.verdict else None
    if stated is not None:
        return stated
    if target is None or target.value is None or actual.value is None:
        return Status.NO_DATA  # words against words: only the source can judge
    if not target.comparison.met(actual.value, target.value):
        return Status.NOT_MET
    better = (
        actual.value < target.value
        if target.comparison is Comparison.AT_MOST
        else actual.value > target.value
    )
    return Status.EXCEEDED if better else Status.MET


def latest_year(framework: Framework, values: Iterable[Measurement]) -> int:
    """The newest year with actual values, else the newest year with a target."""
    years = [parse_period(m.period).year for m in values]
    if years:
        return max(years)
    targets = [t.year for s in framework.sub_indices for t in s.targets]
    return max(targets, default=framework.year)


def evaluate_targets(
    framework: Framework, values: Iterable[Measurement], period: str | None = None
) -> TargetsBoard:
    """Each indicator with a target for the year of `period` (default: the newest year with
    values), against its newest value of that year up to the period's end."""
    values = list(values)
    year = parse_period(period).year if period else latest_year(framework, values)
    end = parse_period(period).ends_on if period else parse_period(str(year)).ends_on
    kept = [
        m
        for m in values
        if parse_period(m.period).year == year and parse_period(m.period).ends_on <= end
    ]
    order = rank([m.period for m in kept])
    newest: dict[tuple[str, str], Measurement] = {}
    for m in sorted(kept, key=lambda m: order.get(m.period, -1)):
        newest[(m.code, m.part)] = m
    results = []
    for sub in framework.sub_indices:
        keys = [p.key for p in sub.parts] or [""]
        rows = []
        for key in keys:
            targets = sub.targets_for(year, key)
            if not targets:
                continue
            actual = newest.get((sub.code, key))
            rows.append(RowResult(key, targets[-1], actual, status_of(targets[-1], actual)))
        if rows:
            results.append(TargetResult(sub, tuple(rows)))
    shown = max((m.period for m in newest.values()), key=order.__getitem__, default=None)
    return TargetsBoard(framework, year, shown, tuple(results))


@dataclass(frozen=True, slots=True)
class IndexBoard:
    """An index's published results for a period: the whole index and each pillar, each a value
    on the index's own scale with a rank."""

    framework: Framework
    period: str | None
    whole: Measurement | None
    pillars: tuple[tuple[Pillar, Measurement | None], ...]


def evaluate_index(
    framework: Framework, values: Iterable[Measurement], period: str | None = None
) -> IndexBoard:
    values = list(values)
    periods = sorted({m.period for m in values}, key=lambda c: parse_period(c).ends_on)
    chosen = period if period in periods else (periods[-1] if periods and not period else None)
    of_period = [m for m in values if m.period == chosen]
    by_code = {m.code: m for m in of_period}
    return IndexBoard(
        framework,
        chosen,
        by_code.get(WHOLE),
        tuple((p, by_code.get(p.code)) for p in framework.pillars),
    )
