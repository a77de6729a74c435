"""Quick metric updates in private chats: the preview of an `Update` intent (from /capnhat or
plain "cập nhật 8.2 = 12,5", handlers.asking), the Confirm / Cancel buttons, explanations and
history."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.messages import EXPLANATION_LIMIT
from handlers.request import ANYONE, PRIVATE, Request, handles, sub_index_argument
from handlers.update_views import detail_text, history_text, preview_text, stored_text
from parsing.arguments import row_id
from parsing.intents import Update
from parsing.period_text import PeriodTextError, find_period
from services.refusal import Refusal

PREFIX = "upd:"


async def preview(request: Request, update: Update) -> None:
    """A value to store, previewed with its effect and Confirm / Cancel (private chats only: a
    group never stores a value)."""
    if not request.is_private:
        raise Refusal("update.private_only")
    t = request.t
    person = await request.person()
    shown = await request.services.updates.preview(person, update, request.destination.chat_id)
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("button.confirm"), callback_data=f"{PREFIX}ok:{shown.draft_id}"
                ),
                InlineKeyboardButton(
                    t("button.cancel"), callback_data=f"{PREFIX}no:{shown.draft_id}"
                ),
            ]
        ]
    )
    await request.reply(preview_text(t, shown), buttons)


@handles(ANYONE)
async def update_button(request: Request) -> None:
    """Confirm, Cancel, or "update this one" from /chiso and reminders."""
    t, svc = request.t, request.services
    action, _, arg = request.data.removeprefix(PREFIX).partition(":")
    if action == "ask":
        framework, _ = await request.reference()
        sub = framework.sub_index(arg)
        await request.answer()
        if sub is not None:
            request.expect(value_for=arg)
            await request.send(t("update.ask_value", code=arg, unit=sub.unit))
        return
    if action not in ("ok", "no"):
        raise Refusal("button.expired")
    draft_id = row_id(arg)
    if draft_id is None:
        raise Refusal("problem.draft.unknown")
    person = await request.person()
    if action == "ok":
        stored = await svc.updates.confirm(person, draft_id)
        # Edit before answering: when the spinner stops, the message already shows the outcome.
        await request.edit(stored_text(t, stored))
        await request.answer(t("update.saved_short"))
    else:
        await svc.updates.cancel(person, draft_id)
        await request.edit(t("update.cancelled"))


@handles(PRIVATE)
async def explain_command(request: Request) -> None:
    """/giaitrinh 6.6 <explanation>."""
    t, svc, args = request.t, request.services, request.args
    if len(args) < 2:
        await request.reply(t("explain.usage", limit=t.num(EXPLANATION_LIMIT)))
        return
    try:
        period, text = find_period(" ".join(args[1:]), svc.calendar.today())
    except PeriodTextError:
        period, text = None, " ".join(args[1:])
    filed = await svc.updates.explain(await request.person(), args[0], text, period)
    await request.reply(t("explain.saved", code=args[0], period=filed))


@handles(PRIVATE)
async def history_command(request: Request) -> None:
    """/lichsu 8.2: the values of a sub-index over time; /lichsu 8.2 #12: one of them whole
    (its note, the decision and its reason, the explanations of its period). Private chats."""
    svc, args = request.services, request.args
    sub = await sub_index_argument(request, "history.usage")
    wanted = row_id(args[1]) if len(args) == 2 else None
    if len(args) > 2 or (len(args) == 2 and wanted is None):
        raise Refusal("history.usage")
    _, directory = await request.reference()
    zone = svc.calendar.zone
    if wanted is not None:
        detail = await svc.updates.detail(sub.code, wanted)
        await request.reply(detail_text(request.t, sub, detail, directory, zone))
        return
    rows = await svc.updates.history(sub.code)
    await request.reply(history_text(request.t, sub, rows, directory, zone))
