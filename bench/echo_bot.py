"""The smallest python-telegram-bot bot, the yardstick of bench/e2e.py: an Application with
PTB's default settings that answers every text with the same text, by long polling.

Run: BOT_TOKEN=… BOT_API_BASE_URL=http://127.0.0.1:PORT/bot python bench/echo_bot.py"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


def main() -> None:
    app = (
        Application.builder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(os.environ.get("BOT_API_BASE_URL", "https://api.telegram.org/bot"))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
