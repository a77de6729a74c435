"""The diff of a framework import (pure): what a new version adds, removes and changes."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.diff import FieldChange, HoldersChange, MaxChange, RuleChange, diff
from scoring.model import Framework, Pillar, Role, Rule, RuleKind, SubIndex


def _replace_sub(framework: Framework, code: str, **changes: object) -> Framework:
    pillars = tuple(
        dataclasses.replace(
            p,
            sub_indices=tuple(
                dataclasses.replace(s, **changes) if s.code == code else s  # type: ignore[arg-type]
                for s in p.sub_indices
            ),
        )
        for p in framework.pillars
    )
    return dataclasses.replace(framework, pillars=pillars)


def _without(framework: Framework, code: str) -> Framework:
    pillars = tuple(
        dataclasses.replace(p, sub_indices=tuple(s for s in p.sub_indices if s.code != code))
        for p in framework.pillars
    )
    return dataclasses.replace(framework, pillars=pillars)


def test_the_same_framework_under_a_new_code_changes_nothing(framework: Framework) -> None:
    found = diff(framework, dataclasses.replace(framework, code="dti-province-2026"))
    assert found.empty
    assert found.count == 0
    assert (found.base, found.new) == ("dti-province-2025", "dti-province-2026")


def test_without_a_framework_to_compare_with_every_indicator_is_added(
    framework: Framework,
) -> None:
    found = diff(None, framework)
    assert found.base is None
    assert found.added[:3] == ("1", "1.1", "1.2")
    assert len(found.added) == len(framework.pillars) + len(framework.sub_indices)
    assert not found.removed
    assert not found.maxima


def test_added_and_removed_sub_indices_and_pillars_are_listed_in_order(
    framework: Framework,
) -> None:
    extra = SubIndex("8.9", "Chỉ số mới", Decimal(0), Rule(RuleKind.ASSESSED), "điểm")
    new_pillar = Pillar("10", "Trụ cột mới", "", Decimal(0), (), (extra,))
    changed = _without(framework, "6.9")
    changed = dataclasses.replace(changed, pillars=(*changed.pillars, new_pillar))
    found = diff(framework, changed)
    assert found.added == ("10", "8.9")
    assert found.removed == ("6.9",)


def test_changed_maxima_of_a_sub_index_a_pillar_and_the_total_are_each_reported(
    framework: Framework,
) -> None:
    changed = _replace_sub(framework, "8.2", max_points=Decimal(40))
    pillars = tuple(
        dataclasses.replace(p, max_points=Decimal(140)) if p.code == "8" else p
        for p in changed.pillars
    )
    changed = dataclasses.replace(changed, pillars=pillars, total_max=Decimal(990))
    found = diff(framework, changed)
    assert set(found.maxima) == {
        MaxChange("", Decimal(1000), Decimal(990)),
        MaxChange("8", Decimal(150), Decimal(140)),
        MaxChange("8.2", Decimal(50), Decimal(40)),
    }
    assert not found.rules
    assert not found.fields


def test_a_new_threshold_is_a_rule_change(framework: Framework) -> None:
    old = framework.sub_index("8.2")
    assert old is not None
    rule = Rule(RuleKind.RATIO, Decimal(60))
    found = diff(framework, _replace_sub(framework, "8.2", rule=rule))
    assert found.rules == (RuleChange("8.2", old.rule, rule),)


def test_agencies_added_to_and_removed_from_a_sub_index_are_reported_by_role(
    framework: Framework,
) -> None:
    old = framework.sub_index("8.2")
    assert old is not None
    assert old.lead == ("SKHCN",)
    changed = _replace_sub(framework, "8.2", lead=("SNV",), coordinate=(*old.coordinate, "STC"))
    found = diff(framework, changed)
    assert found.holders == (
        HoldersChange("8.2", Role.LEAD, ("SNV",), ("SKHCN",)),
        HoldersChange("8.2", Role.COORDINATE, ("STC",), ()),
    )


def test_names_units_and_framework_fields_are_other_changes(framework: Framework) -> None:
    changed = _replace_sub(framework, "4.2", name="Tên mới", unit="người")
    changed = dataclasses.replace(changed, year=2026, name="Bộ chỉ số 2026")
    found = diff(framework, changed)
    fields = {(c.code, c.field) for c in found.fields}
    assert fields == {("4.2", "name"), ("4.2", "unit"), ("", "year"), ("", "name")}
    assert FieldChange("4.2", "unit", "%", "người") in found.fields


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_exactly_the_maxima_changed_are_reported(
    framework: Framework, data: st.DataObject
) -> None:
    codes = [s.code for s in framework.sub_indices]
    chosen = data.draw(st.sets(st.sampled_from(codes), max_size=12))
    changed = framework
    for code in chosen:
        sub = framework.sub_index(code)
        assert sub is not None
        changed = _replace_sub(changed, code, max_points=sub.max_points + 1)
    found = diff(framework, changed)
    assert {c.code for c in found.maxima} == chosen
    assert all(c.after == c.before + 1 for c in found.maxima)
    assert found.count == len(chosen)
