"""The parts of a framework file that only plan targets have: an indicator's rows (a breakdown
such as tỉnh / huyện / xã, or a second measure under the same number) and its figures (the
baseline, a target per year, the national reference), each citing its document and section."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoring.model import Comparison, Part, PlanTarget, TargetKind, ValueType
from scoring.yaml_reader import Reader

# How the documents write a comparison, and the symbols a data file may use instead.
COMPARISONS = {
    "trên": Comparison.ABOVE,
    ">": Comparison.ABOVE,
    "tối thiểu": Comparison.AT_LEAST,
    "≥": Comparison.AT_LEAST,
    ">=": Comparison.AT_LEAST,
    "tối đa": Comparison.AT_MOST,
    "≤": Comparison.AT_MOST,
    "<=": Comparison.AT_MOST,
}


def comparison(r: Reader, item: dict[str, Any], what: str, key: str = "compare") -> Comparison:
    raw = item.get(key)
    if raw is None:
        return Comparison.AT_LEAST
    found = COMPARISONS.get(str(raw).strip())
    if found is None:
        known = ", ".join(COMPARISONS)
        raise r.fail(item, f"{what}'{key}' phải là một trong: {known}")
    return found


def value_type(r: Reader, item: dict[str, Any], what: str) -> ValueType | None:
    raw = item.get("value_type")
    if raw is None:
        return None
    try:
        return ValueType(str(raw))
    except ValueError:
        known = ", ".join(v.value for v in ValueType)
        raise r.fail(item, f"{what}loại giá trị '{raw}' không có (dùng: {known})") from None


def parts(r: Reader, item: dict[str, Any], what: str) -> tuple[Part, ...]:
    found, keys = [], set()
    for p in r.maybe_items(item, "parts", what):
        key = r.text(p, "key", what)
        if key in keys:
            raise r.fail(p, f"{what}dòng '{key}' bị trùng")
        keys.add(key)
        found.append(
            Part(key, r.text(p, "name", what), value_type(r, p, what), r.optional(p, "unit"))
        )
    return tuple(found)


def targets(
    r: Reader,
    item: dict[str, Any],
    what: str,
    known_parts: tuple[Part, ...],
    documents: Mapping[str, str],
) -> tuple[PlanTarget, ...]:
    """The plan's figures of one indicator; each names a document of the file's `documents`."""
    found = []
    part_keys = {p.key for p in known_parts}
    for t in r.maybe_items(item, "targets", what):
        try:
            kind = TargetKind(r.text(t, "kind", what))
        except ValueError:
            known = ", ".join(k.value for k in TargetKind)
            raise r.fail(
                t, f"{what}loại mục tiêu '{t.get('kind')}' không có (dùng: {known})"
            ) from None
        year = r.whole(t, "year", what)
        if year is None:
            raise r.fail(t, f"{what}thiếu năm ('year') của mục tiêu")
        part = r.optional(t, "part")
        if part and part not in part_keys:
            raise r.fail(t, f"{what}không có dòng '{part}'")
        value = r.number(t, "value", what, required=False)
        text = r.optional(t, "text")
        if (value is None) == (not text):
            raise r.fail(t, f"{what}mục tiêu cần đúng một trong 'value' hoặc 'text'")
        found.append(
            PlanTarget(
                kind, year, value, text, comparison(r, t, what), part, cite(r, t, what, documents)
            )
        )
    return tuple(found)


def cite(r: Reader, item: dict[str, Any], what: str, documents: Mapping[str, str]) -> str:
    """'Document title, section' from `doc` (a key of the file's `documents`) and `where`."""
    doc = r.text(item, "doc", what)
    title = documents.get(doc)
    if title is None:
        raise r.fail(item, f"{what}tài liệu '{doc}' không có trong 'documents' của tệp")
    where = r.optional(item, "where")
    return f"{title}, {where}" if where else title


def documents_of(r: Reader, data: dict[str, Any]) -> dict[str, str]:
    raw = data.get("documents") or {}
    if not isinstance(raw, dict):
        raise r.fail(data, "'documents' phải là bảng mã tài liệu: tên tài liệu")
    return {str(k): str(v) for k, v in raw.items() if k != "__line__"}
