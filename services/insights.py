"""Insight questions for leaders: weakest sub-indices, gap to a target, what-if, who holds what,
who has not reported, change over time, rank."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reminders.calendar import HOLDERS, Deadline
from reminders.owed import owed_by_agency
from scoring.engine import Measurement, Scoreboard, SubIndexScore
from scoring.insights import GapPlan, board_at, gap_plan, weakest, what_if
from scoring.lookup import Target, resolve
from scoring.model import Directory, Framework, Role, SubIndex
from scoring.periods import parse_period
from scoring.text import fold
from services.clock import Calendar
from services.deadlines import DeadlineService
from services.mywork import held_by
from services.reading import read_value
from services.refusal import Refusal
from services.scores import ScoreService
from storage import current, rankings, repo
from storage.db import reading

DEFAULT_WEAKEST = 5


@dataclass(frozen=True, slots=True)
class WhatIf:
    before: Scoreboard
    after: Scoreboard
    changes: tuple[tuple[SubIndex, Decimal], ...]


@dataclass(frozen=True, slots=True)
class Holdings:
    agency: str
    lead: tuple[SubIndex, ...]
    coordinate: tuple[SubIndex, ...]


@dataclass(frozen=True, slots=True)
class NotReported:
    deadline: Deadline
    owed: dict[str, tuple[str, ...]]  # late agency -> missing codes

    @property
    def late(self) -> list[str]:
        return [a for a, codes in self.owed.items() if codes]


@dataclass(frozen=True, slots=True)
class Trend:
    target: Target
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
        self, count: int = DEFAULT_WEAKEST
    ) -> tuple[Scoreboard, list[SubIndexScore]]:
        board = await self._scores.scoreboard()
        return board, weakest(board, count)

    async def gap(self, target: int | None) -> GapPlan:
        board = await self._scores.scoreboard()
        goal = (
            Decimal(target)
            if target
            else board.framework.target_total or board.framework.total_max
        )
        return gap_plan(board, goal)

    async def what_if(self, changes: tuple[tuple[str, str], ...]) -> WhatIf:
        """The total if these values were stored now (checked like real updates), never stored."""
        framework, _ = await self.reference()
        values = await self._scores.measurements()
        applied, extra = [], []
        period = self._calendar.current_period()
        for code, raw in changes:
            sub = framework.sub_index(code)
            if sub is None:
                raise Refusal("problem.update.unknown_code", code=code, near=[])
            value = read_value(sub, raw)
            applied.append((sub, value))
            extra.append(Measurement(code, period, value=value))
        before = await self._scores.board(values)
        return WhatIf(before, what_if(framework, values, extra), tuple(applied))

    async def reference(self) -> tuple[Framework, Directory]:
        return await self._scores.reference()

    async def holdings(self, text: str) -> Holdings | None:
        """What the agency named in `text` leads and coordinates (groups expanded)."""
        framework, directory = await self.reference()
        agency = find_agency_in(directory, text)
        if agency is None:
            return None
        held = held_by(directory, framework.sub_indices, agency)
        return Holdings(
            agency,
            tuple(s for s, role in held if role is Role.LEAD),
            tuple(s for s, role in held if role is Role.COORDINATE),
        )

    async def not_reported(self) -> NotReported:
        """Agencies that still owe values for the quarter being reported."""
        framework, directory = await self.reference()
        period = self._calendar.current_period()
        deadlines = [
            d
            for d in await self._deadlines.deadlines()
            if d.period == period and d.audience == HOLDERS
        ]
        deadline = min(deadlines, key=lambda d: d.due)
        async with reading(self._sessions) as session:
            reported = await current.reported_codes(session, framework.code, period)
        return NotReported(deadline, owed_by_agency(framework, directory, deadline, reported))

    async def trend(self, question: str) -> Trend:
        """A pillar, sub-index or the total now, at the end of the previous quarter, and at the
        end of the previous year."""
        framework, _ = await self.reference()
        values = await self._scores.measurements()
        period = parse_period(self._calendar.current_period())
        previous_quarter = _quarter_before(period.code)
        previous_year = str(period.year - 1)
        return Trend(
            resolve(framework, question),
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


def find_agency_in(directory: Directory, text: str) -> str | None:
    """The agency a question names by its name, code or alias (longest match wins); an agency
    that ended (Sở TT&TT) resolves to its successor, which answers for it now."""
    folded = f" {fold(text)} "
    best: tuple[int, str] | None = None
    for agency in directory.agencies:
        for name in (agency.name, agency.code, *agency.aliases):
            key = fold(name)
            if key and f" {key} " in folded and (best is None or len(key) > best[0]):
                best = (len(key), agency.code)
    return directory.current(best[1]) if best else None


def _quarter_before(code: str) -> str:
    year, quarter = int(code[:4]), int(code[-1])
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
