"""The values that can decide a score, chosen in SQL: of each sub-index, period, row of a target
and review state only the few newest that `scoring.engine.evaluate` (and the targets and index
boards) can pick, in plain columns. Scoring these gives the same result as scoring every value
stored, so a read does not grow with the number of corrections. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.status import ReviewStatus
from scoring.engine import Measurement
from scoring.model import Provenance, RuleKind
from storage.models import (
    FrameworkRow,
    IndicatorRow,
    PeriodRow,
    ReviewRow,
    SubmissionRow,
    ValueChangeRow,
)
from storage.values import provenance_of

S, I, R = SubmissionRow, IndicatorRow, ReviewRow  # noqa: E741 - short names keep the SQL legible

# How many of the newest values that cannot be scored a sub-index shows (SubIndexScore.unscored).
UNSCORED_SHOWN = 3
COUNTED = (ReviewStatus.APPROVED, ReviewStatus.PENDING)  # returned values never count
# Plain columns, no ORM objects: what a Measurement holds.
_COLUMNS = (
    S.id, S.value, S.points, S.source, S.source_max, S.status, S.provenance, S.unit, S.note,
    S.part, S.text, S.verdict, S.rank, S.rank_of,
)  # fmt: skip


def _state() -> ColumnElement[ReviewStatus]:
    """Where a value stands: its review's decision, else what it was stored as."""
    return func.coalesce(R.decision, S.status)


def scorable() -> ColumnElement[int]:
    """1 where `scoring.engine.scorable` holds, read from the value and its sub-index's rule."""
    return case(
        (S.points.is_not(None), 1),
        (or_(S.value.is_(None), I.rule == RuleKind.NONE.value), 0),
        (and_(S.unit != "", I.unit != "", S.unit != I.unit), 0),
        (S.value < 0, 0),
        (and_(I.rule == RuleKind.BOOLEAN.value, S.value.not_in([0, 1])), 0),
        (and_(I.rule == RuleKind.ASSESSED.value, S.value > I.max_points), 0),
        else_=1,
    )


def _official_points() -> ColumnElement[int]:
    """1 for an evaluator's points or an approved value's points (SubIndexScore.official)."""
    official = or_(S.provenance == Provenance.OFFICIAL.value, R.decision == ReviewStatus.APPROVED)
    return case((and_(S.points.is_not(None), official), 1), else_=0)


Group = tuple[int, int]  # (indicator id, period id): values scoring compares with each other


def _in(groups: Collection[Group] | None) -> ColumnElement[bool]:
    """Values of these sub-indices and periods (None: all). Pairs of equalities, not a row-value
    IN: SQLite seeks the index for each pair, where it would scan the whole index for an IN."""
    if groups is None:
        return true()
    return or_(false(), *(and_(S.indicator_id == i, S.period_id == p) for i, p in groups))


