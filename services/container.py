"""The services the handlers use, built once at start-up and kept in the bot's bot_data.

The ones every answer may need are built at start; the rarely used ones (insights, reports,
digests, agencies, framework imports, broadcasts, evidence, review) at their first use, with
their modules: a start, until its first getUpdates, imports none of them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from locales import Translator
from services.clock import Calendar, Clock
from services.deadlines import DeadlineService, Policy
from services.deliveries import DeliveryService
from services.identity import IdentityService
from services.mywork import MyWorkService
from services.pauses import PauseService
from services.scores import ScoreService
from services.updates import UpdateService

if TYPE_CHECKING:
    from services.agencies import AgencyService
    from services.broadcasts import BroadcastService
    from services.digests import DigestService
    from services.evidence import EvidenceService
    from services.framework_import import FrameworkImportService
    from services.insights import InsightService
    from services.reports import ReportService
    from services.review import ReviewService


@dataclass(frozen=True)
class Services:
    scores: ScoreService
    identity: IdentityService
    updates: UpdateService
    mywork: MyWorkService
    deadlines: DeadlineService
    deliveries: DeliveryService
    pauses: PauseService
    texts: Translator
    calendar: Calendar
    # What the services built at first use are made from.
    sessions: async_sessionmaker[AsyncSession]
    admin_ids: frozenset[int]
    reminder_policy: Policy
    max_evidence_bytes: int
    evidence_dir: Path

    @cached_property
    def review(self) -> ReviewService:
        from services.review import ReviewService

        return ReviewService(self.sessions, self.scores, self.calendar)

    @cached_property
    def evidence(self) -> EvidenceService:
        from services.evidence import EvidenceService
        from storage.archive import Archive

        return EvidenceService(
            self.sessions,
            self.scores,
            self.calendar,
            self.max_evidence_bytes,
            Archive(self.evidence_dir),
        )

    @cached_property
    def digests(self) -> DigestService:
        from services.digests import DigestService

        return DigestService(self.sessions, self.calendar, self.reminder_policy)

    @cached_property
    def insights(self) -> InsightService:
        from services.insights import InsightService

        return InsightService(self.sessions, self.scores, self.calendar, self.deadlines)

    @cached_property
    def reports(self) -> ReportService:
        from services.reports import ReportService

        return ReportService(self.sessions, self.scores)

    @cached_property
    def agencies(self) -> AgencyService:
        from services.agencies import AgencyService

        return AgencyService(self.sessions, self.scores, self.calendar)

    @cached_property
    def imports(self) -> FrameworkImportService:
        from services.framework_import import FrameworkImportService

        return FrameworkImportService(self.sessions, self.scores, self.calendar)

    @cached_property
    def broadcasts(self) -> BroadcastService:
        from services.broadcasts import BroadcastService

        return BroadcastService(self.sessions, self.scores, self.calendar, self.admin_ids)


def build_services(
    sessions: async_sessionmaker[AsyncSession],
    *,
    clock: Clock,
    admin_ids: frozenset[int],
    timezone: str,
    language: str,
    framework: str | None,
    province: str,
    max_evidence_bytes: int,
    evidence_dir: Path,
    reminder_policy: Policy,
    cache_dir: Path | None = None,
) -> Services:
    calendar = Calendar(clock, ZoneInfo(timezone))
    scores = ScoreService(
        sessions, framework, calendar=calendar, province=province, cache_dir=cache_dir
    )
    deadlines = DeadlineService(sessions, calendar, reminder_policy)
    return Services(
        scores=scores,
        identity=IdentityService(sessions, calendar, admin_ids),
        updates=UpdateService(sessions, scores, calendar),
        mywork=MyWorkService(sessions, scores, calendar, deadlines),
        deadlines=deadlines,
        deliveries=DeliveryService(sessions, scores, calendar, deadlines),
        pauses=PauseService(sessions, calendar),
        texts=Translator(language),
        calendar=calendar,
        sessions=sessions,
        admin_ids=admin_ids,
        reminder_policy=reminder_policy,
        max_evidence_bytes=max_evidence_bytes,
        evidence_dir=evidence_dir,
    )
