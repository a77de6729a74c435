"""Thẩm định in chat: /duyet shows the queue one value at a time, with Approve / Return / Next."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden

from domain.chat import Destination
from domain.messages import REASON_LIMIT, truncate
from domain.status import ReviewStatus
from handlers.request import ADMIN, Request, handles, send_text
from handlers.update_views import review_text, value_text
from handlers.views import period_label
from parsing.arguments import row_id
from services.refusal import Refusal

if TYPE_CHECKING:
    from services.review import Decided

PREFIX = "rv:"
log = logging.getLogger(__name__)


@handles(ADMIN)
async def queue_command(request: Request) -> None:
    """/duyet: the oldest value waiting for review."""
    await _show_next(request, after=0)


async def _show_next(request: Request, *, after: int) -> None:
    t, svc = request.t, request.services
    queue = await svc.review.queue()
    waiting = [s for s in queue if s.id > after] or queue
    if not waiting:
        await request.send(t("review.empty"))
        return
    item = waiting[0]
    framework, directory = await request.reference()
    sub = framework.sub_index(item.code)
    if sub is None:  # a value of another framework version: not this queue's business
        raise Refusal("problem.review.unknown", id=item.id)
    files = [f for f in await svc.evidence.files(item.code) if f.period == item.period]
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("button.approve"), callback_data=f"{PREFIX}ok:{item.id}"),
                InlineKeyboardButton(t("button.return"), callback_data=f"{PREFIX}ret:{item.id}"),
            ],
            [InlineKeyboardButton(t("button.next"), callback_data=f"{PREFIX}next:{item.id}")],
        ]
    )
    text = review_text(t, item, sub, len(queue), len(files), directory, svc.calendar.zone)
    await request.send(text, buttons)


@handles(ADMIN)
async def review_button(request: Request) -> None:
    t = request.t
    action, _, arg = request.data.removeprefix(PREFIX).partition(":")
    submission_id = row_id(arg)
    if action not in ("next", "ret", "ok") or submission_id is None:
        raise Refusal("button.expired")
    if action == "next":
        await request.answer()
        await _show_next(request, after=submission_id)
    elif action == "ret":
        await request.answer()
        request.expect(return_id=submission_id)
        await request.send(t("review.ask_comment", id=submission_id, limit=REASON_LIMIT))
    else:
        person = await request.person()
        decided = await request.services.review.decide(
            person, submission_id, ReviewStatus.APPROVED
        )
        await request.edit(t("review.approved", id=submission_id))
        await request.answer(t("review.done_short"))
        await _tell_author(request, decided)


@handles(ADMIN)
async def return_command(request: Request) -> None:
    """/tralai <id> <lý do>."""
    args = request.args
    submission_id = row_id(args[0]) if len(args) > 1 else None
    if submission_id is None:
        await request.reply(request.t("review.return_usage"))
        return
    await return_with_comment(request, submission_id, " ".join(args[1:]))


async def return_with_comment(request: Request, submission_id: int, comment: str) -> None:
    person = await request.person()
    decided = await request.services.review.decide(
        person, submission_id, ReviewStatus.REJECTED, comment
    )
    await request.reply(request.t("review.returned", id=submission_id))
    await _tell_author(request, decided)


async def _tell_author(request: Request, result: Decided) -> None:
    """The focal point hears the outcome privately; a blocked bot is logged, not retried."""
    s = result.submission
    if s.user_telegram_id is None:
        return
    t = request.t
    framework, _ = await request.reference()
    sub = framework.sub_index(s.code)
    unit = sub.unit if sub else s.unit
    params = {
        "id": s.id,
        "code": s.code,
        "value": value_text(t, s.value, unit),
        "period": period_label(t, s.period),
    }
    if result.decision is ReviewStatus.APPROVED:
        text = t("review.notify_approved", **params)
    else:
        text = t(
            "review.notify_returned", comment=truncate(result.comment, REASON_LIMIT), **params
        )
    try:
        await send_text(request.context.bot, Destination(s.user_telegram_id), text)
    except Forbidden:
        log.warning("user %s blocked the bot; review outcome not delivered", s.user_telegram_id)
