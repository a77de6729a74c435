"""A focal point's indicators: what their agencies hold and where each stands this period."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.status import ReviewStatus
from reminders.calendar import Deadline
from scoring.model import Directory, Role, SubIndex
from services.clock import Calendar
from services.deadlines import DeadlineService
from services.identity import Person
from services.scores import ScoreService
from storage import values as values_repo


@dataclass(frozen=True, slots=True)
class WorkItem:
    sub: SubIndex
    role: Role
    status: ReviewStatus | None  # None: no value for the period yet
    comment: str


@dataclass(frozen=True, slots=True)
class AgencyWork:
    agency: str
    items: tuple[WorkItem, ...]


@dataclass(frozen=True, slots=True)
class MyWork:
    period: str
    deadline: Deadline | None  # None when administrators cancelled every one ahead
    days_left: int
    agencies: tuple[AgencyWork, ...]


def held_by(
    directory: Directory, subs: tuple[SubIndex, ...], agency: str
) -> list[tuple[SubIndex, Role]]:
    """The sub-indices an agency leads or coordinates (through a group or by name)."""
    held = []
    for sub in subs:
        if any(agency in directory.expand(c) for c in sub.lead):
            held.append((sub, Role.LEAD))
        elif any(agency in directory.expand(c) for c in sub.coordinate):
            held.append((sub, Role.COORDINATE))
    return held


def group_holds(
    directory: Directory, subs: tuple[SubIndex, ...], group: str
) -> list[tuple[SubIndex, Role]]:
    """The sub-indices whose lead or coordinating agencies name a group: itself, or a group
    made of it and others ("Sở, ban, ngành, địa phương" names "các sở, ban, ngành")."""
    members = set(directory.expand(group))

    def named(codes: tuple[str, ...]) -> bool:
        return any(
            c == group or (directory.group(c) is not None and members <= set(directory.expand(c)))
            for c in codes
        )

    held = []
    for sub in subs:
        if named(sub.lead):
            held.append((sub, Role.LEAD))
        elif named(sub.coordinate):
            held.append((sub, Role.COORDINATE))
    return held


class MyWorkService:
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

    async def for_person(self, person: Person) -> MyWork:
        framework, directory = await self._scores.reference()
        period = self._calendar.current_period()
        today = self._calendar.today()
        async with self._sessions() as session:
            stored = await values_repo.submissions(session, framework.code)
        # The newest submission of each sub-index for this period decides its status.
        latest = {s.code: s for s in stored if s.period == period}
        agencies = []
        for agency in person.agencies:
            items = []
            for sub, role in held_by(directory, framework.sub_indices, agency):
                found = latest.get(sub.code)
                status = found.status if found else None
                items.append(WorkItem(sub, role, status, found.comment if found else ""))
            agencies.append(AgencyWork(agency, tuple(items)))
        # The calendar as administrators left it: a moved quarterly deadline shows its new date.
        ahead = [
            d
            for d in await self._deadlines.deadlines()
            if d.kind == "quarterly" and d.due >= today
        ]
        deadline = min(ahead, key=lambda d: d.due, default=None)
        return MyWork(
            period, deadline, deadline.days_left(today) if deadline else 0, tuple(agencies)
        )
