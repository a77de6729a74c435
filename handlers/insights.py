"""Insight questions, as commands and in plain words, in private chats and groups."""

from __future__ import annotations

from decimal import Decimal

from handlers.insight_views import (
    gap_text,
    holders_text,
    holdings_text,
    not_reported_text,
    rank_text,
    summary_text,
    trend_text,
    weakest_text,
    what_if_text,
)
from handlers.request import ADMIN, ANYONE, Callback, Request, handles
from parsing.arguments import natural, year
from parsing.insight_patterns import Intent, classify
from parsing.numbers import NumberError, parse_number

MAX_RANK = 1000  # ranks are among the country's provinces (63, 34 since 2025): far fewer


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
        await request.reply(weakest_text(t, board, items, directory))
    elif intent.kind == "gap":
        plan = await insights.gap(intent.target)
        await request.reply(gap_text(t, plan, await svc.scores.scoreboard()))
    elif intent.kind == "what_if":
        await request.reply(what_if_text(t, await insights.what_if(intent.changes)))
    elif intent.kind == "holders":
        sub = framework.sub_index(intent.codes[0])
        await request.reply(holders_text(t, sub, directory) if sub else t("insight.holders.usage"))
    elif intent.kind == "agency_holds":
        held = await insights.holdings(intent.text)
        await request.reply(
            holdings_text(t, held, directory) if held else t("insight.holdings.usage")
        )
    elif intent.kind == "not_reported":
        await request.reply(not_reported_text(t, await insights.not_reported(), directory))
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
    await request.reply(summary_text(request.t, board, trend, late, directory))


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
    ranked = _rank_arguments(args)
    if ranked is None:
        await request.reply(t("insight.rank.usage"))
        return
    when, rank, of_total, dti = ranked
    person = await request.person()
    await svc.insights.set_rank(when, rank, of_total, dti, person.actor)
    await request.reply(rank_text(t, await svc.insights.ranks()))


def _rank_arguments(args: tuple[str, ...]) -> tuple[int, int, int, Decimal | None] | None:
    """(year, rank, of how many, DTI index or None) from "2025 15/34 [0,6123]"; else None."""
    if len(args) not in (2, 3):
        return None
    rank_text, _, total_text = args[1].partition("/")
    when, rank, of_total = year(args[0]), natural(rank_text, 1), natural(total_text, 1, MAX_RANK)
    if when is None or rank is None or of_total is None or rank > of_total:
        return None
    if len(args) == 2:
        return when, rank, of_total, None
    try:
        dti = parse_number(args[2])
    except NumberError:
        return None
    if dti.percent or not 0 <= dti.value <= 1:
        return None
    return when, rank, of_total, dti.value
