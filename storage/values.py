"""Submitted values, their reviews, drafts, evidence and explanations. Callers own the
transaction. Values and reviews are only ever inserted; a value's status is its newest review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, Subquery, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.status import DraftStatus, ReviewStatus
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
    status: ReviewStatus
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
    status: ReviewStatus | None = None,
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
                provenance=provenance_of(sub.provenance, review.decision if review else None),
                part=sub.part or "",
                text=sub.text or "",
                verdict=sub.verdict or "",
                rank=sub.rank,
                rank_of=sub.rank_of,
            )
        )
    return views


def provenance_of(stored: str, decision: ReviewStatus | None) -> Provenance:
    """Official when stored as such (an evaluator's points, published results) or approved by an
    administrator; otherwise what it was stored as (reported)."""
    if stored == Provenance.OFFICIAL.value or decision == ReviewStatus.APPROVED:
        return Provenance.OFFICIAL
    return Provenance.REPORTED


async def measurements(
    session: AsyncSession, framework_code: str, *, include_pending: bool
) -> list[Measurement]:
    """Values that count for scoring, oldest first: approved ones, and with include_pending
    also those not reviewed yet. Returned values never count."""
    wanted = (
        {ReviewStatus.APPROVED, ReviewStatus.PENDING}
        if include_pending
        else {ReviewStatus.APPROVED}
    )
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
    """Retire a person's open drafts for one sub-index and period (a newer preview came)."""
    await session.execute(
        update(DraftRow)
        .where(
            DraftRow.user_id == user_id,
            DraftRow.indicator_id == indicator_id,
            DraftRow.period_id == period_id,
            DraftRow.status == DraftStatus.OPEN,
        )
        .values(status=DraftStatus.SUPERSEDED, decided_at=at)
    )


async def claim_draft(
    session: AsyncSession, draft_id: int, status: DraftStatus, at: datetime
) -> bool:
    """Move an open draft to `status`; False when it was no longer open (a double press)."""
    result = await session.execute(
        update(DraftRow)
        .where(DraftRow.id == draft_id, DraftRow.status == DraftStatus.OPEN)
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


async def add_source_note(
    session: AsyncSession, indicator_id: int, period_id: int, text: str, source: str, at: datetime
) -> None:
    """Keep what a document says beside a sub-index's values (a one-operator figure, a
    caveat): shown on its card, never counted."""
    session.add(
        SourceNoteRow(
            indicator_id=indicator_id, period_id=period_id, text=text, source=source, created_at=at
        )
    )


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


async def add_draft(
    session: AsyncSession,
    *,
    user_id: int,
    agency_id: int | None,
    indicator_id: int,
    period_id: int,
    value: Decimal,
    note: str,
    chat_id: int | None,
    base_submission_id: int | None,
    at: datetime,
) -> int:
    """Keep a previewed value as an open draft; returns its id (its buttons carry it)."""
    row = DraftRow(
        user_id=user_id, agency_id=agency_id, indicator_id=indicator_id, period_id=period_id,
        value=value, note=note, chat_id=chat_id, base_submission_id=base_submission_id,
        created_at=at,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return row.id


async def draft(session: AsyncSession, draft_id: int) -> DraftRow | None:
    return await session.get(DraftRow, draft_id)


async def add_submission(
    session: AsyncSession,
    *,
    indicator_id: int,
    period_id: int,
    value: Decimal | None,
    unit: str,
    source: str,
    note: str,
    user_id: int | None,
    agency_id: int | None,
    chat_id: int | None,
    at: datetime,
) -> SubmissionRow:
    """Store a value waiting for review (never updated afterwards); the caller audits it."""
    row = SubmissionRow(
        indicator_id=indicator_id, period_id=period_id, value=value, unit=unit,
        status=ReviewStatus.PENDING, source=source, note=note, user_id=user_id,
        agency_id=agency_id, chat_id=chat_id, created_at=at,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return row


async def add_review(
    session: AsyncSession,
    submission_id: int,
    decision: ReviewStatus,
    comment: str,
    reviewer_id: int | None,
    at: datetime,
) -> None:
    session.add(
        ReviewRow(
            submission_id=submission_id,
            decision=decision,
            comment=comment,
            reviewer_id=reviewer_id,
            at=at,
        )
    )


async def add_explanation(
    session: AsyncSession,
    indicator_id: int,
    period_id: int,
    text: str,
    user_id: int,
    at: datetime,
) -> ExplanationRow:
    row = ExplanationRow(
        indicator_id=indicator_id, period_id=period_id, text=text, user_id=user_id, created_at=at
    )
    session.add(row)
    await session.flush()
    return row


async def add_evidence(
    session: AsyncSession,
    *,
    indicator_id: int,
    period_id: int,
    submission_id: int | None,
    file_id: str,
    file_unique_id: str,
    file_name: str,
    mime_type: str,
    kind: str,
    size: int,
    user_id: int,
    chat_id: int | None,
    at: datetime,
    sha256: str | None = None,
) -> EvidenceRow:
    row = EvidenceRow(
        indicator_id=indicator_id, period_id=period_id, submission_id=submission_id,
        file_id=file_id, file_unique_id=file_unique_id, file_name=file_name, mime_type=mime_type,
        kind=kind, size=size, user_id=user_id, chat_id=chat_id, created_at=at, sha256=sha256,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return row


async def evidence_file(session: AsyncSession, evidence_id: int) -> EvidenceRow | None:
    return await session.get(EvidenceRow, evidence_id)


async def evidence_counts(session: AsyncSession) -> dict[str, int]:
    """Sub-index code -> how many evidence files it has (any framework, any period)."""
    counted = await session.execute(
        select(IndicatorRow.code, func.count(EvidenceRow.id))
        .join(EvidenceRow, EvidenceRow.indicator_id == IndicatorRow.id)
        .group_by(IndicatorRow.code)
    )
    return {code: count for code, count in counted}


@dataclass(frozen=True, slots=True)
class ReviewView:
    """The decision on a submission: which, by whom, when, and why (for a returned value)."""

    decision: ReviewStatus
    comment: str
    reviewer: str
    at: datetime


async def review_of(session: AsyncSession, submission_id: int) -> ReviewView | None:
    """The decision on a submission; None while it waits (or for a value stored approved)."""
    found = (
        await session.execute(
            select(ReviewRow, UserRow.full_name)
            .outerjoin(UserRow, UserRow.id == ReviewRow.reviewer_id)
            .where(ReviewRow.submission_id == submission_id)
            .order_by(ReviewRow.id.desc())
            .limit(1)
        )
    ).first()
    if found is None:
        return None
    review, reviewer = found
    return ReviewView(review.decision, review.comment, reviewer or "", as_utc(review.at))


@dataclass(frozen=True, slots=True)
class ExplanationView:
    """A focal point's explanation of a sub-index's value for a period."""

    text: str
    author: str
    at: datetime


async def explanations(
    session: AsyncSession, indicator_id: int, period_code: str
) -> list[ExplanationView]:
    """The explanations filed for a sub-index and a period, oldest first."""
    rows = await session.execute(
        select(ExplanationRow, UserRow.full_name)
        .join(PeriodRow, PeriodRow.id == ExplanationRow.period_id)
        .outerjoin(UserRow, UserRow.id == ExplanationRow.user_id)
        .where(ExplanationRow.indicator_id == indicator_id, PeriodRow.code == period_code)
        .order_by(ExplanationRow.id)
    )
    return [ExplanationView(row.text, name or "", as_utc(row.created_at)) for row, name in rows]
