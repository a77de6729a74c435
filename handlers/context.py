"""The typed context every handler receives."""

from __future__ import annotations

from typing import Any

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from locales import Text
from services.container import Services


class BotData:
    """bot_data of the Application: the services, set by the application factory."""

    services: Services


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)


def services(context: Context) -> Services:
    return context.bot_data.services


def text_for(context: Context) -> Text:
    """The catalog to answer in. Vietnamese (the configured default) for everyone until users
    can choose a language."""
    texts = services(context).texts
    return texts.for_language(texts.default)
