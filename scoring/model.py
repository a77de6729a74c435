"""The indicator framework as immutable values: pillars, sub-indices, rules, agencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from scoring.text import fold


class RuleKind(StrEnum):
    RATIO = "ratio"
    BOOLEAN = "boolean"
    ASSESSED = "assessed"
    LEVELS = "levels"
    NONE = "none"  # not scored: plan targets, results of an index on its own scale


class FrameworkKind(StrEnum):
    DTI = "dti"  # points out of a maximum (Phụ lục I of Kế hoạch 4636)
    TARGETS = "targets"  # plan targets with target values per year, no points (QĐ 2314)
    INDEX = "index"  # published results on a 0-1 scale with ranks (DTI 2022)


class Comparison(StrEnum):
    """How a value meets a threshold or a target: "trên" (>), "tối thiểu" (>=), "tối đa"
    (<=)."""

    ABOVE = ">"
    AT_LEAST = ">="
    AT_MOST = "<="

    def met(self, value: Decimal, target: Decimal) -> bool:
        if self is Comparison.ABOVE:
            return value > target
        if self is Comparison.AT_LEAST:
            return value >= target
        return value <= target


class ValueType(StrEnum):
    POINTS = "points"
    PERCENTAGE = "percentage"
    RATE = "rate"  # per 100 or per 1000 inhabitants
    COUNT = "count"
    RANK = "rank"
    YES_NO = "yes_no"
    TEXT = "text"
    INDEX = "index"  # 0..1


class Provenance(StrEnum):
    """Where a figure comes from. Official: an evaluator's points or a value an administrator
    approved. Reported: a source document's measured value, or a focal point's value before
    review. Estimated: points computed by a rule (the straight line below a threshold is stated
    by no source)."""

    OFFICIAL = "official"
    REPORTED = "reported"
    ESTIMATED = "estimated"


class Role(StrEnum):
    LEAD = "lead"
    COORDINATE = "coordinate"


@dataclass(frozen=True, slots=True)
class Level:
    """One graded step: a value of at least `at_least` earns `points`."""

    at_least: Decimal
    points: Decimal


@dataclass(frozen=True, slots=True)
class Rule:
    """How a value turns into points. `source` names the document and section that state the
    threshold; a rule no source states is `assumed` and says why in `note`."""

    kind: RuleKind
    threshold: Decimal | None = None
    levels: tuple[Level, ...] = ()
    comparison: Comparison = Comparison.AT_LEAST
    source: str = ""
    assumed: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Part:
    """One row of an indicator measured separately: a level of a breakdown ("tỉnh", "hộ gia
    đình") or a second measure the source lists under the same number."""

    key: str
    name: str
    value_type: ValueType | None = None  # None: the indicator's
    unit: str = ""


class TargetKind(StrEnum):
    BASELINE = "baseline"  # the state when the plan was made
    TARGET = "target"  # the plan's target for a year
    NATIONAL = "national"  # the national programme's target, for reference


@dataclass(frozen=True, slots=True)
class PlanTarget:
    """One figure of a plan: a baseline, a target for `year`, or the national reference;
    `value` when numeric, else `text` ("Tại TP. Phan Rang-Tháp Chàm")."""

    kind: TargetKind
    year: int
    value: Decimal | None = None
    text: str = ""
    comparison: Comparison = Comparison.AT_LEAST
    part: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class SubIndex:
    code: str
    name: str
    max_points: Decimal
    rule: Rule
    unit: str
    lead: tuple[str, ...] = ()
    coordinate: tuple[str, ...] = ()
    # Plan targets (kind "targets"): what is measured, its rows and the plan's figures.
    value_type: ValueType | None = None
    parts: tuple[Part, ...] = ()
    targets: tuple[PlanTarget, ...] = ()
    source_ref: str = ""  # where the source lists it, when its numbering differs from `code`

    @property
    def pillar_code(self) -> str:
        return self.code.split(".", 1)[0]

    def part(self, key: str) -> Part | None:
        return next((p for p in self.parts if p.key == key), None)

    def targets_for(self, year: int, part: str = "") -> tuple[PlanTarget, ...]:
        """The plan's targets for one year (not baselines or national references)."""
        return tuple(
            t
            for t in self.targets
            if t.kind is TargetKind.TARGET and t.year == year and t.part == part
        )


@dataclass(frozen=True, slots=True)
class Pillar:
    code: str
    name: str
    name_en: str
    max_points: Decimal
    aliases: tuple[str, ...]
    sub_indices: tuple[SubIndex, ...]


@dataclass(frozen=True, slots=True)
class Framework:
    code: str
    name: str
    year: int
    kind: str
    source: str
    total_max: Decimal
    target_total: Decimal | None
    pillars: tuple[Pillar, ...]
    # Other names people use for it ("đề án chuyển đổi số Ninh Thuận", "Quyết định 2314"), and
    # the province whose figures it holds when that is not the deployment's own ("Ninh Thuận").
    aliases: tuple[str, ...] = ()
    province: str = ""
    # Conflicts between sources, each with the choice made (data, shown to administrators).
    conflicts: tuple[str, ...] = ()
    _by_code: dict[str, SubIndex] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {s.code: s for p in self.pillars for s in p.sub_indices}
        object.__setattr__(self, "_by_code", index)

    def sub_index(self, code: str) -> SubIndex | None:
        return self._by_code.get(code)

    def pillar(self, code: str) -> Pillar | None:
        return next((p for p in self.pillars if p.code == code), None)

    @property
    def sub_indices(self) -> tuple[SubIndex, ...]:
        return tuple(self._by_code.values())

    @property
    def scored(self) -> bool:
        """Points out of a maximum (a DTI framework), as opposed to targets or index results."""
        return self.kind == FrameworkKind.DTI


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency as it exists between `valid_from` and `valid_to` (None: open-ended); one that was
    merged or renamed names its `successor`, which answers for it from then on."""

    code: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    successor: str | None = None
    note: str = ""  # why it ended and on what basis (document, section)

    def active_on(self, day: date | None) -> bool:
        """Exists on `day`; with no day, exists today as far as the data knows (no end)."""
        if day is None:
            return self.valid_to is None
        started = self.valid_from is None or self.valid_from <= day
        return started and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class AgencyGroup:
    """A named set of agencies: all agencies of some kinds, plus listed agencies and groups."""

    code: str
    name: str
    kinds: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Directory:
    """Agencies and groups of one province; expands a group to its member agencies. An agency
    that no longer exists answers through its successor: responsibility moves, its history stays
    under its own code."""

    agencies: tuple[Agency, ...]
    groups: tuple[AgencyGroup, ...]

    def agency(self, code: str) -> Agency | None:
        return next((a for a in self.agencies if a.code == code), None)

    def group(self, code: str) -> AgencyGroup | None:
        return next((g for g in self.groups if g.code == code), None)

    def name_of(self, code: str) -> str:
        found = self.agency(code) or self.group(code)
        return found.name if found else code

    def knows(self, code: str) -> bool:
        return self.agency(code) is not None or self.group(code) is not None

    def find(self, name: str) -> str | None:
        """The code of the agency or group a code, full name or alias stands for (case and
        diacritics ignored); an old name finds the old agency, whose successor `current`
        gives."""
        if self.knows(name):
            return name
        key = fold(name)
        named: list[tuple[str, tuple[str, ...]]] = [
            (a.code, (a.code, a.name, *a.aliases)) for a in self.agencies
        ]
        named += [(g.code, (g.code, g.name, *g.aliases)) for g in self.groups]
        for code, names in named:
            if key in {fold(n) for n in names}:
                return code
        return None

    def current(self, code: str) -> str:
        """The agency that answers now for `code`: itself, or the end of its successor chain."""
        seen = {code}
        agency = self.agency(code)
        while agency is not None and agency.valid_to is not None and agency.successor:
            if agency.successor in seen:
                break
            seen.add(agency.successor)
            code, agency = agency.successor, self.agency(agency.successor)
        return code

    def predecessors(self, code: str) -> tuple[str, ...]:
        """Agencies that ended and whose responsibility passed (directly or not) to `code`."""
        return tuple(
            a.code
            for a in self.agencies
            if a.code != code and a.valid_to is not None and self.current(a.code) == code
        )

    def expand(self, code: str) -> tuple[str, ...]:
        """The agency codes a code stands for now: an agency (its successor once it ended), or
        every current member of a group."""
        if self.agency(code):
            return (self.current(code),)
        seen: list[str] = []
        self._expand_group(code, seen, set())
        return tuple(seen)

    def _expand_group(self, code: str, out: list[str], visiting: set[str]) -> None:
        group = self.group(code)
        if group is None or code in visiting:
            return
        visiting.add(code)
        for agency in self.agencies:
            member = agency.kind in group.kinds or agency.code in group.members
            # An agency that ended is no member any more: its successor is, on its own.
            if member and agency.active_on(None) and agency.code not in out:
                out.append(agency.code)
        for sub in group.groups:
            self._expand_group(sub, out, visiting)
