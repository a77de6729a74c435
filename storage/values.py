"""Submitted values, their reviews, drafts, evidence and explanations. Callers own the
transaction. Values and reviews are only ever inserted; a value's status is its newest review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, Subquery, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scoring.engine import Measurement
from scoring.model import Provenance
from storage.db import as_utc
from storage.models import (
    AgencyRow,
    DraftRow,
    EvidenceRow,
    ExplanationRow,
    FrameworkRow,
    IndicatorRow,
    PeriodRow,
    ReviewRow,
    SourceNoteRow,
    SubmissionRow,
    UserRow,
)

SUBMITTED, APPROVED, RETURNED = "submitted", "approved", "returned"


@dataclass(frozen=True, slots=True)
class SubmissionView:
    """One stored value with what people want to see next to it."""

    id: int
    code: str
    period: str
    value: Decimal | None
    points: Decimal | None
    unit: str
    source_max: Decimal | None
    status: str
    comment: str
    note: str
    source: str
    user_name: str
    user_telegram_id: int | None
    agency: str
    created_at: datetime
    provenance: Provenance = Provenance.REPORTED
    part: str = ""
    text: str = ""
    verdict: str = ""
    rank: int | None = None
    rank_of: int | None = None


def _latest_review() -> Subquery:
    """Subquery: the id of the newest review of each submission."""
    return (
        select(ReviewRow.submission_id, func.max(ReviewRow.id).label("review_id"))
        .group_by(ReviewRow.submission_id)
        .subquery()
    )


def _submissions(framework_code: str) -> Select[SubmissionRow, str, str, ReviewRow, UserRow, str]:
    latest = _latest_review()
    return (
        select(
            SubmissionRow, IndicatorRow.code, PeriodRow.code, ReviewRow, UserRow, AgencyRow.code
        )
        .join(IndicatorRow, IndicatorRow.id == SubmissionRow.indicator_id)
        .join(FrameworkRow, FrameworkRow.id == IndicatorRow.framework_id)
        .join(PeriodRow, PeriodRow.id == SubmissionRow.period_id)
        .outerjoin(latest, latest.c.submission_id == SubmissionRow.id)
        .outerjoin(ReviewRow, ReviewRow.id == latest.c.review_id)
        .outerjoin(UserRow, UserRow.id == SubmissionRow.user_id)
        .outerjoin(AgencyRow, AgencyRow.id == SubmissionRow.agency_id)
        .where(FrameworkRow.code == framework_code)
    )


async def submissions(
    session: AsyncSession,
    framework_code: str,
    *,
    code: str | None = None,
    status: str | None = None,
) -> list[SubmissionView]:
    """Stored values oldest first, with their current status; optionally of one sub-index or
    one status."""
    query = _submissions(framework_code).order_by(SubmissionRow.created_at, SubmissionRow.id)
    if code is not None:
        query = query.where(IndicatorRow.code == code)
    rows = await session.execute(query)
    views = []
    for sub, ind_code, period, review, user, agency in rows:
        current = review.decision if review is not None else sub.status
        if status is not None and current != status:
            continue
        views.append(
            SubmissionView(
                id=sub.id,
                code=ind_code,
                period=period,
                value=sub.value,
                points=sub.points,
                unit=sub.unit,
                source_max=sub.source_max,
                status=current,
                comment=review.comment if review is not None else "",
                note=sub.note,
                source=sub.source,
                user_name=user.full_name if user is not None else "",
                user_telegram_id=user.telegram_id if user is not None else None,
                agency=agency or "",
                created_at=as_utc(sub.created_at),
                provenance=_provenance(sub, review),
                part=sub.part or "",
                text=sub.text or "",
                verdict=sub.verdict or "",
                rank=sub.rank,
                rank_of=sub.rank_of,
            )
        )
    return views


def _provenance(sub: SubmissionRow, review: ReviewRow | None) -> Provenance:
    """Official when stored as such (an evaluator's points, published results) or approved by an
    administrator; otherwise what it was stored as (reported)."""
    if sub.provenance == Provenance.OFFICIAL.value:
        return Provenance.OFFICIAL
    if review is not None and review.decision == APPROVED:
        return Provenance.OFFICIAL
    return Provenance.REPORTED


async def measurements(
    session: AsyncSession, framework_code: str, *, include_pending: bool
) -> list[Measurement]:
    """Values that count for scoring, oldest first: approved ones, and with include_pending
    also those not reviewed yet. Returned values never count."""
    wanted = {APPROVED, SUBMITTED} if include_pending else {APPROVED}
    return [
        Measurement(
            v.code,
            v.period,
            v.value,
            v.points,
            v.source,
            v.source_max,
            v.status,
            v.id,
            provenance=v.provenance,
            unit=v.unit,
            note=v.note,
            part=v.part,
            text=v.text,
            verdict=v.verdict,
            rank=v.rank,
            rank_of=v.rank_of,
        )
        for v in await submissions(session, framework_code)
        if v.status in wanted
    ]


async def newest_submission_id(
    session: AsyncSession, indicator_id: int, period_id: int
) -> int | None:
    return await session.scalar(
        select(func.max(SubmissionRow.id)).where(
            SubmissionRow.indicator_id == indicator_id, SubmissionRow.period_id == period_id
        )
    )


async def changed_since(
    session: AsyncSession,
    indicator_id: int,
    period_id: int,
    base_id: int | None,
    user_id: int,
    before: datetime,
) -> SubmissionRow | None:
    """The newest value someone else stored for a sub-index and period after the submission a
    preview was based on (`base_id`), and before `before`; None when there is none."""
    query = select(SubmissionRow).where(
        SubmissionRow.indicator_id == indicator_id,
        SubmissionRow.period_id == period_id,
        SubmissionRow.user_id != user_id,
        SubmissionRow.created_at < before,
    )
    if base_id is not None:
        query = query.where(SubmissionRow.id > base_id)
    return await session.scalar(query.order_by(SubmissionRow.id.desc()).limit(1))


async def supersede_drafts(
    session: AsyncSession, user_id: int, indicator_id: int, period_id: int, at: datetime
) -> None:
    """Retire a person's pending drafts for one sub-index and period (a newer preview came)."""
    await session.execute(
        update(DraftRow)
        .where(
            DraftRow.user_id == user_id,
            DraftRow.indicator_id == indicator_id,
            DraftRow.period_id == period_id,
            DraftRow.status == "pending",
        )
        .values(status="superseded", decided_at=at)
    )


async def claim_draft(session: AsyncSession, draft_id: int, status: str, at: datetime) -> bool:
    """Move a pending draft to `status`; False when it was no longer pending (a double press)."""
    result = await session.execute(
        update(DraftRow)
        .where(DraftRow.id == draft_id, DraftRow.status == "pending")
        .values(status=status, decided_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def evidence_for(
    session: AsyncSession, indicator_id: int, period_id: int | None = None
) -> list[EvidenceRow]:
    query = select(EvidenceRow).where(EvidenceRow.indicator_id == indicator_id)
    if period_id is not None:
        query = query.where(EvidenceRow.period_id == period_id)
    return list((await session.scalars(query.order_by(EvidenceRow.id))).all())


async def explanations_for(session: AsyncSession, indicator_id: int) -> list[ExplanationRow]:
    query = (
        select(ExplanationRow)
        .where(ExplanationRow.indicator_id == indicator_id)
        .order_by(ExplanationRow.id)
    )
    return list((await session.scalars(query)).all())


async def source_notes(session: AsyncSession, framework_code: str, code: str) -> list[str]:
    """What documents say about a sub-index beside its values, oldest first, with the source."""
    rows = await session.execute(
        select(SourceNoteRow.text, SourceNoteRow.source)
        .join(IndicatorRow, IndicatorRow.id == SourceNoteRow.indicator_id)
        .join(FrameworkRow, FrameworkRow.id == IndicatorRow.framework_id)
        .where(FrameworkRow.code == framework_code, IndicatorRow.code == code)
        .order_by(SourceNoteRow.id)
    )
    return [f"{text} ({source})" for text, source in rows]
