"""What /healthz checks: the database answers, the reminder job ticks, updates arrive."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_SUBMITTED,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import JobQueue

from services.clock import Clock

DATABASE_SECONDS = 3.0  # a database that takes longer to answer SELECT 1 is reported
RUN_LIMIT = timedelta(minutes=30)  # a reminder run may take this long (a large fan-out)
Check = Callable[[], str]  # "" when fine, else the reason


class JobHeartbeat:
    """When the reminder job last started and finished, from the scheduler's own events."""

    def __init__(self, clock: Clock, tick_seconds: float) -> None:
        self.clock, self.tick_seconds = clock, tick_seconds
        self.since = clock()  # a job that has not run yet is fine for the first few ticks
        self.started: datetime | None = None
        self.finished: datetime | None = None
        self.running = False
        self._ids: set[str] = set()

    def attach(self, job_queue: JobQueue[Any], name: str) -> None:
        self._ids = {job.job.id for job in job_queue.get_jobs_by_name(name)}
        mask = EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES
        job_queue.scheduler.add_listener(self.observe, mask)

    def observe(self, event: Any) -> None:
        if getattr(event, "job_id", None) not in self._ids:
            return
        if event.code == EVENT_JOB_SUBMITTED:
            self.started, self.running = self.clock(), True
        elif event.code in (EVENT_JOB_EXECUTED, EVENT_JOB_ERROR):
            self.finished, self.running = self.clock(), False

    def problem(self) -> str:
        now = self.clock()
        if self.running and self.started is not None:
            if now - self.started > RUN_LIMIT:
                return f"reminder job: running for {_ago(now - self.started)}"
            return ""
        last = max(t for t in (self.since, self.started, self.finished) if t is not None)
        allowed = timedelta(seconds=3 * self.tick_seconds + 60)
        if now - last > allowed:
            every = f"every {self.tick_seconds:g} s"
            return f"reminder job: last ran {_ago(now - last)} ago, expected {every}"
        return ""


class Health:
    def __init__(self, engine: AsyncEngine, checks: list[Check] | None = None) -> None:
        self.engine = engine
        self.checks = [] if checks is None else checks

    async def problems(self) -> list[str]:
        """Empty when healthy; otherwise one line per problem, safe to show (no secrets)."""
        found = []
        try:
            async with asyncio.timeout(DATABASE_SECONDS):
                async with self.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except TimeoutError:
            found.append(f"database: no answer within {DATABASE_SECONDS:g} s")
        except Exception as exc:  # noqa: BLE001 - any failure is the answer
            found.append(f"database: {type(exc).__name__}")
        found += [p for check in self.checks if (p := check())]
        return found


def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min"
