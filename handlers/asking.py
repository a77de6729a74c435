"""The one place where what people ask is read: free text (private chats; groups when the bot is
mentioned or replied to), the question commands and the "did you mean …?" buttons all become one
intent (parsing.router, parsing.commands), and one `match` answers it.

A command builds its intent from its arguments; a message is routed; a button carries its intent
(parsing.intent_codes). An unclear question is asked back with up to three candidates as
buttons, or answered with the short help when nothing in it was understood.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import deadlines, insights, mywork, score, updates
from handlers.choice_views import choice_label
from handlers.request import ANYONE, PRIVATE, Callback, Request, handles
from parsing.commands import command_intent, update_problem
from parsing.intent_codes import decode, encode
from parsing.intents import (
    Chart,
    Deadlines,
    Export,
    Gap,
    Help,
    Holders,
    Holdings,
    Intent,
    MyWork,
    NoData,
    NotReported,
    Rank,
    Score,
    Summary,
    Trend,
    Unclear,
    UnclearReason,
    Update,
    Weakest,
    WhatIf,
)
from parsing.lexicon import Lexicon
from parsing.router import route
from services.refusal import Refusal

MAX_QUESTION = 300  # characters; a longer message is not a question
PREFIX = "ask:"  # ask:<an intent, parsing.intent_codes>


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
    # The router reads the mention as calling the bot ("@TroLyDtiBot" alone: the help).
    if len(question.replace(f"@{request.bot_username}", "")) > MAX_QUESTION:
        await request.reply(request.t("error.too_long", limit=MAX_QUESTION))
        return
    lexicon, default = await _reference(request)
    await answer(request, route(question, lexicon, request.services.calendar.today(), default))


@handles(ANYONE)
async def choice_pressed(request: Request) -> None:
    """A "did you mean …?" button: answer the intent it carries, in its chat and topic."""
    intent = decode(request.data.removeprefix(PREFIX))
    if intent is None:
        raise Refusal("button.expired")
    # Answered after (by `handles`): a refusal on the way is shown under the button.
    await answer(request, intent)


def question_command(usage: str) -> Callback:
    """A command whose arguments build its intent; arguments it cannot use get `usage`."""

    async def handler(request: Request) -> None:
        intent = await command(request)
        if isinstance(intent, Unclear) and intent.reason is UnclearReason.INCOMPLETE:
            await request.reply(request.t(usage))
            return
        await answer(request, intent)

    handler.__doc__ = f"A question command: its arguments build the intent ({usage})."
    return handles(ANYONE)(handler)


@handles(ANYONE)
async def update_command(request: Request) -> None:
    """/capnhat 8.2 12,5% [kỳ] [ghi chú]: a preview to confirm; what is missing is named."""
    intent = await command(request)
    if isinstance(intent, Unclear) and intent.reason is UnclearReason.INCOMPLETE:
        lexicon, _ = await _reference(request)
        args = " ".join(request.args)
        problem = update_problem(args, lexicon, request.services.calendar.today())
        await request.reply(
            request.t(f"syntax.{problem}", code=request.args[0] if args else "8.2")
        )
        return
    await answer(request, intent)


@handles(ANYONE)
async def rank_command(request: Request) -> None:
    """/xephang [năm]: the ranks; administrators record one: /xephang 2025 15/34 [0,6123]."""
    intent = await command(request)
    if isinstance(intent, Rank):
        await answer(request, intent)
        return
    await insights.record_rank(request)


async def command(request: Request) -> Intent:
    """The intent of the command typed, from its arguments (never from invented text)."""
    lexicon, default = await _reference(request)
    name = request.command.removeprefix("/")
    return command_intent(name, request.args, lexicon, request.services.calendar.today(), default)


async def value_reply(request: Request, code: str, text: str) -> None:
    """The answer to "gõ giá trị cho 3.1": the text is the value (and maybe a period, a note)
    of an update of `code`."""
    lexicon, default = await _reference(request)
    today = request.services.calendar.today()
    intent = command_intent("capnhat", (code, text), lexicon, today, default)
    if isinstance(intent, Update):
        await updates.preview(request, intent)
        return
    problem = update_problem(f"{code} {text}", lexicon, today)
    await request.reply(request.t(f"syntax.{problem}", code=code))


async def answer(request: Request, intent: Intent) -> None:
    """Answer one intent: the one dispatch from what was asked to the services and views."""
    match intent:
        case Score():
            await score.answer(request, intent)
        case Update():
            await updates.preview(request, intent)
        case WhatIf():
            await insights.what_if(request, intent)
        case Weakest():
            await insights.weakest(request, intent)
        case Gap():
            await insights.gap(request, intent)
        case Holders():
            await insights.holders(request, intent)
        case Holdings():
            await insights.holdings(request, intent)
        case NotReported():
            await insights.not_reported(request, intent)
        case Trend():
            await insights.trend(request, intent)
        case Rank():
            await insights.ranks(request, intent)
        case Summary():
            await insights.summary(request)
        case Chart():
            from handlers import reports  # charts and exports: at the first one asked for

            await reports.chart(request, intent)
        case Export():
            from handlers import reports

            await reports.export(request)
        case Deadlines():
            await deadlines.show_calendar(request)
        case MyWork():
            await request.require(PRIVATE)
            await mywork.show(request)
        case Help():
            await request.reply(request.t("ask.short_help"))
        case NoData(reason, about):
            await request.reply(request.t(f"ask.no_data.{reason.value}", about=about))
        case Unclear():
            await _ask_back(request, intent)


async def _ask_back(request: Request, unclear: Unclear) -> None:
    """Up to three candidates as buttons ("Ý bạn là: …"); none: the short help."""
    t = request.t
    if not unclear.candidates:
        await request.reply(t("ask.not_understood") + "\n" + t("ask.short_help"))
        return
    lexicon, _ = await _reference(request)
    labels = [choice_label(t, c, lexicon) for c in unclear.candidates]
    head = t("unknown.code", code=unclear.about) if unclear.about else t("ask.did_you_mean")
    lines = [head, *(f"• {label}" for label in labels)]
    buttons = [
        [InlineKeyboardButton(label, callback_data=data)]
        for label, candidate in zip(labels, unclear.candidates, strict=True)
        if (data := encode(candidate, PREFIX)) is not None
    ]
    await request.reply("\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None)


async def _reference(request: Request) -> tuple[Lexicon, str | None]:
    """The router's lexicon and the framework this chat is answered from."""
    scores = request.services.scores
    lexicon = await scores.lexicon()
    chosen = await scores.chat_framework(request.destination.chat_id)
    return lexicon, chosen if chosen in lexicon.frameworks else None
