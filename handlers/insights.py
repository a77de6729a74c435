"""Insight answers (weakest, gap, what-if, holders, holdings, late agencies, trend, rank,
summary) for their intents, and recording a year's rank."""

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
from handlers.request import ADMIN, Request
from handlers.views import as_of_view
from parsing.arguments import natural, year
from parsing.intents import (
    TOTAL,
    Gap,
    Holders,
    Holdings,
    NotReported,
    Rank,
    SubjectKind,
    Trend,
    Weakest,
    WhatIf,
)
from parsing.numbers import NumberError, parse_number

MAX_RANK = 1000  # ranks are among the country's provinces (63, 34 since 2025): far fewer


async def weakest(request: Request, intent: Weakest) -> None:
    _, directory = await request.reference()
    within = intent.within.code if intent.within is not None else None
    board, items = await request.services.insights.weakest(intent.count, within)
    await request.reply(weakest_text(request.t, board, items, directory))


async def gap(request: Request, intent: Gap) -> None:
    t = request.t
    found = await request.services.insights.gap(intent.target, intent.period)
    text = gap_text(t, found.plan, found.board)
    await request.reply(as_of_view(t, found.as_of, text))


async def what_if(request: Request, intent: WhatIf) -> None:
    """Both kinds of clause are applied; any clause not understood is named back."""
    result = await request.services.insights.what_if(intent.changes, intent.not_understood)
    await request.reply(what_if_text(request.t, result))


async def holders(request: Request, intent: Holders) -> None:
    """Who leads and coordinates a sub-index, or each sub-index of a pillar."""
    t = request.t
    scores = request.services.scores
    framework = await scores.asked_framework(intent.framework, request.destination.chat_id)
    _, directory = await request.reference()
    code = intent.subject.code
    if intent.subject.kind is SubjectKind.SUB_INDEX:
        subs = tuple(s for s in framework.sub_indices if s.code == code)
    else:
        pillar = framework.pillar(code) if intent.subject.kind is SubjectKind.PILLAR else None
        subs = pillar.sub_indices if pillar is not None else ()
    if not subs:
        await request.reply(t("insight.holders.usage"))
        return
    await request.reply("\n\n".join(holders_text(t, s, directory) for s in subs))


async def holdings(request: Request, intent: Holdings) -> None:
    t = request.t
    _, directory = await request.reference()
    held = await request.services.insights.holdings(intent.agency)
    await request.reply(holdings_text(t, held, directory) if held else t("insight.holdings.usage"))


async def not_reported(request: Request, intent: NotReported) -> None:
    _, directory = await request.reference()
    late = await request.services.insights.not_reported(intent.period, intent.code, intent.agency)
    await request.reply(not_reported_text(request.t, late, directory))


async def trend(request: Request, intent: Trend) -> None:
    await request.reply(
        trend_text(request.t, await request.services.insights.trend(intent.subject))
    )


async def ranks(request: Request, intent: Rank) -> None:
    rows = await request.services.insights.ranks()
    if intent.year is not None:
        rows = [r for r in rows if r.year == intent.year] or rows
    await request.reply(rank_text(request.t, rows))


async def summary(request: Request) -> None:
    svc = request.services
    _, directory = await svc.insights.reference()
    board = await svc.scores.scoreboard()
    trend = await svc.insights.trend(TOTAL)
    late = await svc.insights.not_reported()
    await request.reply(summary_text(request.t, board, trend, late, directory))


async def record_rank(request: Request) -> None:
    """Administrators, in private: /xephang 2025 15/34 [0,6123] records a year's rank."""
    t, svc, args = request.t, request.services, request.args
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
