"""Quick metric updates: preview, confirm or cancel, history, explanations.

A value is checked against its sub-index's rule and unit, previewed with its effect on the
pillar and the total, and stored only when its author confirms. Stored values are never changed:
a correction is a new submission, and the newest one counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.status import DraftStatus, ReviewStatus
from parsing.numbers import NumberError, NumberKind, parse_number
from parsing.update_text import UpdateRequest
from parsing.yes_no import yes_no
from scoring.engine import InvalidValue, Measurement, Scoreboard, measurement_points, rule_points
from scoring.model import Directory, RuleKind, SubIndex
from scoring.periods import parse_period
from services.clock import Calendar
from services.identity import Person
from services.scores import ScoreService
from storage import people, repo
from storage import values as values_repo
from storage.db import as_utc
from storage.models import DraftRow

DRAFT_TTL = timedelta(hours=24)  # a preview older than this must be sent again
# Two confirmations this close together are "the same moment": both are stored and the later one
# counts. A value someone else stored longer before the press makes the preview stale.
SAME_MOMENT = timedelta(seconds=2)
PERCENT = "%"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the user must fix; `reason` names the message, `params` fill it in."""

    reason: str
    params: dict[str, Any] = field(default_factory=dict)


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
class Stored:
    submission_id: int
    sub: SubIndex
    period: str
    value: Decimal


def holders(directory: Directory, sub: SubIndex) -> set[str]:
    """Every agency that leads or coordinates a sub-index, groups expanded."""
    return {a for code in (*sub.lead, *sub.coordinate) for a in directory.expand(code)}


def acting_agency(person: Person, directory: Directory, sub: SubIndex) -> str | None:
    """The agency the person updates for: one that leads it, else one that coordinates it."""
    lead = {a for code in sub.lead for a in directory.expand(code)}
    mine = [a for a in person.agencies if a in holders(directory, sub)]
    return next((a for a in mine if a in lead), mine[0] if mine else None)


def number_kind(sub: SubIndex) -> NumberKind:
    """Counts are whole numbers; rates, percentages and points may have decimals."""
    counted = sub.rule.kind is RuleKind.LEVELS and "/" not in sub.unit and sub.unit != PERCENT
    return NumberKind.INTEGER if counted else NumberKind.DECIMAL


