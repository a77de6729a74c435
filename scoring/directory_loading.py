"""The agencies file: agencies with their validity and successor, and the groups."""

from __future__ import annotations

from typing import Any

from scoring.model import Agency, AgencyGroup, Directory
from scoring.yaml_reader import Reader, load


def parse_directory(text: str, source: str, known: Directory | None = None) -> Directory:
    """Agencies and groups; refuses duplicate codes, groups naming unknown members, and a
    successor that is neither in this file nor in `known` (agencies loaded before)."""
    r, data = Reader(source), load(text, source)
    agencies, groups, seen = [], [], set()
    for item in r.items(data, "agencies"):
        code = r.text(item, "code")
        if code in seen:
            raise r.fail(item, f"mã cơ quan '{code}' bị trùng")
        seen.add(code)
        agencies.append(_agency(r, item, code))
    for item in data.get("groups") or []:
        code = r.text(item, "code")
        if code in seen:
            raise r.fail(item, f"mã nhóm '{code}' bị trùng")
        seen.add(code)
        groups.append(
            AgencyGroup(
                code,
                r.text(item, "name", f"{code}: "),
                r.codes(item, "kinds"),
                r.codes(item, "members"),
                r.codes(item, "groups"),
                r.codes(item, "aliases"),
            )
        )
    for item, group in zip(data.get("groups") or [], groups, strict=True):
        for ref in (*group.members, *group.groups):
            if ref not in seen:
                raise r.fail(item, f"nhóm {group.code}: không có cơ quan hay nhóm '{ref}'")
    outside = {a.code for a in known.agencies} if known else set()
    for item, agency in zip(r.items(data, "agencies"), agencies, strict=True):
        if agency.successor and agency.successor not in seen | outside:
            raise r.fail(item, f"{agency.code}: không có cơ quan kế nhiệm '{agency.successor}'")
    return Directory(tuple(agencies), tuple(groups))


def _agency(r: Reader, item: dict[str, Any], code: str) -> Agency:
    what = f"{code}: "
    valid_from, valid_to = r.day(item, "valid_from", what), r.day(item, "valid_to", what)
    if valid_from and valid_to and valid_to < valid_from:
        raise r.fail(item, f"{what}valid_to trước valid_from")
    successor = r.optional(item, "successor") or None
    if successor and valid_to is None:
        raise r.fail(item, f"{what}có cơ quan kế nhiệm thì phải có ngày kết thúc ('valid_to')")
    return Agency(
        code,
        r.text(item, "name", what),
        r.text(item, "kind", what),
        r.codes(item, "aliases"),
        valid_from,
        valid_to,
        successor,
        r.optional(item, "note"),
    )


def merge(*directories: Directory) -> Directory:
    """Several agency files as one directory (the seed reads a folder of them)."""
    return Directory(
        tuple(a for d in directories for a in d.agencies),
        tuple(g for d in directories for g in d.groups),
    )
