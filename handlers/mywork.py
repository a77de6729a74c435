"""/chiso: my indicators, their status this period, the next deadline, and update buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from domain.status import ReviewStatus
from handlers.context import Context, person_of, services, text_for
from handlers.update_views import mywork_text
from handlers.updates import PREFIX as UPDATE_PREFIX

MAX_BUTTONS = 12  # enough for any agency; the rest can be updated by /capnhat


async def mywork_command(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    t, svc = text_for(context), services(context)
    person = await person_of(update, context)
    if person is None:
        return
    if not person.agencies:
        await message.reply_text(t("mywork.no_agency"))
        return
    work = await svc.mywork.for_person(person)
    _, directory = await svc.scores.reference()
    todo = [
        i.sub.code
        for a in work.agencies
        for i in a.items
        if i.status in (None, ReviewStatus.REJECTED)
    ]
    unique = list(dict.fromkeys(todo))[:MAX_BUTTONS]
    rows = [
        [
            InlineKeyboardButton(
                t("button.update", code=c), callback_data=f"{UPDATE_PREFIX}ask:{c}"
            )
            for c in unique[i : i + 3]
        ]
        for i in range(0, len(unique), 3)
    ]
    await message.reply_text(
        mywork_text(t, work, directory), reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )
