"""Thẩm định: administrators approve a submitted value or return it with a reason.

A value is decided once. The database enforces it (one review per submission, migration 0012):
when two administrators decide at the same moment, on two processes, the second insert is
refused and its author is told who decided what, and when; the focal point hears only the
decision that stands."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.messages import REASON_LIMIT
from domain.status import ReviewStatus
from services.clock import Calendar
from services.identity import Person
from services.refusal import Refusal
from services.scores import ScoreService
from storage import repo
from storage import values as values_repo


@dataclass(frozen=True, slots=True)
class Decided:
    """A review recorded; `submission` says whom to tell (its author) and what about."""

    decision: ReviewStatus
    comment: str
    submission: values_repo.SubmissionView


class ReviewService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], scores: ScoreService, calendar: Calendar
    ) -> None:
        self._sessions = sessions
        self._scores = scores
        self._calendar = calendar

    async def queue(self) -> list[values_repo.SubmissionView]:
        """Submissions waiting for review, oldest first."""
        framework, _ = await self._scores.reference()
        async with self._sessions() as session:
            return await values_repo.submissions(
                session, framework.code, status=ReviewStatus.PENDING
            )

    async def decide(
        self, reviewer: Person, submission_id: int, decision: ReviewStatus, comment: str = ""
    ) -> Decided:
        """Approve or return a submission that is still waiting; only administrators may."""
        if not reviewer.is_admin:
            raise Refusal("problem.review.not_admin")
        comment = comment.strip()
        if decision is ReviewStatus.REJECTED and not comment:
            raise Refusal("problem.review.comment_needed")
        if len(comment) > REASON_LIMIT:
            raise Refusal(
                "problem.review.reason_too_long",
                id=submission_id,
                limit=Decimal(REASON_LIMIT),
                length=Decimal(len(comment)),
            )
        now = self._calendar.now()
        framework, _ = await self._scores.reference()
        submission: values_repo.SubmissionView | None = None
        try:
            async with self._sessions() as session, session.begin():
                submission = await _submission(session, framework.code, submission_id)
                if submission.status is not ReviewStatus.PENDING:
                    raise await _decided_already(session, submission)
                await values_repo.add_review(
                    session, submission_id, decision, comment, reviewer.user_id, now
                )
                await session.flush()  # the unique index answers here
                repo.audit(
                    session,
                    now,
                    reviewer.actor,
                    decision,
                    "submission",
                    str(submission_id),
                    comment=comment,
                )
        except IntegrityError:
            if submission is None:
                raise
            # Another administrator's decision was committed first (by another process, on
            # PostgreSQL): theirs stands, this one was rolled back.
            async with self._sessions() as session:
                raise await _decided_already(session, submission) from None
        return Decided(decision, comment, submission)


async def _submission(
    session: AsyncSession, framework_code: str, submission_id: int
) -> values_repo.SubmissionView:
    found = [
        s for s in await values_repo.submissions(session, framework_code) if s.id == submission_id
    ]
    if not found:
        raise Refusal("problem.review.unknown", id=submission_id)
    return found[0]


async def _decided_already(
    session: AsyncSession, submission: values_repo.SubmissionView
) -> Refusal:
    """The refusal of a second decision: who made the first, which, and when."""
    review = await values_repo.review_of(session, submission.id)
    if review is None:  # stored as decided (seeded figures): there is no one to name
        return Refusal("problem.review.already", id=submission.id, status=submission.status)
    return Refusal(
        "problem.review.decided",
        id=submission.id,
        who=review.reviewer or "—",
        decision=review.decision,
        at=review.at,
    )
