"""Which language each person is answered in, and /ngonngu to choose it."""

from __future__ import annotations

from telegram import Update

from handlers.context import LANG, Context, services
from handlers.request import ANYONE, Request, handles
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


@handles(ANYONE)
async def language_command(request: Request) -> None:
    """/ngonngu vi | en."""
    choice = (request.args or ("",))[0].lower()
    if choice not in LANGUAGES:
        await request.reply(request.t("language.usage", languages=", ".join(LANGUAGES)))
        return
    await request.services.identity.set_language(request.caller, choice)
    request.use_language(choice)
    await request.reply(request.t("language.done"))
