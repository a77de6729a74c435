"""The reminder job: every minute, send each due reminder once, within Telegram's limits.

429s are absorbed by the Application's rate limiter (AIORateLimiter); a 5xx or a time-out is
retried here with back-off a bounded number of times, then recorded as failed and reported to
the administrators. A 403 (the user blocked the bot) marks the user and is not retried."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from handlers.context import Context, services
from handlers.insight_views import summary_text
from handlers.reminder_views import deadline_label, reminder_buttons, reminder_text
from services.container import Services
from storage.deliveries import BLOCKED, FAILED, SENT

log = logging.getLogger(__name__)
ATTEMPTS = 4  # sends of one message before it is recorded as failed
BACKOFF = 2.0  # seconds before the second attempt; doubled each time
JOB_NAME = "reminders:tick"
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class Report:
    sent: int = 0
    blocked: int = 0
    failed: list[str] = field(default_factory=list)

    def count(self, status: str, failure: str) -> None:
        if status == SENT:
            self.sent += 1
        elif status == BLOCKED:
            self.blocked += 1
        else:
            self.failed.append(failure)


async def digest_text(svc: Services) -> str:
    """The subscribed summary: the same text as /tomtat."""
    t = svc.texts.for_language(svc.texts.default)
    _, directory = await svc.insights.reference()
    board = await svc.scores.scoreboard()
    trend = await svc.insights.trend("tổng điểm")
    return summary_text(t, board, trend, await svc.insights.not_reported(), directory)


async def tick(context: Context) -> None:
    """JobQueue callback."""
    await send_due(context.bot, services(context))


async def send_due(bot: Bot, svc: Services, sleep: Sleep = asyncio.sleep) -> Report:
    """Send every due, unclaimed reminder; returns what happened."""
    report = Report()
    t = svc.texts.for_language(svc.texts.default)
    framework, directory = await svc.scores.reference()
    for run in await svc.deadlines.due():
        for out in await svc.deliveries.outgoing(run):
            key = out.key(run)
            if not await svc.deliveries.claim(key, run.key, out.chat_id, out.kind):
                continue  # sent already, or being sent by another process
            mine = svc.texts.for_language(out.language or svc.texts.default)  # their language
            text = reminder_text(
                mine,
                run,
                out,
                framework,
                directory,
                svc.calendar.today(),
                svc.deadlines.policy.workdays,
            )
            markup = reminder_buttons(mine, out)
            status, attempts, error = await deliver(
                bot, out.chat_id, text, markup, sleep, thread_id=out.thread_id
            )
            await svc.deliveries.finish(key, out.chat_id, status, attempts, error)
            report.count(status, f"{deadline_label(t, run.deadline)} → {out.chat_id}: {error}")
    for due in await svc.digests.due_digests():
        chat_id, thread_id = due.destination.chat_id, due.destination.thread_id
        if not await svc.deliveries.claim(due.key, due.run_key, chat_id, "digest"):
            continue
        text = await digest_text(svc)
        status, attempts, error = await deliver(
            bot, chat_id, text, None, sleep, thread_id=thread_id
        )
        await svc.deliveries.finish(due.key, chat_id, status, attempts, error)
        report.count(status, f"{due.run_key} → {chat_id}: {error}")
    if report.failed:
        await _tell_admins(
            bot,
            svc,
            t(
                "reminder.failed_report",
                count=len(report.failed),
                details="\n".join(report.failed[:10]),
            ),
        )
    return report


async def deliver(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    sleep: Sleep,
    *,
    thread_id: int | None = None,
) -> tuple[str, int, str]:
    """Send one message (to a forum topic when `thread_id`): (status, attempts, last error)."""
    error = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            await bot.send_message(chat_id, text, reply_markup=markup, message_thread_id=thread_id)
            return SENT, attempt, ""
        except Forbidden as exc:
            return BLOCKED, attempt, str(exc)
        except BadRequest as exc:
            return FAILED, attempt, str(exc)  # the same request would fail again
        except RetryAfter as exc:  # the rate limiter gave up; wait as Telegram asks
            error = str(exc)
            await sleep(_seconds(exc.retry_after))
        except NetworkError as exc:  # 5xx, time-outs, connection errors
            error = str(exc)
            if attempt < ATTEMPTS:
                await sleep(BACKOFF * 2 ** (attempt - 1))
    log.warning("reminder to %s failed after %d attempts: %s", chat_id, ATTEMPTS, error)
    return FAILED, ATTEMPTS, error


async def _tell_admins(bot: Bot, svc: Services, text: str) -> None:
    for admin in sorted(svc.identity.admin_ids):
        try:
            await bot.send_message(admin, text)
        except (Forbidden, BadRequest, NetworkError):
            log.warning("could not tell administrator %s about failed reminders", admin)


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
