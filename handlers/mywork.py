"""/chiso: my indicators, their status this period, the next deadline, and update buttons (a
page at a time: an agency may hold dozens of sub-indices)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.status import ReviewStatus
from handlers.paging import paged
from handlers.request import PRIVATE, Request, handles
from handlers.update_views import mywork_text
from handlers.updates import PREFIX as UPDATE_PREFIX
from parsing.arguments import natural
from services.mywork import MyWork
from services.refusal import Refusal

PAGE_SIZE, PER_ROW = 12, 3  # four rows of three "update" buttons, then ◀ n/N ▶
PREFIX = "my:"  # my:<page>


@handles(PRIVATE)
async def mywork_command(request: Request) -> None:
    await show(request)


async def show(request: Request) -> None:
    """The caller's indicators, their status and the next deadline (private chats)."""
    t = request.t
    person = await request.person()
    if not person.agencies:
        await request.reply(t("mywork.no_agency"))
        return
    work = await request.services.mywork.for_person(person)
    _, directory = await request.reference()
    await request.reply(mywork_text(t, work, directory), _buttons(request, work, 0))


@handles(PRIVATE)
async def mywork_page(request: Request) -> None:
    """◀ or ▶ under /chiso: the buttons of another page, for the sub-indices as they are now."""
    page = natural(request.data.removeprefix(PREFIX), 0, 10_000)
    if page is None:
        raise Refusal("button.expired")
    person = await request.person()
    work = await request.services.mywork.for_person(person)
    await request.edit_buttons(_buttons(request, work, page))  # then the spinner stops


def _buttons(request: Request, work: MyWork, page: int) -> InlineKeyboardMarkup | None:
    """ "Update 8.2" for every sub-index without a value this period, or returned."""
    todo = [
        i.sub.code
        for a in work.agencies
        for i in a.items
        if i.status in (None, ReviewStatus.REJECTED)
    ]
    buttons = [
        InlineKeyboardButton(
            request.t("button.update", code=c), callback_data=f"{UPDATE_PREFIX}ask:{c}"
        )
        for c in dict.fromkeys(todo)
    ]
    _, markup = paged(buttons, page, lambda n: f"{PREFIX}{n}", size=PAGE_SIZE, per_row=PER_ROW)
    return markup