def read_value(sub: SubIndex, raw: str) -> Decimal | Problem:
    """The value a text stands for under a sub-index's rule and unit, or what is wrong with it."""
    unit = sub.unit
    if sub.rule.kind is RuleKind.BOOLEAN:
        answer = yes_no(raw)
        return (
            Problem("value.not_yes_no", {"code": sub.code, "raw": raw})
            if answer is None
            else Decimal(int(answer))
        )
    try:
        parsed = parse_number(raw, number_kind(sub))
    except NumberError as error:
        return Problem(
            f"value.{error.reason}",
            {"code": sub.code, "raw": error.text, "candidates": error.candidates, "unit": unit},
        )
    value = parsed.value
    if parsed.percent and sub.rule.kind is RuleKind.ASSESSED:
        return Problem("value.points_not_percent", {"code": sub.code, "max": sub.max_points})
    if value < 0:
        return Problem("value.negative", {"code": sub.code, "unit": unit})
    if unit == PERCENT and value > 100:
        return Problem("value.percent_range", {"code": sub.code, "raw": raw})
    try:
        rule_points(sub.rule, sub.max_points, value)
    except InvalidValue:
        return Problem("value.above_max", {"code": sub.code, "max": sub.max_points})
    return value


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

    async def sub_index(self, code: str) -> SubIndex | None:
        framework, _ = await self._scores.reference()
        return framework.sub_index(code)

    async def check_can_update(self, person: Person, code: str) -> SubIndex | Problem:
        """The sub-index, if it exists and the person may update it."""
        framework, directory = await self._scores.reference()
        sub = framework.sub_index(code)
        if sub is None:
            pillar = framework.pillar(code.split(".")[0])
            near = [s.code for s in pillar.sub_indices] if pillar else []
            return Problem("update.unknown_code", {"code": code, "near": near})
        if not person.is_registered:
            return Problem("update.unregistered")
        if not person.is_admin and not (set(person.agencies) & holders(directory, sub)):
            return Problem(
                "update.not_holder",
                {
                    "code": code,
                    "lead": sub.lead,
                    "coordinate": sub.coordinate,
                    "mine": person.agencies,
                },
            )
        return sub

    async def preview(
        self, person: Person, request: UpdateRequest, chat_id: int | None
    ) -> Preview | Problem:
        """Check an update and keep it as a draft awaiting confirmation."""
        sub = await self.check_can_update(person, request.code)
        if isinstance(sub, Problem):
            return sub
        value = read_value(sub, request.raw_value)
        if isinstance(value, Problem):
            return value
        period = request.period or self._calendar.current_period()
        if parse_period(period).starts_on > self._calendar.today():
            return Problem("update.future_period", {"period": period})
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

    async def confirm(self, person: Person, draft_id: int) -> Stored | Problem:
        """Store a previewed value: once, by its author, while the preview is still current."""
        now = self._calendar.now()
        framework, _ = await self._scores.reference()
        async with self._sessions() as session, session.begin():
            draft = await values_repo.draft(session, draft_id)
            checked = await self._check_draft(session, person, draft, now)
            if isinstance(checked, Problem):
                return checked
            assert draft is not None  # noqa: S101 - _check_draft refuses a missing draft
            changed = await values_repo.changed_since(
                session,
                draft.indicator_id,
                draft.period_id,
                draft.base_submission_id,
                person.user_id,
                now - SAME_MOMENT,
            )
            if changed is not None:
                await values_repo.claim_draft(session, draft.id, DraftStatus.STALE, now)
                author = await people.user(session, changed.user_id) if changed.user_id else None
                who = author.full_name if author else changed.source
                return Problem(
                    "draft.stale",
                    {"code": checked, "who": who, "value": changed.value or Decimal(0)},
                )
            if not await values_repo.claim_draft(session, draft.id, DraftStatus.CONFIRMED, now):
                return Problem("draft.already_done")
            sub = framework.sub_index(checked)
            assert sub is not None  # noqa: S101 - the draft was made for this framework
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

    async def cancel(self, person: Person, draft_id: int) -> Problem | None:
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            draft = await values_repo.draft(session, draft_id)
            checked = await self._check_draft(session, person, draft, now)
            if isinstance(checked, Problem):
                return checked
            if not await values_repo.claim_draft(session, draft_id, DraftStatus.CANCELLED, now):
                return Problem("draft.already_done")
        return None

    async def _check_draft(
        self, session: AsyncSession, person: Person, draft: DraftRow | None, now: datetime
    ) -> str | Problem:
        """The draft's sub-index code when the person may still act on it."""
        if draft is None:
            return Problem("draft.unknown")
        if draft.user_id != person.user_id:
            return Problem("draft.not_yours")
        if draft.status is DraftStatus.SUPERSEDED:
            return Problem("draft.superseded")
        if draft.status is not DraftStatus.OPEN:
            return Problem("draft.already_done")
        if now - as_utc(draft.created_at) > DRAFT_TTL:
            return Problem("draft.expired")
        # The caller's session: a second one inside its transaction would wait on its own lock.
        code = await repo.indicator_code(session, draft.indicator_id)
        allowed = await self.check_can_update(person, code)
        return allowed if isinstance(allowed, Problem) else code

    async def history(self, code: str) -> list[values_repo.SubmissionView]:
        framework, _ = await self._scores.reference()
        async with self._sessions() as session:
            return await values_repo.submissions(session, framework.code, code=code)

    async def explain(
        self, person: Person, code: str, text: str, period: str | None = None
    ) -> Problem | str:
        """Record an explanation for a sub-index's value; returns the period it was filed under."""
        sub = await self.check_can_update(person, code)
        if isinstance(sub, Problem):
            return sub
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
