"""/start, /help, messages the bot cannot read, unknown commands, and unexpected errors."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from handlers.context import Context, text_for

log = logging.getLogger(__name__)


async def help_command(update: Update, context: Context) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(text_for(context)("help.text"))


async def not_text(update: Update, context: Context) -> None:
    """Stickers, voice notes, photos, locations … in a private chat: say what the bot reads."""
    message = update.effective_message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return
    await message.reply_text(text_for(context)("error.not_text"))


async def unknown_command(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    command = message.text.split()[0].split("@")[0]
    await message.reply_text(text_for(context)("error.unknown_command", command=command[:32]))


async def on_error(update: object, context: Context) -> None:
    """Log the failure and tell the user something went wrong, never a stack trace. A reply that
    could not be delivered is not followed by a notice: the outbound path has retried, logged and
    counted it already, and after a time-out the answer may well have arrived."""
    undelivered = isinstance(context.error, NetworkError | RetryAfter | Forbidden)
    if undelivered and not isinstance(context.error, BadRequest):  # a bad request is our bug
        log.info("reply not delivered: %s", context.error)
        return
    log.error("handler failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        try:
            await update.effective_message.reply_text(text_for(context)("error.internal"))
        except Exception:  # noqa: BLE001 - the error report itself must never raise
            log.exception("could not report the failure to the user")
