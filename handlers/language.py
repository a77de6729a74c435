"""Which language each person is answered in, and /ngonngu to choose it."""

from __future__ import annotations

from telegram import Update

from handlers.context import LANG, Context, caller_of, services, text_for
from locales import LANGUAGES


async def remember_language(update: Update, context: Context) -> None:
    """Before any handler: load the person's language once per process (their choice, else the
    language of their Telegram app)."""
    user = update.effective_user
    if user is None or context.user_data is None or LANG in context.user_data:
        return
    stored = await services(context).identity.language_of(user.id)
    short = (stored or user.language_code or "").split("-")[0].lower()
    context.user_data[LANG] = short if short in LANGUAGES else services(context).texts.default


async def language_command(update: Update, context: Context) -> None:
    """/ngonngu vi | en."""
    message, caller = update.effective_message, caller_of(update)
    if message is None or caller is None or context.user_data is None:
        return
    choice = (context.args or [""])[0].lower()
    if choice not in LANGUAGES:
        await message.reply_text(
            text_for(context)("language.usage", languages=", ".join(LANGUAGES))
        )
        return
    await services(context).identity.set_language(caller, choice)
    context.user_data[LANG] = choice
    await message.reply_text(text_for(context)("language.done"))
