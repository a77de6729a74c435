"""The typed context every handler receives."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from locales import Text
from scoring.model import SubIndex
from services.container import Services
from services.identity import Caller, Person


class BotData:
    """bot_data of the Application: the services, set by the application factory."""

    services: Services


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)
AWAITING = "awaiting"  # user_data key: the input the bot asked this user for
LANG = "lang"  # user_data key: the language this user is answered in


def services(context: Context) -> Services:
    return context.bot_data.services


def text_for(context: Context) -> Text:
    """The catalog of the person being answered: their choice (/ngonngu), else their Telegram
    language, else the configured default (see handlers.language)."""
    texts = services(context).texts
    chosen = context.user_data.get(LANG) if context.user_data is not None else None
    return texts.for_language(chosen or texts.default)


def caller_of(update: Update) -> Caller | None:
    user = update.effective_user
    if user is None:
        return None
    return Caller(user.id, user.full_name, user.username, user.language_code)


async def person_of(update: Update, context: Context) -> Person | None:
    """The sender as a user of the bot (recorded on first contact), or None for channels."""
    caller = caller_of(update)
    return None if caller is None else await services(context).identity.person(caller)


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


async def admin_or_refuse(update: Update, context: Context) -> Person | None:
    """The sender when an administrator; anyone else is told only administrators may."""
    person = await person_of(update, context)
    if person is not None and person.is_admin:
        return person
    if update.effective_message is not None:
        await update.effective_message.reply_text(text_for(context)("problem.review.not_admin"))
    return None


async def private_sub_index(update: Update, context: Context, usage: str) -> SubIndex | None:
    """The sub-index named by a command's first argument, for commands that show personal data
    and so answer in private chats only; otherwise says why and what to type (`usage`)."""
    message = update.effective_message
    if message is None:
        return None
    t = text_for(context)
    if not is_private(update):
        await message.reply_text(t("private.only", bot=context.bot.username))
        return None
    sub = await services(context).updates.sub_index((context.args or [""])[0])
    if sub is None:
        await message.reply_text(t(usage))
    return sub
