"""Administration of the reference data: agencies, assignments, the frameworks held. Callers own
the transaction (and bump the "reference" revision, see storage.revisions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import as_utc
from storage.models import AgencyRow, AssignmentRow, FrameworkRow, IndicatorRow, SubmissionRow


@dataclass(frozen=True, slots=True)
class FrameworkSummary:
    code: str
    name: str
    kind: str
    year: int
    sub_indices: int
    values: int  # stored values of any status: a framework with values is never replaced
    imported_at: datetime


async def add_agency(
    session: AsyncSession, code: str, name: str, kind: str, aliases: list[str]
) -> None:
    session.add(AgencyRow(code=code, name=name, kind=kind, aliases=aliases))
    await session.flush()


async def set_agency(
    session: AsyncSession, code: str, *, name: str | None = None, aliases: list[str] | None = None
) -> None:
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = name
    if aliases is not None:
        values["aliases"] = aliases
    await session.execute(update(AgencyRow).where(AgencyRow.code == code).values(**values))


async def add_assignment(session: AsyncSession, indicator_id: int, holder: str, role: str) -> bool:
    """Make `holder` lead or coordinate an indicator, after those already there; False when it
    does already."""
    held = await session.scalar(
        select(AssignmentRow.id).where(
            AssignmentRow.indicator_id == indicator_id,
            AssignmentRow.holder_code == holder,
            AssignmentRow.role == role,
        )
    )
    if held is not None:
        return False
    last = await session.scalar(
        select(func.max(AssignmentRow.position)).where(
            AssignmentRow.indicator_id == indicator_id, AssignmentRow.role == role
        )
    )
    session.add(
        AssignmentRow(
            indicator_id=indicator_id,
            holder_code=holder,
            role=role,
            position=0 if last is None else last + 1,
        )
    )
    await session.flush()
    return True


async def remove_assignments(
    session: AsyncSession, indicator_id: int, holder: str, roles: tuple[str, ...]
) -> list[str]:
    """Take `holder` off an indicator in each of `roles`; returns the roles it held."""
    held = list(
        await session.scalars(
            select(AssignmentRow.role).where(
                AssignmentRow.indicator_id == indicator_id,
                AssignmentRow.holder_code == holder,
                AssignmentRow.role.in_(roles),
            )
        )
    )
    if held:
        await session.execute(
            delete(AssignmentRow).where(
                AssignmentRow.indicator_id == indicator_id,
                AssignmentRow.holder_code == holder,
                AssignmentRow.role.in_(held),
            )
        )
    return held


async def framework_summaries(session: AsyncSession) -> list[FrameworkSummary]:
    """Every framework held, oldest import first, with its size and how many values it has."""
    subs = (
        select(IndicatorRow.framework_id, func.count(IndicatorRow.id).label("n"))
        .where(IndicatorRow.parent_code.is_not(None))
        .group_by(IndicatorRow.framework_id)
        .subquery()
    )
    values = (
        select(IndicatorRow.framework_id, func.count(SubmissionRow.id).label("n"))
        .join(SubmissionRow, SubmissionRow.indicator_id == IndicatorRow.id)
        .group_by(IndicatorRow.framework_id)
        .subquery()
    )
    rows = await session.execute(
        select(FrameworkRow, subs.c.n, values.c.n)
        .outerjoin(subs, subs.c.framework_id == FrameworkRow.id)
        .outerjoin(values, values.c.framework_id == FrameworkRow.id)
        .order_by(FrameworkRow.imported_at, FrameworkRow.id)
    )
    return [
        FrameworkSummary(
            f.code, f.name, f.kind, f.year, int(n or 0), int(v or 0), as_utc(f.imported_at)
        )
        for f, n, v in rows
    ]
