"""Thẩm định in chat: /duyet shows the queue one value at a time, with Approve / Return / Next."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden

from domain.status import ReviewStatus
from handlers.context import AWAITING, Context, is_private, person_of, services, text_for
from handlers.update_views import problem_text, review_text, value_text
from handlers.views import period_label
from services.review import Decided
from services.updates import Problem

PREFIX = "rv:"
log = logging.getLogger(__name__)


async def queue_command(update: Update, context: Context) -> None:
    """/duyet: the oldest value waiting for review."""
    message = update.effective_message
    if message is not None:
        await _show_next(update, context, message, after=0)


async def _show_next(update: Update, context: Context, message: Message, *, after: int) -> None:
    t, svc = text_for(context), services(context)
    person = await person_of(update, context)
    if person is None:
        return
    if not person.is_admin:
        await message.chat.send_message(t("problem.review.not_admin"))
        return
    if not is_private(update):
        await message.chat.send_message(t("private.only", bot=context.bot.username))
        return
    queue = await svc.review.queue()
    waiting = [s for s in queue if s.id > after] or queue
    if not waiting:
        await message.chat.send_message(t("review.empty"))
        return
    item = waiting[0]
    framework, directory = await svc.scores.reference()
    sub = framework.sub_index(item.code)
    assert sub is not None  # noqa: S101 - the queue only holds this framework's values
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
    await message.chat.send_message(text, reply_markup=buttons)


async def review_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or query.data is None or not isinstance(query.message, Message):
        return
    t, svc = text_for(context), services(context)
    action, _, arg = query.data.removeprefix(PREFIX).partition(":")
    if not arg.isdigit():
        await query.answer()
        return
    person = await person_of(update, context)
    if person is None or not person.is_admin:
        await query.answer(t("problem.review.not_admin"), show_alert=True)
        return
    if action == "next":
        await query.answer()
        await _show_next(update, context, query.message, after=int(arg))
    elif action == "ret":
        await query.answer()
        if context.user_data is not None:
            context.user_data[AWAITING] = {"return_id": int(arg)}
        await query.message.chat.send_message(t("review.ask_comment", id=arg))
    elif action == "ok":
        result = await svc.review.decide(person, int(arg), ReviewStatus.APPROVED)
        if isinstance(result, Problem):
            _, directory = await svc.scores.reference()
            await query.answer(problem_text(t, result, directory), show_alert=True)
            return
        await query.edit_message_text(t("review.approved", id=arg))
        await query.answer(t("review.done_short"))
        await _tell_author(context, result)


async def return_command(update: Update, context: Context) -> None:
    """/tralai <id> <lý do>."""
    message = update.effective_message
    args = context.args or []
    if message is None:
        return
    if len(args) < 2 or not args[0].lstrip("#").isdigit():
        await message.reply_text(text_for(context)("review.return_usage"))
        return
    await return_with_comment(update, context, int(args[0].lstrip("#")), " ".join(args[1:]))


async def return_with_comment(
    update: Update, context: Context, submission_id: int, comment: str
) -> None:
    message = update.effective_message
    assert message is not None  # noqa: S101 - called for messages only
    t, svc = text_for(context), services(context)
    person = await person_of(update, context)
    if person is None:
        return
    result = await svc.review.decide(person, submission_id, ReviewStatus.REJECTED, comment)
    if isinstance(result, Problem):
        _, directory = await svc.scores.reference()
        await message.reply_text(problem_text(t, result, directory))
        return
    await message.reply_text(t("review.returned", id=submission_id))
    await _tell_author(context, result)


async def _tell_author(context: Context, result: Decided) -> None:
    """The focal point hears the outcome privately; a blocked bot is logged, not retried."""
    s = result.submission
    if s.user_telegram_id is None:
        return
    t, svc = text_for(context), services(context)
    sub = await svc.updates.sub_index(s.code)
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
        text = t("review.notify_returned", comment=result.comment, **params)
    try:
        await context.bot.send_message(s.user_telegram_id, text)
    except Forbidden:
        log.warning("user %s blocked the bot; review outcome not delivered", s.user_telegram_id)
