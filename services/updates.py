"""Quick metric updates: preview, confirm or cancel, history, explanations.

A value is checked against its sub-index's rule and unit, previewed with its effect on the
pillar and the total, and stored only when its author confirms. Stored values are never changed:
a correction is a new submission, and the newest one counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.messages import EXPLANATION_LIMIT, NOTE_LIMIT
from domain.status import DraftStatus, ReviewStatus
from parsing.intents import Update
from scoring.engine import Measurement, Scoreboard, measurement_points
from scoring.model import Directory, Framework, SubIndex
from scoring.periods import parse_period
from services.clock import Calendar
from services.holders import acting_agency, updatable
from services.identity import Person
from services.reading import read_value
from services.refusal import Refusal
from services.scores import ScoreService
from storage import people, repo
from storage import values as values_repo
from storage.db import as_utc
from storage.models import DraftRow

DRAFT_TTL = timedelta(hours=24)  # a preview older than this must be sent again
# Two confirmations this close together are "the same moment": both are stored and the later one
# counts. A value someone else stored longer before the press makes the preview stale.
SAME_MOMENT = timedelta(seconds=2)


@dataclass(frozen=True, slots=True)
class Preview:
    draft_id: int
    sub: SubIndex
    period: str
    value: Decimal
    note: str
    points_before: Decimal | None
    points_after: Decimal
    pillar_before: Decimal
    pillar_after: Decimal
    total_before: Decimal
    total_after: Decimal


@dataclass(frozen=True, slots=True)
class Detail:
    submission: values_repo.SubmissionView
    review: values_repo.ReviewView | None
    explanations: tuple[values_repo.ExplanationView, ...]


@dataclass(frozen=True, slots=True)
class Stored:
    submission_id: int
    sub: SubIndex
    period: str
    value: Decimal


class UpdateService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        scores: ScoreService,
        calendar: Calendar,
    ) -> None:
        self._sessions = sessions
        self._scores = scores
        self._calendar = calendar

    async def updatable(self, person: Person, code: str) -> SubIndex:
        """The sub-index, if it exists and the person may update it (else a refusal)."""
        framework, directory = await self._scores.reference()
        return updatable(person, framework, directory, code)

    async def preview(self, person: Person, request: Update, chat_id: int | None) -> Preview:
        """Check an update and keep it as an open draft awaiting confirmation."""
        sub = await self.updatable(person, request.code)
        value = read_value(sub, request.raw_value)
        if len(request.note) > NOTE_LIMIT:  # stored notes are shown in previews and reviews
            raise Refusal(
                "problem.update.note_too_long",
                code=sub.code,
                limit=Decimal(NOTE_LIMIT),
                length=Decimal(len(request.note)),
            )
        period = request.period or self._calendar.current_period()
        if parse_period(period).starts_on > self._calendar.today():
            raise Refusal("problem.update.future_period", period=period)
        _, directory = await self._scores.reference()
        values = await self._scores.measurements()
        board_before = await self._scores.board(values)
        candidate = Measurement(sub.code, period, value=value, status=ReviewStatus.PENDING)
        board_after = await self._scores.board([*values, candidate])
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            ids = await repo.indicator_ids(session, board_before.framework.code)
            period_id = await repo.period_id(session, period)
            agency = acting_agency(person, directory, sub)
            agency_row = await people.agency(session, agency) if agency else None
            base = await values_repo.newest_submission_id(session, ids[sub.code], period_id)
            # An earlier preview of the same sub-index and period by the same person is
            # superseded: its buttons must not store a value the person has since corrected.
            await values_repo.supersede_drafts(
                session, person.user_id, ids[sub.code], period_id, now
            )
            draft_id = await values_repo.add_draft(
                session,
                user_id=person.user_id,
                agency_id=agency_row.id if agency_row else None,
                indicator_id=ids[sub.code],
                period_id=period_id,
                value=value,
                note=request.note,
                chat_id=chat_id,
                base_submission_id=base,
                at=now,
            )
        return Preview(
            draft_id=draft_id,
            sub=sub,
            period=period,
            value=value,
            note=request.note,
            points_before=_points(board_before, sub.code),
            # The value's own points; if a newer period already has a value, that one still
            # counts and the pillar and total below stay as they were.
            points_after=measurement_points(sub, candidate),
            pillar_before=_pillar_points(board_before, sub.pillar_code),
            pillar_after=_pillar_points(board_after, sub.pillar_code),
            total_before=board_before.total,
            total_after=board_after.total,
        )

    async def confirm(self, person: Person, draft_id: int) -> Stored:
        """Store a previewed value: once, by its author, while the preview is still current."""
        now = self._calendar.now()
        reference = await self._scores.reference()  # read before the transaction takes locks
        async with self._sessions() as session, session.begin():
            draft, sub = await _open_draft(session, person, draft_id, now, *reference)
            changed = await values_repo.changed_since(
                session,
                draft.indicator_id,
                draft.period_id,
                draft.base_submission_id,
                person.user_id,
                now - SAME_MOMENT,
            )
            if changed is None:
                return await self._store(session, person, draft, sub, now)
            # The draft is closed for good (committed), then the author is told who changed it.
            await values_repo.claim_draft(session, draft.id, DraftStatus.STALE, now)
            author = await people.user(session, changed.user_id) if changed.user_id else None
            stale = Refusal(
                "problem.draft.stale",
                code=sub.code,
                who=author.full_name if author else changed.source,
                value=changed.value or Decimal(0),
            )
        raise stale

    async def _store(
        self, session: AsyncSession, person: Person, draft: DraftRow, sub: SubIndex, now: datetime
    ) -> Stored:
        if not await values_repo.claim_draft(session, draft.id, DraftStatus.CONFIRMED, now):
            raise Refusal("problem.draft.already_done")
        submission = await values_repo.add_submission(
            session,
            indicator_id=draft.indicator_id,
            period_id=draft.period_id,
            value=draft.value,
            unit=sub.unit,
            source=person.name,
            note=draft.note,
            user_id=person.user_id,
            agency_id=draft.agency_id,
            chat_id=draft.chat_id,
            at=now,
        )
        period = await repo.period_code(session, draft.period_id)
        repo.audit(
            session,
            now,
            person.actor,
            "submit",
            "submissions",
            str(submission.id),
            indicator=sub.code,
            period=period,
            value=str(draft.value),
            draft=draft.id,
        )
        return Stored(submission.id, sub, period, draft.value)

    async def cancel(self, person: Person, draft_id: int) -> None:
        now = self._calendar.now()
        reference = await self._scores.reference()
        async with self._sessions() as session, session.begin():
            await _open_draft(session, person, draft_id, now, *reference)
            if not await values_repo.claim_draft(session, draft_id, DraftStatus.CANCELLED, now):
                raise Refusal("problem.draft.already_done")

    async def history(self, code: str) -> list[values_repo.SubmissionView]:
        framework, _ = await self._scores.reference()
        async with self._sessions() as session:
            return await values_repo.submissions(session, framework.code, code=code)

    async def detail(self, code: str, submission_id: int) -> Detail:
        """One stored value of a sub-index in full: its note, the decision on it and why, and
        the explanations filed for its period."""
        framework, _ = await self._scores.reference()
        async with self._sessions() as session:
            found = [
                s
                for s in await values_repo.submissions(session, framework.code, code=code)
                if s.id == submission_id
            ]
            if not found:
                raise Refusal("history.unknown", code=code, id=submission_id)
            ids = await repo.indicator_ids(session, framework.code)
            review = await values_repo.review_of(session, submission_id)
            explained = await values_repo.explanations(session, ids[code], found[0].period)
        return Detail(found[0], review, tuple(explained))

    async def explain(
        self, person: Person, code: str, text: str, period: str | None = None
    ) -> str:
        """Record an explanation for a sub-index's value; returns the period it was filed under."""
        sub = await self.updatable(person, code)
        text = text.strip()
        if not text:
            raise Refusal("explain.usage", limit=Decimal(EXPLANATION_LIMIT))
        if len(text) > EXPLANATION_LIMIT:
            raise Refusal(
                "problem.explain.too_long",
                code=sub.code,
                limit=Decimal(EXPLANATION_LIMIT),
                length=Decimal(len(text)),
            )
        period = period or self._calendar.current_period()
        now = self._calendar.now()
        framework, _ = await self._scores.reference()
        async with self._sessions() as session, session.begin():
            ids = await repo.indicator_ids(session, framework.code)
            period_id = await repo.period_id(session, period)
            row = await values_repo.add_explanation(
                session, ids[sub.code], period_id, text, person.user_id, now
            )
            repo.audit(
                session,
                now,
                person.actor,
                "explain",
                "explanations",
                str(row.id),
                indicator=sub.code,
                period=period,
            )
        return period


def _points(board: Scoreboard, code: str) -> Decimal | None:
    found = board.sub_index(code)
    return found.points if found else None


def _pillar_points(board: Scoreboard, code: str) -> Decimal:
    found = board.pillar(code)
    return found.points if found else Decimal(0)


async def _open_draft(
    session: AsyncSession,
    person: Person,
    draft_id: int,
    now: datetime,
    framework: Framework,
    directory: Directory,
) -> tuple[DraftRow, SubIndex]:
    """The draft and its sub-index when the person may still act on it."""
    draft = await values_repo.draft(session, draft_id)
    if draft is None:
        raise Refusal("problem.draft.unknown")
    if draft.user_id != person.user_id:
        raise Refusal("problem.draft.not_yours")
    if draft.status is DraftStatus.SUPERSEDED:
        raise Refusal("problem.draft.superseded")
    if draft.status is not DraftStatus.OPEN:
        raise Refusal("problem.draft.already_done")
    if now - as_utc(draft.created_at) > DRAFT_TTL:
        raise Refusal("problem.draft.expired")
    code = await repo.indicator_code(session, draft.indicator_id)
    return draft, updatable(person, framework, directory, code)
