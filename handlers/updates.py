"""Quick metric updates in private chats: /capnhat, plain "cập nhật 8.2 = 12,5", the Confirm /
Cancel buttons, explanations and history."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from handlers.context import (
    AWAITING,
    Context,
    is_private,
    person_of,
    private_sub_index,
    services,
    text_for,
)
from handlers.update_views import history_text, preview_text, problem_text, stored_text
from parsing.period_text import PeriodTextError, find_period
from parsing.update_text import UpdateRequest, UpdateSyntaxError, parse_update
from services.updates import Problem

PREFIX = "upd:"


async def update_command(update: Update, context: Context) -> None:
    """/capnhat 8.2 12,5% [kỳ] [ghi chú]."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await try_update(update, context, message.text)


async def try_update(update: Update, context: Context, text: str) -> bool:
    """Answer `text` as a metric update if it is one; False when it is not an update at all."""
    message = update.effective_message
    assert message is not None  # noqa: S101 - callers pass message updates
    t = text_for(context)
    try:
        request = parse_update(text, services(context).calendar.today())
    except UpdateSyntaxError as error:
        await message.reply_text(t(f"syntax.{error.reason}", code=error.code or "8.2"))
        return True
    if request is None:
        return False
    if not is_private(update):
        await message.reply_text(t("update.private_only", bot=context.bot.username))
        return True
    await _preview(update, context, message, request)
    return True


async def _preview(
    update: Update, context: Context, message: Message, request: UpdateRequest
) -> None:
    t, svc = text_for(context), services(context)
    person = await person_of(update, context)
    if person is None:
        return
    result = await svc.updates.preview(person, request, message.chat_id)
    if isinstance(result, Problem):
        _, directory = await svc.scores.reference()
        await message.reply_text(problem_text(t, result, directory))
        return
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("button.confirm"), callback_data=f"{PREFIX}ok:{result.draft_id}"
                ),
                InlineKeyboardButton(
                    t("button.cancel"), callback_data=f"{PREFIX}no:{result.draft_id}"
                ),
            ]
        ]
    )
    await message.reply_text(preview_text(t, result), reply_markup=buttons)


async def update_button(update: Update, context: Context) -> None:
    """Confirm, Cancel, or "update this one" from /chiso."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    t, svc = text_for(context), services(context)
    action, _, arg = query.data.removeprefix(PREFIX).partition(":")
    person = await person_of(update, context)
    if person is None:
        return
    if action == "ask":
        sub = await svc.updates.sub_index(arg)
        await query.answer()
        if (
            sub is not None
            and isinstance(query.message, Message)
            and context.user_data is not None
        ):
            context.user_data[AWAITING] = {"value_for": arg}
            await query.message.chat.send_message(t("update.ask_value", code=arg, unit=sub.unit))
        return
    if not arg.isdigit():
        await query.answer(t("problem.draft.unknown"), show_alert=True)
        return
    _, directory = await svc.scores.reference()
    if action == "ok":
        result = await svc.updates.confirm(person, int(arg))
        if isinstance(result, Problem):
            await query.answer(problem_text(t, result, directory), show_alert=True)
            return
        # Edit before answering: when the spinner stops, the message already shows the outcome.
        await query.edit_message_text(stored_text(t, result))
        await query.answer(t("update.saved_short"))
    elif action == "no":
        problem = await svc.updates.cancel(person, int(arg))
        if problem is not None:
            await query.answer(problem_text(t, problem, directory), show_alert=True)
            return
        await query.edit_message_text(t("update.cancelled"))
        await query.answer()


async def value_reply(update: Update, context: Context, code: str, text: str) -> None:
    """The answer to "gõ giá trị cho 3.1": the text is the value (and maybe a period, a note)."""
    message = update.effective_message
    assert message is not None  # noqa: S101 - only called for text messages
    try:
        request = parse_update(f"/capnhat {code} {text}", services(context).calendar.today())
    except UpdateSyntaxError as error:
        await message.reply_text(text_for(context)(f"syntax.{error.reason}", code=code))
        return
    if request is not None:
        await _preview(update, context, message, request)


async def explain_command(update: Update, context: Context) -> None:
    """/giaitrinh 6.6 <explanation>."""
    message = update.effective_message
    if message is None:
        return
    t, svc = text_for(context), services(context)
    args = context.args or []
    if len(args) < 2:
        await message.reply_text(t("explain.usage"))
        return
    person = await person_of(update, context)
    if person is None:
        return
    try:
        period, text = find_period(" ".join(args[1:]), svc.calendar.today())
    except PeriodTextError:
        period, text = None, " ".join(args[1:])
    result = await svc.updates.explain(person, args[0], text, period)
    if isinstance(result, Problem):
        _, directory = await svc.scores.reference()
        await message.reply_text(problem_text(t, result, directory))
        return
    await message.reply_text(t("explain.saved", code=args[0], period=result))


async def history_command(update: Update, context: Context) -> None:
    """/lichsu 8.2: the values of a sub-index over time, in private chats."""
    message = update.effective_message
    if message is None:
        return
    t, svc = text_for(context), services(context)
    sub = await private_sub_index(update, context, "history.usage")
    if sub is None:
        return
    _, directory = await svc.scores.reference()
    rows = await svc.updates.history(sub.code)
    await message.reply_text(history_text(t, sub, rows, directory, svc.calendar.zone))
