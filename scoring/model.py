"""The indicator framework as immutable values: pillars, sub-indices, rules, agencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class RuleKind(StrEnum):
    RATIO = "ratio"
    BOOLEAN = "boolean"
    ASSESSED = "assessed"
    LEVELS = "levels"


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
    kind: RuleKind
    threshold: Decimal | None = None
    levels: tuple[Level, ...] = ()


@dataclass(frozen=True, slots=True)
class SubIndex:
    code: str
    name: str
    max_points: Decimal
    rule: Rule
    unit: str
    lead: tuple[str, ...] = ()
    coordinate: tuple[str, ...] = ()

    @property
    def pillar_code(self) -> str:
        return self.code.split(".", 1)[0]


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
    """Agencies and groups of one province; expands a group to its member agencies."""

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

    def expand(self, code: str) -> tuple[str, ...]:
        """The agency codes a code stands for: itself, or every member of a group."""
        if self.agency(code):
            return (code,)
        seen: list[str] = []
        self._expand_group(code, seen, set())
        return tuple(seen)

    def _expand_group(self, code: str, out: list[str], visiting: set[str]) -> None:
        group = self.group(code)
        if group is None or code in visiting:
            return
        visiting.add(code)
        for agency in self.agencies:
            if (agency.kind in group.kinds or agency.code in group.members) and (
                agency.code not in out
            ):
                out.append(agency.code)
        for sub in group.groups:
            self._expand_group(sub, out, visiting)
