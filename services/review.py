"""Thẩm định: administrators approve a submitted value or return it with a comment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
        if decision is ReviewStatus.REJECTED and not comment.strip():
            raise Refusal("problem.review.comment_needed")
        now = self._calendar.now()
        framework, _ = await self._scores.reference()
        async with self._sessions() as session, session.begin():
            found = [
                s
                for s in await values_repo.submissions(session, framework.code)
                if s.id == submission_id
            ]
            if not found:
                raise Refusal("problem.review.unknown", id=submission_id)
            if found[0].status is not ReviewStatus.PENDING:
                raise Refusal("problem.review.already", id=submission_id, status=found[0].status)
            await values_repo.add_review(
                session, submission_id, decision, comment.strip(), reviewer.user_id, now
            )
            repo.audit(
                session,
                now,
                reviewer.actor,
                decision,
                "submission",
                str(submission_id),
                comment=comment.strip(),
            )
        return Decided(decision, comment.strip(), found[0])
