"""Insight questions, as commands and in plain words, in private chats and groups."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from decimal import Decimal, InvalidOperation
from typing import Any

from telegram import Message, Update

from handlers.context import Context, admin_or_refuse, services, text_for
from handlers.insight_views import (
    gap_text,
    holders_text,
    holdings_text,
    not_reported_text,
    rank_text,
    split,
    summary_text,
    trend_text,
    weakest_text,
    what_if_text,
)
from handlers.update_views import problem_text
from parsing.insight_patterns import Intent, classify
from services.updates import Problem


async def reply_long(message: Message, text: str) -> None:
    """Send a long answer as several messages, cut between lines."""
    for part in split(text):
        await message.reply_text(part)


async def try_insight(update: Update, context: Context, text: str) -> bool:
    """Answer `text` as an insight question if it is one; False otherwise."""
    intent = classify(text)
    if intent is None:
        return False
    message = update.effective_message
    assert message is not None  # noqa: S101 - callers pass message updates
    await answer(message, context, intent)
    return True


async def answer(message: Message, context: Context, intent: Intent) -> None:
    t, svc = text_for(context), services(context)
    insights = svc.insights
    framework, directory = await insights.reference()
    if intent.kind == "weakest":
        board, items = await insights.weakest()
        await reply_long(message, weakest_text(t, board, items, directory))
    elif intent.kind == "gap":
        plan = await insights.gap(intent.target)
        await reply_long(message, gap_text(t, plan, await svc.scores.scoreboard()))
    elif intent.kind == "what_if":
        result = await insights.what_if(intent.changes)
        text = (
            problem_text(t, result, directory)
            if isinstance(result, Problem)
            else what_if_text(t, result)
        )
        await reply_long(message, text)
    elif intent.kind == "holders":
        sub = framework.sub_index(intent.codes[0])
        await message.reply_text(
            holders_text(t, sub, directory) if sub else t("insight.holders.usage")
        )
    elif intent.kind == "agency_holds":
        held = await insights.holdings(intent.text)
        await message.reply_text(
            holdings_text(t, held, directory) if held else t("insight.holdings.usage")
        )
    elif intent.kind == "not_reported":
        await reply_long(message, not_reported_text(t, await insights.not_reported(), directory))
    elif intent.kind == "trend":
        await message.reply_text(trend_text(t, await insights.trend(intent.text)))
    elif intent.kind == "rank":
        await message.reply_text(rank_text(t, await insights.ranks()))
    elif intent.kind == "summary":
        await summary(message, context)


async def summary(message: Message, context: Context) -> None:
    svc = services(context)
    _, directory = await svc.insights.reference()
    board = await svc.scores.scoreboard()
    trend = await svc.insights.trend("tổng điểm")
    late = await svc.insights.not_reported()
    await reply_long(message, summary_text(text_for(context), board, trend, late, directory))


def _command(
    kind: str, *, joiner: str = " "
) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A command handler that answers its arguments as an insight of `kind`."""

    async def handler(update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None:
            return
        args = joiner.join(context.args or [])
        intent = classify(f"{_KEYWORDS[kind]} {args}")
        if intent is None or intent.kind != kind:
            await message.reply_text(text_for(context)(f"insight.{kind}.usage"))
            return
        await answer(message, context, intent)

    handler.__doc__ = f"/{kind}: an insight question as a command."
    return handler


# The words that make classify() pick each kind, for the command forms.
_KEYWORDS = {
    "weakest": "yếu nhất",
    "gap": "còn thiếu",
    "what_if": "nếu",
    "holders": "ai chủ trì",
    "agency_holds": "chỉ số của",
    "not_reported": "chưa báo cáo",
    "trend": "so với",
}
weakest_command = _command("weakest")
gap_command = _command("gap")
what_if_command = _command("what_if")
holders_command = _command("holders")
holdings_command = _command("agency_holds")
late_command = _command("not_reported")
trend_command = _command("trend")


async def summary_command(update: Update, context: Context) -> None:
    if update.effective_message is not None:
        await summary(update.effective_message, context)


async def rank_command(update: Update, context: Context) -> None:
    """/xephang: ranks by year; administrators: /xephang 2025 15/34 [0,6123]."""
    message = update.effective_message
    if message is None:
        return
    t, svc = text_for(context), services(context)
    args = context.args or []
    if not args:
        await message.reply_text(rank_text(t, await svc.insights.ranks()))
        return
    person = await admin_or_refuse(update, context)
    if person is None:
        return
    try:
        year, (rank, of_total) = int(args[0]), (int(x) for x in args[1].split("/"))
        dti = Decimal(args[2].replace(",", ".")) if len(args) > 2 else None
        if not (2000 <= year <= 2100 and 1 <= rank <= of_total) or (
            dti is not None and not 0 <= dti <= 1
        ):
            raise ValueError(args)
    except (ValueError, IndexError, InvalidOperation):
        await message.reply_text(t("insight.rank.usage"))
        return
    await svc.insights.set_rank(year, rank, of_total, dti, person.actor)
    await message.reply_text(rank_text(t, await svc.insights.ranks()))
