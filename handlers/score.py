"""Score questions: /diem, plain-text questions, and the suggestion buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.insights import try_insight
from handlers.request import ANYONE, Request, handles
from handlers.target_views import index_view, targets_view
from handlers.updates import try_update
from handlers.views import answer_view, short_name
from scoring.lookup import Target
from scoring.model import Framework
from services.frameworks import IndexAnswer, TargetsAnswer

MAX_QUESTION = 300  # characters; a longer message is not a score question
CALLBACK_PREFIX = "diem:"


@handles(ANYONE)
async def score_command(request: Request) -> None:
    """/diem [question]: the total without arguments, else what the question names."""
    await _answer(request, " ".join(request.args) or "tổng điểm")


@handles(ANYONE)
async def text_question(request: Request) -> None:
    """Free text in a private chat, or in a group when it mentions or replies to the bot."""
    question = request.text
    if not request.is_private:
        mention = f"@{request.bot_username}"
        replied = request.message.reply_to_message if request.message else None
        to_bot = (
            replied is not None
            # In a forum topic every message "replies" to the topic's first message.
            and replied.forum_topic_created is None
            and replied.from_user is not None
            and replied.from_user.id == request.bot_id
        )
        if mention.lower() not in question.lower() and not to_bot:
            return
        question = question.replace(mention, " ").replace(mention.lower(), " ")
    if len(question) > MAX_QUESTION:
        await request.reply(request.t("error.too_long", limit=MAX_QUESTION))
        return
    if await try_update(request, question) or await try_insight(request, question):
        return
    await _answer(request, question)


@handles(ANYONE)
async def suggestion_pressed(request: Request) -> None:
    """A suggestion button: answer for the code it carries, in the chat and topic it was in."""
    await request.answer()
    await _answer(request, request.data.removeprefix(CALLBACK_PREFIX))


async def _answer(request: Request, question: str) -> None:
    t = request.t
    result = await request.services.scores.answer(question, request.destination.chat_id)
    if isinstance(result, TargetsAnswer | IndexAnswer):
        # A chat answered from a plan-targets or index framework (/bochiso).
        text = (
            targets_view(t, result) if isinstance(result, TargetsAnswer) else index_view(t, result)
        )
        await request.reply(text)  # split between lines when longer than a message
        return
    text = answer_view(
        request.t,
        result.board,
        result.directory,
        result.target,
        provisional=result.provisional,
        pending=result.pending,
        notes=result.notes,
    )
    await request.reply(text, _suggestion_buttons(result.target, result.board.framework))


def _suggestion_buttons(target: Target, framework: Framework) -> InlineKeyboardMarkup | None:
    """One button per suggestion, so the closest match is a tap away."""
    if target.kind != "unknown" or not target.suggestions:
        return None
    buttons = []
    for code in target.suggestions:
        found = framework.sub_index(code) or framework.pillar(code)
        label = f"{code} {short_name(found.name, 40)}" if found else code
        buttons.append(InlineKeyboardButton(label, callback_data=f"{CALLBACK_PREFIX}{code}"))
    return InlineKeyboardMarkup([[b] for b in buttons])