async def current_values(
    session: AsyncSession, framework_code: str, groups: Collection[Group] | None = None
) -> dict[Group, list[Measurement]]:
    """Approved and pending values of a framework that scoring can pick, by sub-index and
    period (all of them, or those of `groups`), each oldest first as stored: of each sub-index,
    period, row and state the newest value, the newest scorable one, the newest unscorable ones
    shown beside it and the newest with official points."""
    key = (S.indicator_id, S.period_id, S.part, _state())
    newest_first = (S.created_at.desc(), S.id.desc())
    can_score, official = scorable(), _official_points()
    ranked_query = (
        select(
            S.id.label("id"),
            can_score.label("scorable"),
            official.label("official"),
            func.row_number().over(partition_by=key, order_by=newest_first).label("newest"),
            func.row_number()
            .over(partition_by=(*key, can_score), order_by=newest_first)
            .label("of_kind"),
            func.row_number()
            .over(partition_by=(*key, official), order_by=newest_first)
            .label("of_official"),
        )
        .join(I, I.id == S.indicator_id)
        .outerjoin(R, R.submission_id == S.id)
        .where(_state().in_(COUNTED))
    )
    if groups is None:
        ranked_query = ranked_query.join(FrameworkRow, FrameworkRow.id == I.framework_id).where(
            FrameworkRow.code == framework_code
        )
    else:  # the framework is checked below: here the index is sought for each pair alone
        ranked_query = ranked_query.where(_in(groups))
    ranked = ranked_query.subquery()
    picked = or_(
        ranked.c.newest == 1,
        and_(ranked.c.scorable == 1, ranked.c.of_kind == 1),
        and_(ranked.c.scorable == 0, ranked.c.of_kind <= UNSCORED_SHOWN),
        and_(ranked.c.official == 1, ranked.c.of_official == 1),
    )
    rows = await session.execute(
        select(
            *_COLUMNS,
            S.indicator_id,
            S.period_id,
            I.code.label("code"),
            PeriodRow.code.label("period"),
            R.decision.label("decision"),
        )
        .join(ranked, ranked.c.id == S.id)
        .join(I, I.id == S.indicator_id)
        .join(FrameworkRow, FrameworkRow.id == I.framework_id)
        .join(PeriodRow, PeriodRow.id == S.period_id)
        .outerjoin(R, R.submission_id == S.id)
        .where(picked, FrameworkRow.code == framework_code)
        .order_by(S.created_at, S.id)
    )
    found: dict[Group, list[Measurement]] = {}
    for r in rows:
        found.setdefault((r.indicator_id, r.period_id), []).append(_measurement(r))
    return found


def _measurement(r: Row[Any]) -> Measurement:
    return Measurement(
        r.code,
        r.period,
        r.value,
        r.points,
        r.source,
        r.source_max,
        r.decision or r.status,
        r.id,
        provenance=provenance_of(r.provenance, r.decision),
        unit=r.unit,
        note=r.note,
        part=r.part or "",
        text=r.text or "",
        verdict=r.verdict or "",
        rank=r.rank,
        rank_of=r.rank_of,
    )


async def pending_counts(
    session: AsyncSession, framework_code: str, groups: Collection[Group] | None = None
) -> dict[Group, int]:
    """How many values of a framework wait for review, by sub-index and period (all of them,
    or those of `groups`)."""
    found = await session.execute(
        select(S.indicator_id, S.period_id, func.count(S.id))
        .join(I, I.id == S.indicator_id)
        .join(FrameworkRow, FrameworkRow.id == I.framework_id)
        .outerjoin(R, R.submission_id == S.id)
        .where(FrameworkRow.code == framework_code, _state() == ReviewStatus.PENDING, _in(groups))
        .group_by(S.indicator_id, S.period_id)
    )
    return {(i, p): n for i, p, n in found}


async def changed_since(session: AsyncSession, revision: int) -> set[Group] | None:
    """The sub-indices and periods that got a value or a review after `revision` of "values"
    (counted by triggers in commit order, migration 0013), or None when the rows of the
    revisions after it are gone (only the newest are kept, migration 0014): then nobody can
    tell. Callers ask only when the revision changed since, so at least one row follows."""
    found = (
        await session.execute(
            select(
                ValueChangeRow.indicator_id,
                ValueChangeRow.period_id,
                func.min(ValueChangeRow.revision),
            )
            .where(ValueChangeRow.revision > revision)
            .group_by(ValueChangeRow.indicator_id, ValueChangeRow.period_id)
        )
    ).all()
    if min((first for _, _, first in found), default=None) != revision + 1:
        return None
    return {(i, p) for i, p, _ in found}


async def reported_codes(session: AsyncSession, framework_code: str, period_code: str) -> set[str]:
    """Sub-indices of a framework with a value for a period that was not returned."""
    found = await session.scalars(
        select(I.code)
        .distinct()
        .join(S, S.indicator_id == I.id)
        .join(FrameworkRow, FrameworkRow.id == I.framework_id)
        .join(PeriodRow, PeriodRow.id == S.period_id)
        .outerjoin(R, R.submission_id == S.id)
        .where(
            FrameworkRow.code == framework_code,
            PeriodRow.code == period_code,
            _state() != ReviewStatus.REJECTED,
        )
    )
    return set(found)
