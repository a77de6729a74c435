"""Time to route and answer a score query inside the process, and the bot's resident memory
after start.

Run: .venv/bin/python bench/score_query.py
Aims (issue 2): under 2 ms per query, under 150 MB resident."""

from __future__ import annotations

import asyncio
import io
import logging
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_application  # noqa: E402
from bot.console import CONSOLE_TOKEN, ConsoleRequest  # noqa: E402
from bot.runtime import open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.views import answer_view  # noqa: E402
from locales import Translator  # noqa: E402
from parsing.intents import TOTAL, Score  # noqa: E402
from parsing.lexicon import build_lexicon  # noqa: E402
from parsing.router import route  # noqa: E402
from scoring.engine import newest, score  # noqa: E402
from scoring.loading import parse_assessment, parse_directory, parse_framework  # noqa: E402
from scoring.periods import rank  # noqa: E402
from services.scores import ScoreAnswer  # noqa: E402

QUESTIONS = [
    "điểm Hạ tầng số hiện tại",
    "diem ha tang so",
    "tổng điểm DTI",
    "chỉ số 6.4 được bao nhiêu điểm",
    "digital infrastructure score",
    "thời tiết Nha Trang",
]
AIM_MS, AIM_MB = 2.0, 150.0
TODAY = date(2025, 11, 30)


def pure_path(rounds: int) -> list[float]:
    """Parse + score + format, with the framework and values already in memory."""
    data = ROOT / "data"
    directory = parse_directory((data / "agencies/khanh-hoa.yaml").read_text("utf-8"), "a")
    framework = parse_framework(
        (data / "frameworks/dti-province-2025.yaml").read_text("utf-8"), "f", directory
    )
    assessment = parse_assessment(
        (data / "assessments/khanh-hoa-dti-2024.yaml").read_text("utf-8"),
        "s",
        {framework.code: framework},
    )
    values = list(assessment.measurements)
    t = Translator().for_language("vi")
    lexicon = build_lexicon([framework], directory, "Khánh Hòa")
    timings = []
    for _ in range(rounds):
        for q in QUESTIONS:
            start = time.perf_counter()
            board = score(framework, newest(values, rank([m.period for m in values])))
            intent = route(q, lexicon, TODAY)
            subject = intent.subject if isinstance(intent, Score) else TOTAL
            answer_view(t, board, directory, subject)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


async def service_path(rounds: int) -> tuple[list[float], float]:
    """The same through the service, reading current values from SQLite; and RSS after start."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp}/b.sqlite3", bot_token=None
        )  # type: ignore[call-arg]
        async with open_services(settings) as services:
            app = build_application(
                settings,
                services,
                token=CONSOLE_TOKEN,
                request=ConsoleRequest(io.StringIO(), lambda: 0),
                rate_limited=False,
            )
            async with app:
                rss = psutil.Process().memory_info().rss / 2**20
                t = services.texts.for_language("vi")
                timings = []
                for _ in range(rounds):
                    for q in QUESTIONS:
                        start = time.perf_counter()
                        lexicon = await services.scores.lexicon()
                        intent = route(q, lexicon, services.calendar.today())
                        if not isinstance(intent, Score):
                            continue
                        result = await services.scores.answer(intent)
                        assert isinstance(result, ScoreAnswer)
                        answer_view(t, result.board, result.directory, result.subject)
                        timings.append((time.perf_counter() - start) * 1000)
    return timings, rss


def report(name: str, timings: list[float]) -> None:
    median = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[18]
    print(
        f"{name:<34} median {median:7.3f} ms  p95 {p95:7.3f} ms  median/aim {median / AIM_MS:5.2f}"
    )


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # the seed's 6.8 warning is not a benchmark figure
    pure_path(5)  # warm-up: imports, regex compilation, Babel locale data
    report("parse + score + format (memory)", pure_path(200))
    timings, rss = asyncio.run(service_path(50))
    report("same through service + SQLite", timings)
    print(f"{'resident memory after start':<34} {rss:7.1f} MB  rss/aim {rss / AIM_MB:5.2f}")


if __name__ == "__main__":
    main()
