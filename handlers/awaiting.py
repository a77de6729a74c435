"""Answers to a question the bot asked (a value for a sub-index, a reason to return a value):
they are read before any other handler sees the message."""

from __future__ import annotations

from telegram.ext import ApplicationHandlerStop

from handlers.asking import value_reply
from handlers.request import ANYONE, Request, handles
from handlers.review import return_with_comment
from services.refusal import Refusal


@handles(ANYONE)
async def awaited_input(request: Request) -> None:
    """Registered for text in private chats, ahead of everything else."""
    awaiting = request.take_expected()
    if awaiting is None or request.text.startswith("/"):
        return  # a command drops whatever the bot was waiting for
    try:
        if "value_for" in awaiting:
            await value_reply(request, awaiting["value_for"], request.text)
        elif "return_id" in awaiting:
            await return_with_comment(request, awaiting["return_id"], request.text)
    except Refusal as refusal:
        await request.refuse(refusal)  # then stop: the answer is not a question as well
    raise ApplicationHandlerStop
