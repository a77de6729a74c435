"""The services the handlers use, built once at start-up and kept in the bot's bot_data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from locales import Translator
from services.clock import Clock
from services.evidence import EvidenceService
from services.identity import IdentityService
from services.insights import InsightService
from services.mywork import MyWorkService
from services.reminders import Policy, ReminderService
from services.reports import ReportService
from services.review import ReviewService
from services.scores import ScoreService
from services.updates import UpdateService


@dataclass(frozen=True, slots=True)
class Services:
    scores: ScoreService
    identity: IdentityService
    updates: UpdateService
    review: ReviewService
    evidence: EvidenceService
    mywork: MyWorkService
    reminders: ReminderService
    insights: InsightService
    reports: ReportService
    texts: Translator
    clock: Clock


def build_services(
    sessions: async_sessionmaker[AsyncSession],
    *,
    clock: Clock,
    admin_ids: frozenset[int],
    timezone: str,
    language: str,
    framework: str | None,
    max_evidence_bytes: int,
    reminder_policy: Policy,
) -> Services:
    scores = ScoreService(sessions, framework, clock)
    updates = UpdateService(sessions, scores, clock, timezone)
    reminders = ReminderService(sessions, scores, clock, updates.zone, reminder_policy)
    return Services(
        scores=scores,
        identity=IdentityService(sessions, clock, admin_ids),
        updates=updates,
        review=ReviewService(sessions, scores, clock),
        evidence=EvidenceService(sessions, scores, updates, clock, max_evidence_bytes),
        mywork=MyWorkService(sessions, scores, updates, reminders),
        reminders=reminders,
        insights=InsightService(sessions, scores, updates, reminders),
        reports=ReportService(sessions, scores, clock),
        texts=Translator(language),
        clock=clock,
    )
