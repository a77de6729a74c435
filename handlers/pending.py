"""Answers to a question the bot asked (a value for a sub-index, a reason to return a value):
they are read before any other handler sees the message."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from handlers.context import AWAITING, Context, is_private
from handlers.review import return_with_comment
from handlers.updates import value_reply


async def pending_input(update: Update, context: Context) -> None:
    message = update.effective_message
    if (
        message is None
        or message.text is None
        or not is_private(update)
        or context.user_data is None
    ):
        return
    awaiting = context.user_data.pop(AWAITING, None)
    if awaiting is None or message.text.startswith("/"):
        return  # a command drops whatever the bot was waiting for
    if "value_for" in awaiting:
        await value_reply(update, context, awaiting["value_for"], message.text)
    elif "return_id" in awaiting:
        await return_with_comment(update, context, awaiting["return_id"], message.text)
    raise ApplicationHandlerStop
