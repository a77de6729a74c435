"""Reads and writes of frameworks, agencies and values. Callers own the transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from scoring.loading import WHOLE
from scoring.model import (
    Agency,
    AgencyGroup,
    Comparison,
    Directory,
    Framework,
    Level,
    Part,
    Pillar,
    PlanTarget,
    Role,
    Rule,
    RuleKind,
    SubIndex,
    TargetKind,
    ValueType,
)
from scoring.periods import parse_period
from storage import upserts
from storage.models import (
    AgencyGroupRow,
    AgencyRow,
    AssignmentRow,
    AuditRow,
    FrameworkRow,
    GroupMemberRow,
    IndicatorRow,
    PeriodRow,
    SubmissionRow,
)


def audit(
    session: AsyncSession,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    key: str,
    **detail: Any,
) -> None:
    session.add(
        AuditRow(at=at, actor=actor, action=action, entity=entity, entity_key=key, detail=detail)
    )


async def add_audited(
    session: AsyncSession, row: Any, at: datetime, actor: str, action: str, **detail: Any
) -> int:
    """Insert a row and write its audit entry; returns the new row's id."""
    session.add(row)
    await session.flush()
    audit(session, at, actor, action, row.__tablename__, str(row.id), **detail)
    return int(row.id)


async def framework_codes(session: AsyncSession) -> list[tuple[str, str, int]]:
    rows = await session.execute(select(FrameworkRow.code, FrameworkRow.kind, FrameworkRow.year))
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def load_directory(session: AsyncSession) -> Directory:
    # Plain columns, not row objects: no identity map to fill and keep for rows read once (the
    # statements are ORM ones still, so what the session holds unflushed is flushed first).
    agencies = await session.execute(
        select(
            AgencyRow.code,
            AgencyRow.name,
            AgencyRow.kind,
            AgencyRow.aliases,
            AgencyRow.valid_from,
            AgencyRow.valid_to,
            AgencyRow.successor,
            AgencyRow.note,
        ).order_by(AgencyRow.id)
    )
    found = tuple(
        Agency(code, name, kind, tuple(aliases), valid_from, valid_to, successor, note)
        for code, name, kind, aliases, valid_from, valid_to, successor, note in agencies
    )
    groups = (
        await session.execute(
            select(
                AgencyGroupRow.id,
                AgencyGroupRow.code,
                AgencyGroupRow.name,
                AgencyGroupRow.kinds,
                AgencyGroupRow.aliases,
            ).order_by(AgencyGroupRow.id)
        )
    ).all()
    members = await session.execute(
        select(
            GroupMemberRow.group_id, GroupMemberRow.member_code, GroupMemberRow.member_is_group
        ).order_by(GroupMemberRow.id)
    )
    by_group: dict[int, tuple[list[str], list[str]]] = {}
    for group_id, member_code, member_is_group in members:
        by_group.setdefault(group_id, ([], []))[1 if member_is_group else 0].append(member_code)
    no_members: tuple[list[str], list[str]] = ([], [])
    return Directory(
        found,
        tuple(
            AgencyGroup(
                code,
                name,
                tuple(kinds),
                tuple(by_group.get(group_id, no_members)[0]),
                tuple(by_group.get(group_id, no_members)[1]),
                tuple(aliases),
            )
            for group_id, code, name, kinds, aliases in groups
        ),
    )


async def add_directory(session: AsyncSession, directory: Directory) -> list[str]:
    """Insert the agencies and groups not yet present (by code); returns the codes added."""
    have = set(await session.scalars(select(AgencyRow.code)))
    have |= set(await session.scalars(select(AgencyGroupRow.code)))
    added = []
    for a in directory.agencies:
        if a.code not in have:
            session.add(
                AgencyRow(
                    code=a.code,
                    name=a.name,
                    kind=a.kind,
                    aliases=list(a.aliases),
                    valid_from=a.valid_from,
                    valid_to=a.valid_to,
                    successor=a.successor,
                    note=a.note,
                )
            )
            added.append(a.code)
    for g in directory.groups:
        if g.code in have:
            continue
        row = AgencyGroupRow(
            code=g.code, name=g.name, kinds=list(g.kinds), aliases=list(g.aliases)
        )
        session.add(row)
        await session.flush()
        session.add_all(GroupMemberRow(group_id=row.id, member_code=c) for c in g.members)
        session.add_all(
            GroupMemberRow(group_id=row.id, member_code=c, member_is_group=True) for c in g.groups
        )
        added.append(g.code)
    return added


