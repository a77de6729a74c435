"""/help, messages the bot cannot read, unknown commands, expired buttons, unexpected errors."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from handlers.context import Context, text_for
from handlers.request import ANYONE, Request, handles

log = logging.getLogger(__name__)


@handles(ANYONE)
async def help_command(request: Request) -> None:
    await request.reply(request.t("help.text"))


@handles(ANYONE)
async def not_text(request: Request) -> None:
    """Stickers, voice notes, locations … (private chats only): say what the bot reads."""
    await request.reply(request.t("error.not_text"))


@handles(ANYONE)
async def unknown_command(request: Request) -> None:
    """A command the bot does not have; one addressed to another bot is not ours to answer."""
    typed = request.text.split(maxsplit=1)[0] if request.text else ""
    command, _, addressee = typed.partition("@")
    if addressee and addressee.lower() != request.bot_username.lower():
        return
    await request.reply(request.t("error.unknown_command", command=command[:32]))


@handles(ANYONE)
async def expired_button(request: Request) -> None:
    """A button no handler knows (an old keyboard, a bot version ago): say so, stop the spinner."""
    await request.answer(request.t("button.expired"), alert=True)


async def on_error(update: object, context: Context) -> None:
    """Log the failure and tell the user something went wrong, never a stack trace. A reply that
    could not be delivered is not followed by a notice: the outbound path has retried, logged and
    counted it already, and after a time-out the answer may well have arrived."""
    undelivered = isinstance(context.error, NetworkError | RetryAfter | Forbidden)
    if undelivered and not isinstance(context.error, BadRequest):  # a bad request is our bug
        log.info("reply not delivered: %s", context.error)
        return
    log.error("handler failed", exc_info=context.error)
    if not isinstance(update, Update):
        return
    text = text_for(context)("error.internal")
    try:
        if update.callback_query is not None:
            try:
                await update.callback_query.answer(text, show_alert=True)
                return
            except BadRequest:  # answered already: say it in the chat instead
                pass
        if update.effective_message is not None:
            await update.effective_message.reply_text(text)
    except Exception:  # noqa: BLE001 - the error report itself must never raise
        log.exception("could not report the failure to the user")
