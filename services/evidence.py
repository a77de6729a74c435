"""Evidence files (minh chứng): recorded against a sub-index and period, the bytes kept twice:
by Telegram under a file id (which only this bot token can use, and which may expire) and in the
evidence archive under their SHA-256 (storage.archive), which outlives both."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.clock import Calendar
from services.holders import updatable
from services.identity import Person
from services.refusal import Refusal
from services.scores import ScoreService
from storage import repo
from storage import values as values_repo
from storage.archive import Archive

log = logging.getLogger(__name__)
# Fetches a file's bytes from Telegram; None when it could not (the file is recorded anyway).
Fetch = Callable[[], Awaitable[bytes | None]]

# File types a report's evidence comes in: documents, spreadsheets, scans and photos, archives.
ALLOWED_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/zip",
    "image/jpeg",
    "image/png",
)


@dataclass(frozen=True, slots=True)
class FileInfo:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    kind: str  # "document" | "photo"
    size: int


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A stored evidence file: Telegram keeps the bytes under `file_id`, the archive under
    `sha256` (None: not archived)."""

    id: int
    period: str
    file_id: str
    file_name: str
    kind: str  # "document" | "photo"
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Attached:
    evidence_id: int
    code: str
    period: str
    count: int
    sha256: str | None  # None: not archived (the download failed)


class EvidenceService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        scores: ScoreService,
        calendar: Calendar,
        max_bytes: int,
        archive: Archive,
    ) -> None:
        self._sessions = sessions
        self._scores = scores
        self._calendar = calendar
        self.max_bytes = max_bytes
        self.archive = archive

    async def attach(
        self,
        person: Person,
        code: str,
        period: str | None,
        info: FileInfo,
        chat_id: int | None,
        fetch: Fetch | None = None,
    ) -> Attached:
        """Record a file as evidence for a sub-index the person may update, its bytes (from
        `fetch`) archived first: a row never names a copy that is not on disk."""
        self._check_size(info.size)
        if info.kind != "photo" and info.mime_type not in ALLOWED_TYPES:
            raise Refusal("problem.evidence.bad_type", type=info.mime_type or info.file_name)
        framework, directory = await self._scores.reference()
        sub = updatable(person, framework, directory, code)
        period = period or self._calendar.current_period()
        sha, size = await self._archive(info, fetch)
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            ids = await repo.indicator_ids(session, framework.code)
            period_id = await repo.period_id(session, period)
            row = await values_repo.add_evidence(
                session,
                indicator_id=ids[sub.code],
                period_id=period_id,
                submission_id=await values_repo.newest_submission_id(
                    session, ids[sub.code], period_id
                ),
                file_id=info.file_id,
                file_unique_id=info.file_unique_id,
                file_name=info.file_name,
                mime_type=info.mime_type,
                kind=info.kind,
                size=size,
                user_id=person.user_id,
                chat_id=chat_id,
                at=now,
                sha256=sha,
            )
            repo.audit(
                session,
                now,
                person.actor,
                "attach",
                "evidence",
                str(row.id),
                indicator=sub.code,
                period=period,
                file=info.file_name,
                sha256=sha,
            )
            count = len(await values_repo.evidence_for(session, ids[sub.code], period_id))
        return Attached(row.id, sub.code, period, count, sha)

    def _check_size(self, size: int) -> None:
        if size > self.max_bytes:
            mb = Decimal(1024 * 1024)
            raise Refusal("problem.evidence.too_large", size=size / mb, max=self.max_bytes / mb)

    async def _archive(self, info: FileInfo, fetch: Fetch | None) -> tuple[str | None, int]:
        """(SHA-256, size) of the file once archived; (None, the size Telegram gave) when it
        could not be fetched or written, so that the file is still recorded."""
        data = await fetch() if fetch is not None else None
        if data is None:
            return None, info.size
        self._check_size(len(data))  # Telegram may leave file_size out
        try:
            sha, new = await asyncio.to_thread(self.archive.put, data)
        except OSError as exc:
            log.error("evidence archive %s: cannot write (%s)", self.archive.root, exc)
            return None, len(data)
        if not new:
            log.info("evidence archived already: %s", sha[:12])
        return sha, len(data)

    async def archived(self, evidence: EvidenceFile) -> bytes | None:
        """The archived copy of an evidence file; None when there is none (or it is damaged)."""
        if evidence.sha256 is None:
            return None
        return await asyncio.to_thread(self.archive.get, evidence.sha256)

    async def files(self, code: str) -> list[EvidenceFile]:
        """Every evidence file of a sub-index, oldest first."""
        framework, _ = await self._scores.reference()
        async with self._sessions() as session:
            ids = await repo.indicator_ids(session, framework.code)
            if code not in ids:
                return []
            rows = await values_repo.evidence_for(session, ids[code])
            return [
                EvidenceFile(
                    r.id,
                    await repo.period_code(session, r.period_id),
                    r.file_id,
                    r.file_name,
                    r.kind,
                    r.sha256,
                )
                for r in rows
            ]

    async def file(self, evidence_id: int) -> EvidenceFile | None:
        async with self._sessions() as session:
            row = await values_repo.evidence_file(session, evidence_id)
            if row is None:
                return None
            period = await repo.period_code(session, row.period_id)
            return EvidenceFile(row.id, period, row.file_id, row.file_name, row.kind, row.sha256)
