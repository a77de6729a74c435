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


async def tick(context: Context) -> None:
    """JobQueue callback."""
    await send_due(context.bot, services(context))


async def send_due(bot: Bot, svc: Services, sleep: Sleep = asyncio.sleep) -> Report:
    """Send every due, unclaimed reminder; returns what happened."""
    report = Report()
    t = svc.texts.for_language(svc.texts.default)
    framework, directory = await svc.scores.reference()
    for run in await svc.reminders.due():
        for out in await svc.reminders.outgoing(run):
            if not await svc.reminders.claim(run, out):
                continue  # sent already, or being sent by another process
            text = reminder_text(t, run, out, framework, directory, svc.reminders.today())
            status, attempts, error = await deliver(
                bot, out.chat_id, text, reminder_buttons(t, out), sleep
            )
            await svc.reminders.finish(run, out, status, attempts, error)
            if status == SENT:
                report.sent += 1
            elif status == BLOCKED:
                report.blocked += 1
            else:
                report.failed.append(f"{deadline_label(t, run.deadline)} → {out.chat_id}: {error}")
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
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, sleep: Sleep
) -> tuple[str, int, str]:
    """Send one message: (status, attempts, last error)."""
    error = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            await bot.send_message(chat_id, text, reply_markup=markup)
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