async def add_framework(session: AsyncSession, framework: Framework, at: datetime) -> FrameworkRow:
    row = FrameworkRow(
        code=framework.code,
        name=framework.name,
        year=framework.year,
        kind=framework.kind,
        source=framework.source,
        total_max=framework.total_max,
        target_total=framework.target_total,
        imported_at=at,
        aliases=list(framework.aliases),
        province=framework.province,
        conflicts=list(framework.conflicts),
    )
    session.add(row)
    await session.flush()
    if not framework.scored:
        # Results of a whole index (its value and rank) are stored against this row.
        session.add(
            IndicatorRow(
                framework_id=row.id, code=WHOLE, position=-1, name=framework.name, max_points=0
            )
        )
    added: list[tuple[IndicatorRow, SubIndex]] = []
    for position, pillar in enumerate(framework.pillars):
        session.add(
            IndicatorRow(
                framework_id=row.id,
                code=pillar.code,
                position=position,
                name=pillar.name,
                name_en=pillar.name_en,
                aliases=list(pillar.aliases),
                max_points=pillar.max_points,
            )
        )
        for sub_position, sub in enumerate(pillar.sub_indices):
            indicator = IndicatorRow(
                framework_id=row.id,
                code=sub.code,
                parent_code=pillar.code,
                position=sub_position,
                name=sub.name,
                max_points=sub.max_points,
                unit=sub.unit,
                rule=sub.rule.kind.value,
                threshold=sub.rule.threshold,
                levels=[[str(lv.at_least), str(lv.points)] for lv in sub.rule.levels],
                details=_details(sub),
            )
            session.add(indicator)
            added.append((indicator, sub))
    # One INSERT of the indicators (in the order added: the same ids), then their assignments:
    # a flush for each sub-index was a tenth of a first start's seeding.
    await session.flush()
    for indicator, sub in added:
        for role, holders in ((Role.LEAD, sub.lead), (Role.COORDINATE, sub.coordinate)):
            session.add_all(
                AssignmentRow(
                    indicator_id=indicator.id, holder_code=code, role=role.value, position=i
                )
                for i, code in enumerate(holders)
            )
    return row


async def load_framework(session: AsyncSession, code: str) -> Framework | None:
    # Plain columns, not row objects (as load_directory).
    row = (
        await session.execute(
            select(
                FrameworkRow.id,
                FrameworkRow.code,
                FrameworkRow.name,
                FrameworkRow.year,
                FrameworkRow.kind,
                FrameworkRow.source,
                FrameworkRow.total_max,
                FrameworkRow.target_total,
                FrameworkRow.aliases,
                FrameworkRow.province,
                FrameworkRow.conflicts,
            ).where(FrameworkRow.code == code)
        )
    ).first()
    if row is None:
        return None
    indicators = (
        await session.execute(
            select(*_INDICATOR)
            .where(IndicatorRow.framework_id == row.id)
            .order_by(IndicatorRow.position)
        )
    ).all()
    assignments = await session.execute(
        select(AssignmentRow.indicator_id, AssignmentRow.role, AssignmentRow.holder_code)
        .join(IndicatorRow, IndicatorRow.id == AssignmentRow.indicator_id)
        .where(IndicatorRow.framework_id == row.id)
        .order_by(AssignmentRow.position)
    )
    holders: dict[tuple[int, str], list[str]] = {}
    for indicator_id, role, holder_code in assignments:
        holders.setdefault((indicator_id, role), []).append(holder_code)
    pillars = []
    for p in (i for i in indicators if i.parent_code is None and i.code != WHOLE):
        subs = tuple(_sub_index(s, holders) for s in indicators if s.parent_code == p.code)
        pillars.append(Pillar(p.code, p.name, p.name_en, p.max_points, tuple(p.aliases), subs))
    return Framework(
        code=row.code,
        name=row.name,
        year=row.year,
        kind=row.kind,
        source=row.source,
        total_max=row.total_max,
        target_total=row.target_total,
        pillars=tuple(pillars),
        aliases=tuple(row.aliases or ()),
        province=row.province or "",
        conflicts=tuple(row.conflicts or ()),
    )


# The columns of an indicator that load_framework reads.
_INDICATOR = (
    IndicatorRow.id,
    IndicatorRow.code,
    IndicatorRow.parent_code,
    IndicatorRow.name,
    IndicatorRow.name_en,
    IndicatorRow.aliases,
    IndicatorRow.max_points,
    IndicatorRow.unit,
    IndicatorRow.rule,
    IndicatorRow.threshold,
    IndicatorRow.levels,
    IndicatorRow.details,
)


