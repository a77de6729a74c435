"""First start: load the bundled agencies, frameworks and official assessments into the database.

Idempotent: what is already there (by code, or by source for assessments) is left alone. The
files are parsed once: a start that finds the same files (and schema) as the last seed of its
database, by their digest, has nothing to load and reads no more than the digest."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reminders.holidays import WorkCalendar, parse_work_calendar
from scoring import yaml_reader
from scoring.engine import Measurement
from scoring.loading import FileError, parse_assessment, parse_directory, parse_framework
from scoring.model import Framework
from services.clock import Clock
from storage import journal, repo
from storage import values as values_repo
from storage.migrate import head_revisions
from storage.models import RankingRow, SubmissionRow

log = logging.getLogger(__name__)
ACTOR = "system:seed"
SEEDED = "seeded_files"  # the bot_state key of the digest of the files last seeded
FOLDERS = ("agencies", "frameworks", "assessments")


@dataclass
class SeedReport:
    agencies_added: list[str] = field(default_factory=list)
    frameworks_added: list[str] = field(default_factory=list)
    assessments_added: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.agencies_added or self.frameworks_added or self.assessments_added)


async def seed(
    sessions: async_sessionmaker[AsyncSession], data_dir: Path, clock: Clock
) -> SeedReport:
    """Load everything under data_dir that the database does not hold yet, in one transaction."""
    report = SeedReport()
    now = clock()
    files = await asyncio.to_thread(_read_files, data_dir)
    fingerprint = _fingerprint(files)
    async with sessions() as session, session.begin():
        if await journal.state(session, SEEDED) == fingerprint:
            return report
        for name, text in files["agencies"]:
            # A successor may live in a file read before (a former province's agencies pass to
            # the merged province's).
            directory = parse_directory(text, name, await repo.load_directory(session))
            added = await repo.add_directory(session, directory)
            for code in added:
                repo.audit(session, now, ACTOR, "create", "agency", code, file=name)
            report.agencies_added += added
        directory = await repo.load_directory(session)
        known = {code for code, _kind, _year in await repo.framework_codes(session)}
        frameworks: dict[str, Framework] = {}
        for name, text in files["frameworks"]:
            framework = parse_framework(text, name, directory)
            frameworks[framework.code] = framework
            if framework.code not in known:
                await repo.add_framework(session, framework, now)
                repo.audit(session, now, ACTOR, "import", "framework", framework.code, file=name)
                report.frameworks_added.append(framework.code)
        for name, text in files["assessments"]:
            await _seed_assessment(session, name, text, frameworks, report, now)
        await journal.put_state(session, SEEDED, fingerprint, now)
    for warning in report.warnings:
        log.warning("%s", warning)
    return report


async def _seed_assessment(
    session: AsyncSession,
    name: str,
    text: str,
    frameworks: dict[str, Framework],
    report: SeedReport,
    now: datetime,
) -> None:
    assessment = parse_assessment(text, name, frameworks)
    if await repo.has_submission_from(session, assessment.framework, assessment.source):
        return
    report.warnings += assessment.warnings
    framework = frameworks[assessment.framework]
    ids = await repo.indicator_ids(session, framework.code)
    period = await repo.period_id(session, assessment.period)
    rows: list[tuple[SubmissionRow, Measurement]] = []
    for m in assessment.measurements:
        row = SubmissionRow(
            indicator_id=ids[m.code],
            period_id=period,
            value=m.value,
            points=m.points,
            source_max=m.source_max,
            unit=m.unit if m.value is not None else ("điểm" if m.points is not None else ""),
            status=assessment.status,
            source=m.source,
            note=m.note,
            created_at=now,
            provenance=m.provenance.value,
            part=m.part,
            text=m.text,
            verdict=m.verdict,
            rank=m.rank,
            rank_of=m.rank_of,
        )
        session.add(row)
        rows.append((row, m))
    # One INSERT for the file's rows (in order: the same ids), then each one's audit entry.
    await session.flush()
    for row, m in rows:
        repo.audit(
            session, now, ACTOR, "submit", row.__tablename__, str(row.id),
            indicator=m.code, period=m.period, file=name,
        )  # fmt: skip
    for note in assessment.notes:
        await values_repo.add_source_note(
            session, ids[note.code], period, note.text, note.source, now
        )
    if assessment.ranking is not None:
        r = assessment.ranking
        session.add(
            RankingRow(year=r.year, rank=r.rank, of_total=r.of_total, dti=r.dti, source=r.source)
        )
    report.assessments_added.append(name)


def _read_files(data_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """The YAML files of each data folder, in name order."""
    return {
        folder: [(p.name, _read_text(p)) for p in sorted((data_dir / folder).glob("*.yaml"))]
        for folder in FOLDERS
    }


def home_province(data_dir: Path) -> str:
    """The deployment's own province: the `province:` of the first agencies file naming one
    (the province whose figures the DTI frameworks hold; questions about others get no figure)."""
    for path in sorted((data_dir / "agencies").glob("*.yaml")):
        name, text = path.name, _read_text(path)
        try:
            found = yaml_reader.safe_load(text)
        except yaml.YAMLError as exc:
            raise FileError(name, None, str(exc)) from None
        if isinstance(found, dict) and found.get("province"):
            return str(found["province"])
    return ""


def _fingerprint(files: dict[str, list[tuple[str, str]]]) -> str:
    """A digest of the files' names and texts and of the schema they were loaded into: a new
    migration may hold what an earlier seed could not store, so it seeds again."""
    digest = hashlib.sha256(" ".join(sorted(head_revisions())).encode())
    for folder in FOLDERS:
        for name, text in files[folder]:
            for part in (folder, name, text):
                digest.update(len(part.encode()).to_bytes(8, "big") + part.encode())
    return digest.hexdigest()


def work_calendar(data_dir: Path) -> WorkCalendar:
    """Weekends and public holidays from data/calendar/holidays.yaml (Vietnam's when absent).
    A broken file is refused with its name (a one-line start-up error, like the other data
    files)."""
    path = data_dir / "calendar" / "holidays.yaml"
    if not path.exists():
        return WorkCalendar()
    try:
        return parse_work_calendar(_read_text(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FileError(path.name, mark.line + 1 if mark else None, str(exc)) from None
    except (KeyError, TypeError, ValueError, NotImplementedError) as exc:
        # A missing date or name, an unknown weekday, a malformed date, an unknown country.
        raise FileError(
            path.name, None, f"lịch ngày nghỉ không đọc được ({type(exc).__name__}: {exc})"
        ) from None


def _read_text(path: Path) -> str:
    """A data file's text; a file that is not UTF-8 text is refused with its name and line."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileError(
            path.name,
            line,
            f"không phải văn bản UTF-8 (byte {exc.start + 1}); lưu lại tệp dạng UTF-8",
        ) from None
