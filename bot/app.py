"""The Application factory and the one map of every handler the bot has."""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeDefault
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.settings import Settings
from handlers import basics, score
from handlers.context import CONTEXT_TYPES
from locales import LANGUAGES
from services.container import Services

# Commands are Latin (Telegram's rule): Vietnamese names first, English aliases after.
COMMANDS = {
    "start": ("start",),
    "help": ("help", "trogiup"),
    "diem": ("diem", "score"),
}


def build_application(
    settings: Settings,
    services: Services,
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
    rate_limited: bool = True,
) -> Application:  # type: ignore[type-arg]
    """A configured Application; `request` replaces the HTTP client (the offline console)."""
    builder = (
        Application.builder()
        .token(token or settings.token or "")
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_file_url)
        .context_types(CONTEXT_TYPES)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limited:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    app.bot_data.services = services
    register(app)
    return app


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in the order they are tried."""
    app.add_handler(CommandHandler(COMMANDS["start"], basics.start))
    app.add_handler(CommandHandler(COMMANDS["help"], basics.help_command))
    app.add_handler(CommandHandler(COMMANDS["diem"], score.score_command))
    app.add_handler(
        CallbackQueryHandler(score.suggestion_pressed, pattern=f"^{score.CALLBACK_PREFIX}")
    )
    app.add_handler(MessageHandler(filters.COMMAND, basics.unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, score.text_question))
    app.add_handler(MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, basics.not_text))
    app.add_error_handler(basics.on_error)


async def publish_commands(app: Application, services: Services) -> None:  # type: ignore[type-arg]
    """The command menu, in each catalog language."""
    for lang in LANGUAGES:
        t = services.texts.for_language(lang)
        commands = [BotCommand(name, t(f"command.{name}")) for name in COMMANDS]
        code = None if lang == services.texts.default else lang
        await app.bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=code)
