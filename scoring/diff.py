"""What importing a framework file would change, compared with a framework already held.

Frameworks are versioned: an import never edits a stored framework, it adds a new version. The
diff tells an administrator, before anything is written, how the new version differs from the
one it replaces (or from the stored framework of the same code): indicators added and removed,
maxima, scoring rules, the agencies that lead or coordinate, and every other field (names,
units, and whatever a framework kind adds, such as plan targets). Fields are compared by
walking the dataclasses, so a field added to `SubIndex` later shows up without a change here."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from scoring.model import Framework, Pillar, Role, Rule, SubIndex

# Compared apart (they have their own section of the diff) or not data at all.
_OWN_SECTION = frozenset({"code", "max_points", "rule", "lead", "coordinate", "sub_indices"})
_NOT_DATA = frozenset({"_by_code", "pillars"})


@dataclass(frozen=True, slots=True)
class MaxChange:
    """An indicator's maximum points (a pillar's or a sub-index's), or the framework's total."""

    code: str
    before: Decimal
    after: Decimal


@dataclass(frozen=True, slots=True)
class RuleChange:
    code: str
    before: Rule
    after: Rule


@dataclass(frozen=True, slots=True)
class HoldersChange:
    """Agencies (or groups) that lead or coordinate a sub-index: those added and removed."""

    code: str
    role: Role
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """Any other field: `code` is "" for the framework itself."""

    code: str
    field: str
    before: object
    after: object


@dataclass(frozen=True, slots=True)
class FrameworkDiff:
    """`base` is the code of the framework compared with, None when there is none (then every
    indicator is added)."""

    base: str | None
    new: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    maxima: tuple[MaxChange, ...] = ()
    rules: tuple[RuleChange, ...] = ()
    holders: tuple[HoldersChange, ...] = ()
    fields: tuple[FieldChange, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing differs but, perhaps, the code."""
        changes = (self.added, self.removed, self.maxima, self.rules, self.holders, self.fields)
        return not any(changes)

    @property
    def count(self) -> int:
        return sum(
            len(part)
            for part in (
                self.added,
                self.removed,
                self.maxima,
                self.rules,
                self.holders,
                self.fields,
            )
        )


def diff(base: Framework | None, new: Framework) -> FrameworkDiff:
    """How `new` differs from `base`; indicators in the order of `new`, then the removed ones
    in the order of `base`."""
    if base is None:
        return FrameworkDiff(None, new.code, added=_codes(new))
    before, after = _indicators(base), _indicators(new)
    maxima: list[MaxChange] = []
    rules: list[RuleChange] = []
    holders: list[HoldersChange] = []
    fields = [
        FieldChange("", name, old, value)
        for name, old, value in _field_changes(base, new, skip=frozenset({"code", "total_max"}))
    ]
    if base.total_max != new.total_max:
        maxima.append(MaxChange("", base.total_max, new.total_max))
    for code, item in after.items():
        old = before.get(code)
        if old is None:
            continue
        if old.max_points != item.max_points:
            maxima.append(MaxChange(code, old.max_points, item.max_points))
        if isinstance(old, SubIndex) and isinstance(item, SubIndex):
            if old.rule != item.rule:
                rules.append(RuleChange(code, old.rule, item.rule))
            holders += _holders(code, old, item)
        fields += [
            FieldChange(code, name, was, value)
            for name, was, value in _field_changes(old, item, skip=_OWN_SECTION)
        ]
    return FrameworkDiff(
        base.code,
        new.code,
        added=tuple(code for code in after if code not in before),
        removed=tuple(code for code in before if code not in after),
        maxima=tuple(maxima),
        rules=tuple(rules),
        holders=tuple(holders),
        fields=tuple(fields),
    )


def _codes(framework: Framework) -> tuple[str, ...]:
    return tuple(_indicators(framework))


def _indicators(framework: Framework) -> dict[str, Pillar | SubIndex]:
    """Pillars and sub-indices by code, each pillar followed by its sub-indices."""
    found: dict[str, Pillar | SubIndex] = {}
    for pillar in framework.pillars:
        found[pillar.code] = pillar
        for sub in pillar.sub_indices:
            found[sub.code] = sub
    return found


def _holders(code: str, old: SubIndex, new: SubIndex) -> list[HoldersChange]:
    changes = []
    for role, was, now in (
        (Role.LEAD, old.lead, new.lead),
        (Role.COORDINATE, old.coordinate, new.coordinate),
    ):
        added = tuple(c for c in now if c not in was)
        removed = tuple(c for c in was if c not in now)
        if added or removed:
            changes.append(HoldersChange(code, role, added, removed))
    return changes


def _field_changes(
    old: object, new: object, *, skip: frozenset[str]
) -> list[tuple[str, object, object]]:
    """(field, before, after) for each dataclass field that differs, in declaration order; a
    field only one side has counts as changed from or to nothing."""
    names = [f.name for f in dataclasses.fields(new)]  # type: ignore[arg-type]
    names += [f.name for f in dataclasses.fields(old) if f.name not in names]  # type: ignore[arg-type]
    changes = []
    for name in names:
        if name in skip or name in _NOT_DATA:
            continue
        before, after = getattr(old, name, None), getattr(new, name, None)
        if before != after:
            changes.append((name, before, after))
    return changes
