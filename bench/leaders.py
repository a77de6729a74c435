"""Time of a summary, a chart and an export for 50 sub-indices over 20 periods.

Run: .venv/bin/python bench/leaders.py"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.runtime import open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.insight_views import summary_text  # noqa: E402
from handlers.reports import export_labels, export_row  # noqa: E402
from handlers.views import period_label  # noqa: E402
from parsing.intents import TOTAL  # noqa: E402
from reports.charts import Point, history_png, pillars_png  # noqa: E402
from reports.export import PillarRow, Summary, csv_bytes, workbook_bytes  # noqa: E402
from storage import repo  # noqa: E402
from storage.db import make_engine, make_sessions  # noqa: E402
from storage.models import SubmissionRow  # noqa: E402

PERIODS = [f"{year}-Q{q}" for year in range(2021, 2026) for q in (1, 2, 3, 4)]  # 20 quarters
ROUNDS = 10


def clock() -> datetime:
    return datetime(2025, 11, 30, 2, 0, tzinfo=UTC)


async def fill(url: str) -> None:
    """An approved value for every sub-index in each of the 20 quarters (1,000 values)."""
    engine = make_engine(url)
    sessions = make_sessions(engine)
    async with sessions() as session, session.begin():
        framework = await repo.load_framework(session, "dti-province-2025")
        assert framework is not None
        ids = await repo.indicator_ids(session, framework.code)
        for n, period in enumerate(PERIODS):
            period_id = await repo.period_id(session, period)
            for sub in framework.sub_indices:
                points = (sub.max_points * (n + 1) / len(PERIODS)).quantize(Decimal("0.01"))
                row = SubmissionRow(
                    indicator_id=ids[sub.code],
                    period_id=period_id,
                    points=points,
                    status="approved",
                    source="bench",
                    created_at=clock(),
                )
                session.add(row)
    await engine.dispose()


def timed(samples: list[float], start: float) -> None:
    samples.append((time.perf_counter() - start) * 1000)


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{tmp}/b.sqlite3",
            reminder_tick_seconds=0,
        )  # type: ignore[call-arg]
        async with open_services(settings, clock) as svc:
            await fill(settings.database_url)
            t = svc.texts.for_language("vi")
            _, directory = await svc.reports.reference()
            summary_ms, pillars_ms, history_ms, export_ms = [], [], [], []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                board = await svc.scores.scoreboard()
                trend = await svc.insights.trend(TOTAL)
                summary_text(t, board, trend, await svc.insights.not_reported(), directory)
                timed(summary_ms, start)

                start = time.perf_counter()
                board, bars = await svc.reports.pillar_bars()
                await asyncio.to_thread(
                    pillars_png,
                    bars,
                    title="8 chỉ số chính",
                    target_share=Decimal("0.8"),
                    target_label="Mục tiêu",
                    points_label="Điểm",
                )
                timed(pillars_ms, start)

                start = time.perf_counter()
                _, series = await svc.reports.history(None)
                points = [Point(period_label(t, p), v) for p, v in series]
                await asyncio.to_thread(
                    history_png,
                    points,
                    title="Tổng điểm",
                    maximum=Decimal(1000),
                    target=Decimal(800),
                    target_label="Mục tiêu",
                    value_label="Điểm",
                )
                timed(history_ms, start)

                start = time.perf_counter()
                board, lines = await svc.reports.export_lines()
                rows = [export_row(t, line, directory, True) for line in lines]
                pillars = tuple(
                    PillarRow(
                        p.pillar.code, p.pillar.name, p.points, p.pillar.max_points, p.missing
                    )
                    for p in board.pillars
                )
                summary = Summary(
                    "DTI", clock(), board.total, Decimal(1000), board.dti, Decimal(800), pillars
                )
                await asyncio.to_thread(
                    workbook_bytes, summary, rows, export_labels(t), svc.calendar.zone
                )
                await asyncio.to_thread(csv_bytes, rows, export_labels(t), svc.calendar.zone)
                timed(export_ms, start)
    print(f"50 sub-indices × {len(PERIODS)} periods (1,000 values), {ROUNDS} rounds, medians:")
    base = statistics.median(summary_ms)
    for name, samples in (
        ("summary (/tomtat)", summary_ms),
        ("pillars chart", pillars_ms),
        ("history chart (20 periods)", history_ms),
        ("export (xlsx + csv)", export_ms),
    ):
        median = statistics.median(samples)
        print(f"{name:<28} {median:8.1f} ms   ×{median / base:5.1f} of the summary")


if __name__ == "__main__":
    asyncio.run(main())
