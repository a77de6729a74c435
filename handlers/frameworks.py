"""/bochiso: the frameworks the bot holds, and (administrators) the one a chat is answered
from."""

from __future__ import annotations

from telegram import Update

from handlers.context import Context, person_of, services, text_for
from handlers.target_views import choice_view


async def frameworks_command(update: Update, context: Context) -> None:
    """/bochiso lists; /bochiso 2 (or a code or a name) sets this chat's framework."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    t, scores = text_for(context), services(context).scores
    person = await person_of(update, context)
    admin = bool(person and person.is_admin)
    args = " ".join(context.args or [])
    if not args:
        await message.reply_text(choice_view(t, await scores.choice(chat.id), admin=admin))
        return
    if person is None or not admin:
        await message.reply_text(t("frameworks.not_admin"))
        return
    chosen = await scores.choose(person, chat.id, args)
    if chosen is None:
        await message.reply_text(
            t("frameworks.unknown", text=args)
            + "\n"
            + choice_view(t, await scores.choice(chat.id), admin=True)
        )
        return
    await message.reply_text(t("frameworks.chosen", name=chosen.name, code=chosen.code))
