"""The services the handlers use, built once at start-up and kept in the bot's bot_data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from locales import Translator
from services.agencies import AgencyService
from services.broadcasts import BroadcastService
from services.clock import Calendar, Clock
from services.deadlines import DeadlineService, Policy
from services.deliveries import DeliveryService
from services.digests import DigestService
from services.evidence import EvidenceService
from services.framework_import import FrameworkImportService
from services.identity import IdentityService
from services.insights import InsightService
from services.mywork import MyWorkService
from services.pauses import PauseService
from services.reports import ReportService
from services.review import ReviewService
from services.scores import ScoreService
from services.updates import UpdateService
from storage.archive import Archive


@dataclass(frozen=True, slots=True)
class Services:
    scores: ScoreService
    identity: IdentityService
    updates: UpdateService
    review: ReviewService
    evidence: EvidenceService
    mywork: MyWorkService
    deadlines: DeadlineService
    deliveries: DeliveryService
    digests: DigestService
    pauses: PauseService
    insights: InsightService
    reports: ReportService
    agencies: AgencyService
    imports: FrameworkImportService
    broadcasts: BroadcastService
    texts: Translator
    calendar: Calendar


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
    updates = UpdateService(sessions, scores, calendar)
    deadlines = DeadlineService(sessions, calendar, reminder_policy)
    return Services(
        scores=scores,
        identity=IdentityService(sessions, calendar, admin_ids),
        updates=updates,
        review=ReviewService(sessions, scores, calendar),
        evidence=EvidenceService(
            sessions, scores, calendar, max_evidence_bytes, Archive(evidence_dir)
        ),
        mywork=MyWorkService(sessions, scores, calendar, deadlines),
        deadlines=deadlines,
        deliveries=DeliveryService(sessions, scores, calendar, deadlines),
        digests=DigestService(sessions, calendar, reminder_policy),
        pauses=PauseService(sessions, calendar),
        insights=InsightService(sessions, scores, calendar, deadlines),
        reports=ReportService(sessions, scores),
        agencies=AgencyService(sessions, scores, calendar),
        imports=FrameworkImportService(sessions, scores, calendar),
        broadcasts=BroadcastService(sessions, scores, calendar, admin_ids),
        texts=Translator(language),
        calendar=calendar,
    )
