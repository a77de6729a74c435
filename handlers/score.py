"""Score questions: /diem, plain-text questions, and the suggestion buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from handlers.context import Context, services, text_for
from handlers.insight_views import split
from handlers.insights import try_insight
from handlers.target_views import index_view, targets_view
from handlers.updates import try_update
from handlers.views import answer_view, short_name
from scoring.lookup import Target
from scoring.model import Framework
from services.frameworks import IndexAnswer, TargetsAnswer

MAX_QUESTION = 300  # characters; a longer message is not a score question
CALLBACK_PREFIX = "diem:"


async def score_command(update: Update, context: Context) -> None:
    """/diem [question]: the total without arguments, else what the question names."""
    message = update.effective_message
    if message is None:
        return
    await _answer(message, context, " ".join(context.args or []) or "tổng điểm")


async def text_question(update: Update, context: Context) -> None:
    """Free text in a private chat, or in a group when it mentions or replies to the bot."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    question = message.text
    if message.chat.type != ChatType.PRIVATE:
        mention = f"@{context.bot.username}"
        replied = message.reply_to_message
        to_bot = (
            replied is not None
            and replied.from_user is not None
            and replied.from_user.id == context.bot.id
        )
        if mention.lower() not in question.lower() and not to_bot:
            return
        question = question.replace(mention, " ").replace(mention.lower(), " ")
    if len(question) > MAX_QUESTION:
        await message.reply_text(text_for(context)("error.too_long", limit=MAX_QUESTION))
        return
    if await try_update(update, context, question) or await try_insight(update, context, question):
        return
    await _answer(message, context, question)


async def suggestion_pressed(update: Update, context: Context) -> None:
    """A suggestion button: answer for the code it carries."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    code = query.data.removeprefix(CALLBACK_PREFIX)
    if isinstance(query.message, Message):
        await _answer(query.message, context, code, reply=False)


async def _answer(
    message: Message, context: Context, question: str, *, reply: bool = True
) -> None:
    t = text_for(context)
    result = await services(context).scores.answer(question, message.chat.id)
    if isinstance(result, TargetsAnswer | IndexAnswer):
        # A chat answered from a plan-targets or index framework (/bochiso).
        text = (
            targets_view(t, result) if isinstance(result, TargetsAnswer) else index_view(t, result)
        )
        for part in split(text):
            await (message.reply_text(part) if reply else message.chat.send_message(part))
        return
    text = answer_view(
        t,
        result.board,
        result.directory,
        result.target,
        provisional=result.provisional,
        pending=result.pending,
        notes=result.notes,
    )
    markup = _suggestion_buttons(result.target, result.board.framework)
    if reply:
        await message.reply_text(text, reply_markup=markup)
    else:
        await message.chat.send_message(text, reply_markup=markup)


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
