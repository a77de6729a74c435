"""Storage on SQLite and PostgreSQL: migrations, seeding once, round trips, append-only values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from domain.status import ReviewStatus
from scoring.model import Framework
from services.clock import Calendar
from services.scores import ScoreService
from services.seeding import seed
from storage import repo, values
from storage.db import make_engine, make_sessions
from storage.migrate import upgrade
from storage.models import AuditRow, FrameworkRow, IndicatorRow, SubmissionRow
from tests.conftest import DATA

NOW = datetime(2025, 10, 1, 1, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


async def _counts(sessions) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return {
            m.__tablename__: await s.scalar(select(func.count()).select_from(m))
            for m in (FrameworkRow, IndicatorRow, SubmissionRow, AuditRow)
        }


async def test_first_start_migrates_and_seeds_and_a_second_start_changes_nothing(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        sessions = make_sessions(engine)
        first = await seed(sessions, DATA, clock)
        assert first.frameworks_added == [
            "dti-ninh-thuan-2022",
            "dti-province-2025",
            "ninh-thuan-2314",
        ]
        assert first.assessments_added == [
            "khanh-hoa-2025-cooperation.yaml",
            "khanh-hoa-2025-reported.yaml",
            "khanh-hoa-dti-2024.yaml",
            "ninh-thuan-2023-h1.yaml",
            "ninh-thuan-dti-2022.yaml",
        ]
        assert any("6.8" in w for w in first.warnings)
        before = await _counts(sessions)
        # DTI 2025: 9 pillars + 50 sub-indices; QĐ 2314: the whole + 3 + 22; DTI 2022: the
        # whole + 3 pillars.
        assert before["indicators"] == 59 + 26 + 4
        # 2024 assessment, 2025 figures, Ninh Thuận's 2023 results and DTI 2022.
        assert before["submissions"] == 13 + 14 + 1 + 23 + 4

        await upgrade(engine)
        again = await seed(sessions, DATA, clock)
        assert not again.changed
        assert await _counts(sessions) == before
    finally:
        await engine.dispose()


async def test_the_framework_read_back_from_the_database_equals_the_file(
    database_url: str, framework: Framework
) -> None:
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        sessions = make_sessions(engine)
        await seed(sessions, DATA, clock)
        async with sessions() as s:
            stored = await repo.load_framework(s, "dti-province-2025")
        assert stored == framework
    finally:
        await engine.dispose()


async def test_the_current_score_is_the_2024_assessment_and_a_newer_value_supersedes_without_loss(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        sessions = make_sessions(engine)
        await seed(sessions, DATA, clock)
        scores = ScoreService(sessions, calendar=Calendar(clock, ZoneInfo("Asia/Ho_Chi_Minh")))
        board = await scores.scoreboard()
        assert board.total == D("269.19")
        assert board.sub_index("8.2").measurement.period == "2024"  # type: ignore[union-attr]

        async with sessions() as s, s.begin():
            ids = await repo.indicator_ids(s, "dti-province-2025")
            period = await repo.period_id(s, "2025-Q3")
            s.add(
                SubmissionRow(
                    indicator_id=ids["8.2"],
                    period_id=period,
                    value=D("12.5"),
                    unit="%",
                    status=ReviewStatus.APPROVED,
                    source="test",
                    created_at=NOW,
                )
            )
        board = await scores.scoreboard()
        assert board.sub_index("8.2").points == D("12.50")  # type: ignore[union-attr]
        assert board.sub_index("8.2").measurement.period == "2025-Q3"  # type: ignore[union-attr]
        assert board.total == D("269.19") - D("7.6") + D("12.5")
        async with sessions() as s:
            history = await values.measurements(s, "dti-province-2025", include_pending=False)
        # Oldest stored first: the 2025 count (not scored), the 2024 points, the new value.
        assert [m.period for m in history if m.code == "8.2"] == ["2025", "2024", "2025-Q3"]
    finally:
        await engine.dispose()


async def test_sqlite_runs_in_write_ahead_logging_mode(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
    finally:
        await engine.dispose()
