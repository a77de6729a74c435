"""/chiso: my indicators, their status this period, the next deadline, and update buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.status import ReviewStatus
from handlers.request import PRIVATE, Request, handles
from handlers.update_views import mywork_text
from handlers.updates import PREFIX as UPDATE_PREFIX

MAX_BUTTONS = 12  # enough for any agency; the rest can be updated by /capnhat


@handles(PRIVATE)
async def mywork_command(request: Request) -> None:
    t = request.t
    person = await request.person()
    if not person.agencies:
        await request.reply(t("mywork.no_agency"))
        return
    work = await request.services.mywork.for_person(person)
    _, directory = await request.reference()
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
    await request.reply(
        mywork_text(t, work, directory), InlineKeyboardMarkup(rows) if rows else None
    )
