"""Charts and exports: the data behind them, from the current values and their history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.status import ReviewStatus
from reports.charts import Bar, ChartCache
from scoring.engine import Scoreboard
from scoring.insights import board_at, periods_of
from scoring.model import Directory, Framework, Provenance, SubIndex
from services.scores import ScoreService
from storage import values as values_repo


@dataclass(frozen=True, slots=True)
class ExportLine:
    """One sub-index as the export shows it (labels are the handler's business)."""

    code: str
    name: str
    maximum: Decimal
    rule: str
    threshold: Decimal | None
    value: Decimal | None
    unit: str
    period: str
    points: Decimal | None
    # The kind of the counted points (official, reported, estimated); PENDING when a newer
    # value waits for review; None: no value yet.
    status: Provenance | ReviewStatus | None
    lead: tuple[str, ...]
    coordinate: tuple[str, ...]
    last_by: str
    last_at: datetime | None
    evidence: int
    sub: SubIndex | None = None


class ReportService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], scores: ScoreService) -> None:
        self._sessions = sessions
        self._scores = scores
        self.charts = ChartCache()

    async def reference(self) -> tuple[Framework, Directory]:
        return await self._scores.reference()

    async def pillar_bars(self) -> tuple[Scoreboard, tuple[Bar, ...]]:
        board = await self._scores.scoreboard()
        bars = tuple(
            Bar(f"{p.pillar.code}. {p.pillar.name}", p.points, p.pillar.max_points)
            for p in board.pillars
            if p.pillar.max_points
        )
        return board, bars

    async def history(
        self, code: str | None, *, pillar: str | None = None
    ) -> tuple[str, list[tuple[str, Decimal]]]:
        """(period, points) at the end of every period that has values: of the total, of one
        sub-index or of one `pillar` (the periods of their own values only)."""
        framework, _ = await self.reference()
        values = await self._scores.measurements()
        found = framework.pillar(pillar) if pillar is not None else None
        if found is not None:
            codes = {s.code for s in found.sub_indices}
            wanted = [m for m in values if m.code in codes]
        else:
            wanted = values if code is None else [m for m in values if m.code == code]
        series = []
        for period in periods_of(wanted):
            board = board_at(framework, values, period)
            if found is not None:
                part = board.pillar(found.code)
                series.append((period, part.points if part else Decimal(0)))
            elif code is None:
                series.append((period, board.total))
            else:
                sub = board.sub_index(code)
                series.append((period, (sub.points if sub else None) or Decimal(0)))
        return (code or pillar or "total"), series

    async def export_lines(self) -> tuple[Scoreboard, list[ExportLine]]:
        """Every sub-index with its current value, points, status, holders, last update and
        evidence count: approved values count; a newer value not yet reviewed shows as pending."""
        framework, _ = await self.reference()
        official = await self._scores.scoreboard()
        async with self._sessions() as session:
            stored = await values_repo.submissions(session, framework.code)
            evidence = await values_repo.evidence_counts(session)
        last = {s.code: s for s in stored if s.status is not ReviewStatus.REJECTED}
        lines = []
        for p in official.pillars:
            for s in p.sub_scores:
                sub, m, newest = s.sub_index, s.measurement, last.get(s.sub_index.code)
                pending = newest is not None and newest.status is ReviewStatus.PENDING
                lines.append(
                    ExportLine(
                        code=sub.code,
                        name=sub.name,
                        maximum=sub.max_points,
                        rule=sub.rule.kind.value,
                        threshold=sub.rule.threshold,
                        value=m.value if m else None,
                        unit=sub.unit,
                        period=m.period if m else "",
                        points=s.points,
                        status=ReviewStatus.PENDING if pending else s.kind,
                        lead=sub.lead,
                        coordinate=sub.coordinate,
                        last_by=(newest.user_name or newest.source) if newest else "",
                        last_at=newest.created_at if newest else None,
                        evidence=evidence.get(sub.code, 0),
                        sub=sub,
                    )
                )
        return official, lines
