"""The typed context every handler receives."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from locales import Text
from parsing.arguments import clean
from services.container import Services
from services.identity import Caller


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
    # Names are stored: cleaned like any text that reaches the database.
    username = clean(user.username) if user.username else None
    return Caller(user.id, clean(user.full_name), username, user.language_code)