def _details(sub: SubIndex) -> dict[str, Any]:
    """What a sub-index has beyond its columns, as JSON: where its rule comes from, and for plan
    targets its value type, rows and targets (decimals as text, to stay exact)."""
    rule = sub.rule
    details: dict[str, Any] = {
        "rule": {
            "compare": rule.comparison.value,
            "source": rule.source,
            "assumed": rule.assumed,
            "note": rule.note,
        }
    }
    if sub.value_type is not None:
        details["value_type"] = sub.value_type.value
    if sub.source_ref:
        details["source_ref"] = sub.source_ref
    if sub.parts:
        details["parts"] = [
            [p.key, p.name, p.value_type.value if p.value_type else "", p.unit] for p in sub.parts
        ]
    if sub.targets:
        details["targets"] = [
            {
                "kind": t.kind.value,
                "year": t.year,
                "value": None if t.value is None else str(t.value),
                "text": t.text,
                "compare": t.comparison.value,
                "part": t.part,
                "source": t.source,
            }
            for t in sub.targets
        ]
    return details


def _sub_index(row: Row[Any], holders: dict[tuple[int, str], list[str]]) -> SubIndex:
    details = row.details or {}
    rule = details.get("rule", {})
    return SubIndex(
        code=row.code,
        name=row.name,
        max_points=row.max_points,
        rule=Rule(
            RuleKind(row.rule),
            row.threshold,
            tuple(Level(Decimal(a), Decimal(b)) for a, b in row.levels),
            Comparison(rule.get("compare", Comparison.AT_LEAST.value)),
            rule.get("source", ""),
            bool(rule.get("assumed", False)),
            rule.get("note", ""),
        ),
        unit=row.unit,
        lead=tuple(holders.get((row.id, Role.LEAD.value), [])),
        coordinate=tuple(holders.get((row.id, Role.COORDINATE.value), [])),
        value_type=ValueType(details["value_type"]) if details.get("value_type") else None,
        parts=tuple(
            Part(key, name, ValueType(kind) if kind else None, unit)
            for key, name, kind, unit in details.get("parts", [])
        ),
        targets=tuple(
            PlanTarget(
                TargetKind(t["kind"]),
                int(t["year"]),
                None if t.get("value") is None else Decimal(t["value"]),
                t.get("text", ""),
                Comparison(t.get("compare", Comparison.AT_LEAST.value)),
                t.get("part", ""),
                t.get("source", ""),
            )
            for t in details.get("targets", [])
        ),
        source_ref=details.get("source_ref", ""),
    )


async def period_id(session: AsyncSession, code: str) -> int:
    """The id of a period, created on first use (safely when two writers create it at once)."""
    p = parse_period(code)
    insert = upserts.insert(session, PeriodRow)
    await session.execute(
        insert.values(
            code=p.code, kind=p.kind, starts_on=p.starts_on, ends_on=p.ends_on
        ).on_conflict_do_nothing(index_elements=["code"])
    )
    found = await session.scalar(select(PeriodRow.id).where(PeriodRow.code == p.code))
    assert found is not None  # noqa: S101 - inserted or already there just above
    return found


async def period_code(session: AsyncSession, period_id: int) -> str:
    row = await session.get(PeriodRow, period_id)
    assert row is not None  # noqa: S101 - ids come from foreign keys
    return row.code


async def indicator_code(session: AsyncSession, indicator_id: int) -> str:
    row = await session.get(IndicatorRow, indicator_id)
    assert row is not None  # noqa: S101 - ids come from foreign keys
    return row.code


async def indicator_ids(session: AsyncSession, framework_code: str) -> dict[str, int]:
    rows = await session.execute(
        select(IndicatorRow.code, IndicatorRow.id)
        .join(FrameworkRow, FrameworkRow.id == IndicatorRow.framework_id)
        .where(FrameworkRow.code == framework_code)
    )
    return {code: id_ for code, id_ in rows}


async def has_submission_from(session: AsyncSession, framework_code: str, source: str) -> bool:
    """Whether a document's values were loaded: their source is the document, or the document
    followed by ", section" (another document whose title starts the same does not count)."""
    ids = list((await indicator_ids(session, framework_code)).values())
    found = await session.scalar(
        select(SubmissionRow.id)
        .where(
            SubmissionRow.indicator_id.in_(ids),
            or_(
                SubmissionRow.source == source,
                SubmissionRow.source.startswith(f"{source}, ", autoescape=True),
            ),
        )
        .limit(1)
    )
    return found is not None
