"""The reminder job: every minute, send each due reminder once, within Telegram's limits.

Its sends are bulk (bot.outbound): they take what replies to users leave of the budget, and
429s, 5xx and network errors are handled there. What reaches this module is the outcome: sent; a
403 (the user blocked the bot) marks the user; a time-out after the message left is "unknown" and
sent once more after a check window (storage.deliveries.UNKNOWN); a failure after the retries is
recorded and reported to the administrators; a send refused because the bot is stopping (or
Telegram asked to wait longer than a send may wait) is put back for the next run."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError

from bot.outbound import Batch, Deferred, OutcomeUnknown, Sleep, bulk_sends
from handlers.context import Context, services
from handlers.insight_views import summary_text
from handlers.reminder_views import deadline_label, reminder_buttons, reminder_text
from parsing.intents import TOTAL
from services.container import Services
from storage.deliveries import BLOCKED, FAILED, SENT, UNKNOWN

log = logging.getLogger(__name__)
JOB_NAME = "reminders:tick"
RELEASED = "released"  # never sent: the bot is stopping, or Telegram holds sends for long


@dataclass
class Report:
    sent: int = 0
    blocked: int = 0
    unknown: int = 0  # may have arrived; sent once more after the check window
    failed: list[str] = field(default_factory=list)

    def count(self, status: str, failure: str) -> None:
        if status == SENT:
            self.sent += 1
        elif status == BLOCKED:
            self.blocked += 1
        elif status == UNKNOWN:
            self.unknown += 1
        else:
            self.failed.append(failure)


async def digest_text(svc: Services) -> str:
    """The subscribed summary: the same text as /tomtat."""
    t = svc.texts.for_language(svc.texts.default)
    _, directory = await svc.insights.reference()
    board = await svc.scores.scoreboard()
    trend = await svc.insights.trend(TOTAL)
    return summary_text(t, board, trend, await svc.insights.not_reported(), directory)


async def tick(context: Context) -> None:
    """JobQueue callback."""
    await send_due(context.bot, services(context))


async def send_due(bot: Bot, svc: Services, sleep: Sleep = asyncio.sleep) -> Report:
    """Send every due, unclaimed reminder and summary as bulk sends; returns what happened.
    `sleep` is the wait between tries of one send (tests move time instead)."""
    report = Report()
    t = svc.texts.for_language(svc.texts.default)
    framework, directory = await svc.scores.reference()
    with bulk_sends(sleep) as batch:
        for run in await svc.deadlines.due():
            for out in await svc.deliveries.outgoing(run):
                delivery = await svc.deliveries.claim(out.key(run), run.key, out.chat_id, out.kind)
                if delivery is None:
                    continue  # sent already, or being sent by another process
                mine = svc.texts.for_language(out.language or svc.texts.default)  # theirs
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
                status, error = await deliver(bot, batch, out.chat_id, text, markup, out.thread_id)
                if status == RELEASED:
                    await svc.deliveries.release(delivery)
                    return report
                await svc.deliveries.finish(delivery, out.chat_id, status, batch.tries, error)
                report.count(status, f"{deadline_label(t, run.deadline)} → {out.chat_id}: {error}")
        for due in await svc.digests.due_digests():
            chat_id, thread_id = due.destination.chat_id, due.destination.thread_id
            delivery = await svc.deliveries.claim(due.key, due.run_key, chat_id, "digest")
            if delivery is None:
                continue
            text = await digest_text(svc)
            status, error = await deliver(bot, batch, chat_id, text, None, thread_id)
            if status == RELEASED:
                await svc.deliveries.release(delivery)
                return report
            await svc.deliveries.finish(delivery, chat_id, status, batch.tries, error)
            report.count(status, f"{due.run_key} → {chat_id}: {error}")
        if report.failed:
            details = "\n".join(report.failed[:10])
            await _tell_admins(
                bot, svc, t("reminder.failed_report", count=len(report.failed), details=details)
            )
    return report


async def deliver(
    bot: Bot,
    batch: Batch,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    thread_id: int | None = None,
) -> tuple[str, str]:
    """Send one message inside a bulk batch (to a forum topic when `thread_id`): (status,
    error). A supergroup that replaced the group is found, and the stored chat moved, by the
    outbound path itself."""
    try:
        await bot.send_message(chat_id, text, reply_markup=markup, message_thread_id=thread_id)
    except Deferred:  # the bot is stopping, or Telegram holds every send for long
        return RELEASED, ""
    except Forbidden as exc:
        return BLOCKED, str(exc)
    except OutcomeUnknown as exc:
        # Not sent again now: it may have arrived. Sending once more after a check window risks
        # a rare duplicate; never sending again risks a rare lost reminder — the lesser harm.
        return UNKNOWN, str(exc)
    except TelegramError as exc:  # 5xx and network errors were retried already; 400s never pass
        return FAILED, str(exc)
    return SENT, ""


async def chat_migrated(update: Update, context: Context) -> None:
    """Telegram's service message when a group becomes a supergroup: move what is stored under
    the group's id before anything is sent to it."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        await services(context).deliveries.move_chat(message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await services(context).deliveries.move_chat(message.migrate_from_chat_id, message.chat.id)


async def _tell_admins(bot: Bot, svc: Services, text: str) -> None:
    for admin in sorted(svc.identity.admin_ids):
        try:
            await bot.send_message(admin, text)
        except TelegramError:
            log.warning("could not tell administrator %s about failed reminders", admin)
