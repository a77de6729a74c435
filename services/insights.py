"""Insight questions for leaders: weakest sub-indices, gap to a target, what-if, who holds what,
who has not reported, change over time, rank."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parsing.intents import Change, Subject
from reminders.calendar import HOLDERS, Deadline
from reminders.owed import owed_by_agency
from scoring.engine import Measurement, Scoreboard, SubIndexScore
from scoring.insights import GapPlan, board_at, gap_plan, later_than, up_to, weakest, what_if
from scoring.model import Directory, Framework, Provenance, Role, SubIndex
from scoring.periods import parse_period, rank
from services.clock import Calendar
from services.deadlines import DeadlineService
from services.mywork import group_holds, held_by
from services.reading import (
    checked_points,
    checked_value,
    read_points,
    read_step,
    read_value,
)
from services.refusal import Refusal
from services.scores import ScoreService
from storage import current, rankings, repo
from storage.db import reading

DEFAULT_WEAKEST = 5


@dataclass(frozen=True, slots=True)
class Applied:
    """One clause of a what-if as counted: a value under the sub-index's rule, or points."""

    sub: SubIndex
    value: Decimal
    as_points: bool = False
    step: Decimal | None = None  # the step from the current value or points ("tăng thêm 10%")


@dataclass(frozen=True, slots=True)
class WhatIf:
    before: Scoreboard
    after: Scoreboard
    changes: tuple[Applied, ...]
    not_understood: tuple[str, ...] = ()  # clauses as typed that could not be read


@dataclass(frozen=True, slots=True)
class Gap:
    plan: GapPlan
    board: Scoreboard  # the score the plan starts from
    as_of: str | None  # the period asked for, when later values were left out


@dataclass(frozen=True, slots=True)
class Holdings:
    agency: str
    lead: tuple[SubIndex, ...]
    coordinate: tuple[SubIndex, ...]


@dataclass(frozen=True, slots=True)
class NotReported:
    deadline: Deadline
    owed: dict[str, tuple[str, ...]]  # late agency -> missing codes
    unscheduled: str | None = None  # the period asked for, which has no deadline

    @property
    def late(self) -> list[str]:
        return [a for a, codes in self.owed.items() if codes]


@dataclass(frozen=True, slots=True)
class Trend:
    subject: Subject
    now: Scoreboard
    previous_period: tuple[str, Scoreboard] | None
    previous_year: tuple[str, Scoreboard] | None


@dataclass(frozen=True, slots=True)
class RankRow:
    year: int
    rank: int
    of_total: int
    dti: Decimal | None
    source: str = ""


