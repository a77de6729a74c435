"""/bochiso: the frameworks the bot holds, and (administrators) the one a chat is answered
from."""

from __future__ import annotations

from handlers.request import ANYONE, Request, handles
from handlers.target_views import choice_view


# Listing is for anyone, anywhere. Choosing is for administrators, and in any chat: a group's
# framework is set from that group (the choice belongs to the chat it is typed in), so this is
# not one of the administrators' private-only commands. ScoreService.choose refuses anyone else.
@handles(ANYONE)
async def frameworks_command(request: Request) -> None:
    """/bochiso lists; /bochiso 2 (or a code or a name) sets this chat's framework."""
    t, scores = request.t, request.services.scores
    chat_id = request.destination.chat_id
    person = await request.person()
    args = " ".join(request.args)
    if not args:
        await request.reply(choice_view(t, await scores.choice(chat_id), admin=person.is_admin))
        return
    chosen = await scores.choose(person, chat_id, args)
    if chosen is None:
        await request.reply(
            t("frameworks.unknown", text=args)
            + "\n"
            + choice_view(t, await scores.choice(chat_id), admin=True)
        )
        return
    await request.reply(t("frameworks.chosen", name=chosen.name, code=chosen.code))
