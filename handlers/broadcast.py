"""/thongbao ĐÍCH nội dung: an administrator's announcement, previewed with Confirm / Cancel,
then sent to each recipient once, within Telegram's limits.

`send_broadcast` is the sending run, shared with the server's command line: each recipient's
message is claimed in the deliveries table before it is sent (as reminders are), so a run
repeated after a crash, or by a second process, sends nobody a second copy. The messages are
bulk sends (bot.outbound): they take what replies to users leave of Telegram's budget, with
429s, 5xx and network errors handled there. A send whose outcome is unknown (a time-out after
it left) is not repeated in this run; a run cut short (the bot stopping, a long 429) gives back
what it did not send and leaves the broadcast "sending", for `broadcast --resume`."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.outbound import Sleep, bulk_sends
from handlers.admin_views import broadcast_preview
from handlers.reminder_job import RELEASED, deliver
from handlers.request import ADMIN, Request, handles
from parsing.arguments import row_id
from services.container import Services
from services.refusal import Refusal
from storage.deliveries import BLOCKED, SENT, UNKNOWN

PREFIX = "bc:"
log = logging.getLogger(__name__)


@dataclass
class BroadcastReport:
    id: int
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0  # may have arrived: not sent again in this run
    skipped: int = 0  # claimed before: sent by an earlier run or another process
    stopped: bool = False  # cut short (the bot stopping, a long 429): resume to finish


@handles(ADMIN)
async def broadcast_command(request: Request) -> None:
    """/thongbao daumoi Hạn báo cáo quý 4 là 25/12: the preview, with Confirm / Cancel."""
    from services.broadcasts import find_audience  # at the first use: see services.container

    t, svc = request.t, request.services
    body = re.sub(r"^\S+", "", request.text, count=1)  # without the command, lines kept
    _, directory = await request.reference()
    found = find_audience(directory, body.split())
    if found is None:
        raise Refusal("broadcast.usage")
    audience, size = found
    text = _after_words(body, size)
    draft = await svc.broadcasts.prepare(await request.person(), audience, text)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("button.send"), callback_data=f"{PREFIX}ok:{draft.id}"),
                InlineKeyboardButton(t("button.cancel"), callback_data=f"{PREFIX}no:{draft.id}"),
            ]
        ]
    )
    await request.reply(broadcast_preview(t, draft, directory), markup)


@handles(ADMIN)
async def broadcast_button(request: Request) -> None:
    """Confirm starts the sending in the background; its report arrives when it is done."""
    t, svc = request.t, request.services
    action, _, arg = request.data.removeprefix(PREFIX).partition(":")
    broadcast_id = row_id(arg)
    if action not in ("ok", "no") or broadcast_id is None:
        raise Refusal("button.expired")
    person = await request.person()
    if action == "no":
        await svc.broadcasts.cancel(person, broadcast_id)
        await request.edit(t("broadcast.cancelled"))
        return
    confirmed = await svc.broadcasts.confirm(person, broadcast_id)
    await request.edit(t("broadcast.sending", count=confirmed.recipients))
    await request.answer(t("broadcast.sending_short"))
    bot, chat_id = request.context.bot, request.destination.chat_id

    async def run() -> None:
        report = await send_broadcast(bot, svc, confirmed.id, person.actor)
        try:
            await bot.send_message(chat_id, report_text(svc, report, request.t.lang))
        except TelegramError as exc:  # the bot stopping, or the administrator blocked it
            log.warning("broadcast %s: report not delivered (%s)", confirmed.id, exc)

    request.context.application.create_task(run(), update=request.update)


def report_text(svc: Services, report: BroadcastReport, lang: str) -> str:
    t = svc.texts.for_language(lang)
    key = "broadcast.stopped" if report.stopped else "broadcast.report"
    return t(
        key,
        id=report.id,
        sent=report.sent,
        blocked=report.blocked,
        failed=report.failed,
        unknown=report.unknown,
    )


async def send_broadcast(
    bot: Bot, svc: Services, broadcast_id: int, actor: str, sleep: Sleep = asyncio.sleep
) -> BroadcastReport:
    """Send a confirmed broadcast, as bulk sends, to everyone who has not had it yet."""
    broadcast = await svc.broadcasts.get(broadcast_id)
    report = BroadcastReport(broadcast_id)
    run_key = f"broadcast:{broadcast_id}"
    counts = {SENT: "sent", BLOCKED: "blocked", UNKNOWN: "unknown"}
    with bulk_sends(sleep) as batch:
        for chat_id, language in await svc.broadcasts.recipients(broadcast.audience):
            delivery = await svc.deliveries.claim(
                f"{run_key}|{chat_id}", run_key, chat_id, "broadcast"
            )
            if delivery is None:
                report.skipped += 1
                continue
            t = svc.texts.for_language(language or svc.texts.default)
            text = t("broadcast.message", text=broadcast.text)
            status, error = await deliver(bot, batch, chat_id, text, None)
            if status == RELEASED:
                await svc.deliveries.release(delivery)
                report.stopped = True
                log.info("broadcast %s stopped: %s", broadcast_id, report)
                return report
            await svc.deliveries.finish(delivery, chat_id, status, batch.tries, error)
            field = counts.get(status, "failed")
            setattr(report, field, getattr(report, field) + 1)
    await svc.broadcasts.finish(
        broadcast_id, actor, report.sent, report.blocked, report.failed, report.unknown
    )
    log.info("broadcast %s: %s", broadcast_id, report)
    return report


def _after_words(text: str, count: int) -> str:
    """`text` without its first `count` words, its lines kept."""
    rest = text.lstrip()
    for _ in range(count):
        rest = re.sub(r"^\S+\s*", "", rest, count=1)
    return rest.strip()