class InsightService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        scores: ScoreService,
        calendar: Calendar,
        deadlines: DeadlineService,
    ) -> None:
        self._sessions = sessions
        self._scores = scores
        self._calendar = calendar
        self._deadlines = deadlines

    async def weakest(
        self, count: int | None = None, within: str | None = None
    ) -> tuple[Scoreboard, list[SubIndexScore]]:
        """The sub-indices losing the most points, `within` one pillar when given."""
        board = await self._scores.scoreboard()
        ranked = weakest(board, len(board.framework.sub_indices))
        if within is not None:
            ranked = [s for s in ranked if s.sub_index.pillar_code == within]
        return board, ranked[: count or DEFAULT_WEAKEST]

    async def gap(self, target: Decimal | None, period: str | None = None) -> Gap:
        """What it takes to reach `target` points (None: the framework's target), from the
        score now or, for a period before the newest values, at that period's end."""
        values = await self._scores.measurements()
        as_of = period if later_than(values, period) else None
        if as_of is None:
            board = await self._scores.scoreboard()
        else:
            values = up_to(values, as_of)
            board = await self._scores.board(values)
            if not any(s.has_data for s in board.scores):
                raise Refusal("ask.no_data_then", period=as_of)
        goal = target or board.framework.target_total or board.framework.total_max
        plan = gap_plan(board, goal)
        if not board.complete:
            official = [m for m in values if m.provenance is Provenance.OFFICIAL]
            plan = replace(plan, official_total=(await self._scores.board(official)).total)
        return Gap(plan, board, as_of)

    async def what_if(
        self, changes: tuple[Change, ...], not_understood: tuple[str, ...] = ()
    ) -> WhatIf:
        """The total if these values (or points) were stored now, checked like real updates;
        never stored. The clauses not understood are given back to be named."""
        framework, _ = await self.reference()
        values = await self._scores.measurements()
        before = await self._scores.board(values)
        applied, extra = [], []
        current = self._calendar.current_period()
        for change in changes:
            sub = framework.sub_index(change.code)
            if sub is None:
                raise Refusal("problem.update.unknown_code", code=change.code, near=[])
            counted = before.sub_index(sub.code)
            period = _replacing(current, counted.measurement if counted else None)
            if change.as_points:
                if change.step:
                    step = read_step(sub, change.raw_value, as_points=True) * change.step
                    now = (counted.points if counted else None) or Decimal(0)
                    points = checked_points(sub, now + step)
                else:
                    step, points = None, read_points(sub, change.raw_value)
                applied.append(Applied(sub, points, as_points=True, step=step))
                extra.append(Measurement(sub.code, period, points=points))
            else:
                if change.step:
                    step = read_step(sub, change.raw_value, as_points=False) * change.step
                    measured = counted.measurement if counted else None
                    if measured is None or measured.value is None:
                        raise Refusal("problem.whatif.no_current", code=sub.code)
                    value = measured.value + step
                    try:
                        checked_value(sub, value, change.raw_value)
                    except Refusal:
                        raise Refusal(
                            "problem.whatif.step_range",
                            code=sub.code,
                            now=measured.value,
                            value=value,
                            unit=sub.unit,
                        ) from None
                else:
                    step, value = None, read_value(sub, change.raw_value)
                applied.append(Applied(sub, value, step=step))
                extra.append(Measurement(sub.code, period, value=value))
        after = what_if(framework, values, extra)
        return WhatIf(before, after, tuple(applied), not_understood)

    async def reference(self) -> tuple[Framework, Directory]:
        return await self._scores.reference()

    async def holdings(self, code: str) -> Holdings | None:
        """What an agency leads and coordinates (groups expanded); an agency that ended answers
        through its successor. None for a code no agency has."""
        framework, directory = await self.reference()
        if directory.agency(code) is not None:
            agency = directory.current(code)
            held = held_by(directory, framework.sub_indices, agency)
        elif directory.group(code) is not None:  # "các sở, ban, ngành" as Phụ lục I names them
            agency = code
            held = group_holds(directory, framework.sub_indices, code)
        else:
            return None
        return Holdings(
            agency,
            tuple(s for s, role in held if role is Role.LEAD),
            tuple(s for s, role in held if role is Role.COORDINATE),
        )

    async def not_reported(
        self, period: str | None = None, code: str | None = None, agency: str | None = None
    ) -> NotReported:
        """Agencies that still owe values for `period` (a period with a holders' deadline; else
        the quarter being reported), only for sub-index `code` or `agency` when given."""
        framework, directory = await self.reference()
        every = [d for d in await self._deadlines.deadlines() if d.audience == HOLDERS]
        deadlines = [d for d in every if d.period == period]
        unscheduled = period if period is not None and not deadlines else None
        if not deadlines:
            period = self._calendar.current_period()
            deadlines = [d for d in every if d.period == period]
        deadline = min(deadlines, key=lambda d: d.due)
        async with reading(self._sessions) as session:
            reported = await current.reported_codes(session, framework.code, period)
        owed = owed_by_agency(framework, directory, deadline, reported)
        if agency is not None:  # an agency (its successor once it ended), or a group's members
            members = set(directory.expand(agency))
            owed = {a: codes for a, codes in owed.items() if a in members}
        sub = framework.sub_index(code) if code is not None else None
        if sub is not None:
            holders = {a for c in (*sub.lead, *sub.coordinate) for a in directory.expand(c)}
            owed = {a: tuple(c for c in codes if c == sub.code) for a, codes in owed.items()}
            owed = {a: codes for a, codes in owed.items() if codes or a in holders}
        return NotReported(deadline, owed, unscheduled)

    async def trend(self, subject: Subject) -> Trend:
        """A pillar, sub-index or the total now, at the end of the previous quarter, and at the
        end of the previous year."""
        framework, _ = await self.reference()
        values = await self._scores.measurements()
        period = parse_period(self._calendar.current_period())
        previous_quarter = _quarter_before(period.code)
        previous_year = str(period.year - 1)
        return Trend(
            subject,
            await self._scores.board(values),
            (previous_quarter, board_at(framework, values, previous_quarter)),
            (previous_year, board_at(framework, values, previous_year)),
        )

    async def ranks(self) -> list[RankRow]:
        async with self._sessions() as session:
            rows = await rankings.rankings(session)
        return [RankRow(r.year, r.rank, r.of_total, r.dti, r.source) for r in rows]

    async def set_rank(
        self, year: int, rank: int, of_total: int, dti: Decimal | None, actor: str
    ) -> None:
        """Record (or correct) a year's official rank; the old figure stays in the audit log."""
        async with self._sessions() as session, session.begin():
            before = await rankings.set_ranking(session, year, rank, of_total, dti, actor)
            repo.audit(
                session,
                self._calendar.now(),
                actor,
                "rank",
                "ranking",
                str(year),
                rank=rank,
                of_total=of_total,
                dti=str(dti),
                before=before,
            )


def _quarter_before(code: str) -> str:
    year, quarter = int(code[:4]), int(code[-1])
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"


def _replacing(current: str, counted: Measurement | None) -> str:
    """The period a what-if's change takes: the current one, or the counted value's when that
    ranks later (a value for the whole year outranks this quarter's): the change replaces what
    counts now, as the question means."""
    if counted is None:
        return current
    order = rank([current, counted.period])
    return counted.period if order[counted.period] > order[current] else current
