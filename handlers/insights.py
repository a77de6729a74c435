"""Insight questions, as commands and in plain words, in private chats and groups."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

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
from handlers.request import ADMIN, ANYONE, Callback, Request, handles
from parsing.insight_patterns import Intent, classify


async def reply_long(request: Request, text: str) -> None:
    """Send a long answer as several messages, cut between lines."""
    for part in split(text):
        await request.reply(part)


async def try_insight(request: Request, text: str) -> bool:
    """Answer `text` as an insight question if it is one; False otherwise."""
    intent = classify(text)
    if intent is None:
        return False
    await answer(request, intent)
    return True


async def answer(request: Request, intent: Intent) -> None:
    t, svc = request.t, request.services
    insights = svc.insights
    framework, directory = await insights.reference()
    if intent.kind == "weakest":
        board, items = await insights.weakest()
        await reply_long(request, weakest_text(t, board, items, directory))
    elif intent.kind == "gap":
        plan = await insights.gap(intent.target)
        await reply_long(request, gap_text(t, plan, await svc.scores.scoreboard()))
    elif intent.kind == "what_if":
        await reply_long(request, what_if_text(t, await insights.what_if(intent.changes)))
    elif intent.kind == "holders":
        sub = framework.sub_index(intent.codes[0])
        await request.reply(holders_text(t, sub, directory) if sub else t("insight.holders.usage"))
    elif intent.kind == "agency_holds":
        held = await insights.holdings(intent.text)
        await request.reply(
            holdings_text(t, held, directory) if held else t("insight.holdings.usage")
        )
    elif intent.kind == "not_reported":
        await reply_long(request, not_reported_text(t, await insights.not_reported(), directory))
    elif intent.kind == "trend":
        await request.reply(trend_text(t, await insights.trend(intent.text)))
    elif intent.kind == "rank":
        await request.reply(rank_text(t, await insights.ranks()))
    elif intent.kind == "summary":
        await summary(request)


async def summary(request: Request) -> None:
    svc = request.services
    _, directory = await svc.insights.reference()
    board = await svc.scores.scoreboard()
    trend = await svc.insights.trend("tổng điểm")
    late = await svc.insights.not_reported()
    await reply_long(request, summary_text(request.t, board, trend, late, directory))


def _command(kind: str, *, joiner: str = " ") -> Callback:
    """A command handler that answers its arguments as an insight of `kind`."""

    async def handler(request: Request) -> None:
        intent = classify(f"{_KEYWORDS[kind]} {joiner.join(request.args)}")
        if intent is None or intent.kind != kind:
            await request.reply(request.t(f"insight.{kind}.usage"))
            return
        await answer(request, intent)

    handler.__doc__ = f"/{kind}: an insight question as a command."
    return handles(ANYONE)(handler)


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


@handles(ANYONE)
async def summary_command(request: Request) -> None:
    await summary(request)


@handles(ANYONE)
async def rank_command(request: Request) -> None:
    """/xephang: ranks by year; administrators, in private: /xephang 2025 15/34 [0,6123]."""
    t, svc, args = request.t, request.services, request.args
    if not args:
        await request.reply(rank_text(t, await svc.insights.ranks()))
        return
    await request.require(ADMIN)
    try:
        year, (rank, of_total) = int(args[0]), (int(x) for x in args[1].split("/"))
        dti = Decimal(args[2].replace(",", ".")) if len(args) > 2 else None
        if not (2000 <= year <= 2100 and 1 <= rank <= of_total) or (
            dti is not None and not 0 <= dti <= 1
        ):
            raise ValueError(args)
    except (ValueError, IndexError, InvalidOperation):
        await request.reply(t("insight.rank.usage"))
        return
    person = await request.person()
    await svc.insights.set_rank(year, rank, of_total, dti, person.actor)
    await request.reply(rank_text(t, await svc.insights.ranks()))
