"""Insight answers as short text, through the catalogs."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from handlers.provenance_views import dti_text, kinds_line, legend, marks
from handlers.reminder_views import deadline_label
from handlers.views import agency_label, period_label, points_text, short_name
from locales import Text
from parsing.intents import SubjectKind
from scoring.engine import Scoreboard, SubIndexScore
from scoring.insights import GapPlan
from scoring.model import Directory, RuleKind, SubIndex

if TYPE_CHECKING:
    from services.insights import Holdings, NotReported, RankRow, Trend, WhatIf


def _full_at(t: Text, sub: SubIndex) -> str:
    rule = sub.rule
    if rule.kind is RuleKind.RATIO and rule.threshold is not None:
        return t("insight.full_at", threshold=t.num(rule.threshold), unit=sub.unit)
    return t(f"rule.{rule.kind.value}")


def weakest_text(
    t: Text, board: Scoreboard, items: list[SubIndexScore], directory: Directory
) -> str:
    lines = [t("insight.weakest.head", count=len(items))]
    for s in items:
        lead = ", ".join(agency_label(directory, c) for c in s.sub_index.lead) or "—"
        lines.append(
            t(
                "insight.weakest.line",
                code=s.sub_index.code,
                name=short_name(s.sub_index.name, 45),
                points=points_text(t, s),
                lost=t.num(s.lost),
                lead=lead,
            )
        )
        lines.append("   " + _full_at(t, s.sub_index))
    lines.append(legend(t))
    return "\n".join(lines)


def gap_text(t: Text, plan: GapPlan, board: Scoreboard) -> str:
    if plan.gap <= 0:
        return t("insight.gap.reached", target=t.num(plan.target), total=t.num(board.total))
    lines = [
        t(
            "insight.gap.head",
            target=t.num(plan.target),
            total=t.num(board.total),
            gap=t.num(plan.gap),
        ),
        kinds_line(t, board.scores),
    ]
    official = plan.official_total
    if official is not None and official != board.total:
        short = max(plan.target - official, Decimal(0))
        lines.append(t("insight.gap.official", total=t.num(official), gap=t.num(short)))
    for step in plan.steps:
        sub = step.score.sub_index
        if step.no_data:
            how = t("insight.gap.no_data")
        elif step.needs_value is not None:
            how = t("insight.gap.needs_value", value=t.num(step.needs_value), unit=sub.unit)
        else:
            how = t("insight.gap.assessed")
        lines.append(
            t(
                "insight.gap.line",
                code=sub.code,
                name=short_name(sub.name, 40),
                gain=t.num(step.gain),
                how=how,
            )
        )
    if not plan.reachable:
        lines.append(t("insight.gap.unreachable"))
    return "\n".join(lines)


def what_if_text(t: Text, result: WhatIf) -> str:
    lines = [t("insight.whatif.head")]
    for change in result.changes:
        sub, value = change.sub, change.value
        before, after = result.before.sub_index(sub.code), result.after.sub_index(sub.code)
        shown = (
            t("insight.whatif.points", points=t.num(value))
            if change.as_points
            else f"{t.num(value, 4)} {sub.unit}".strip()
        )
        if change.step is not None:
            sign = "+" if change.step >= 0 else "−"
            shown += f" ({sign}{t.num(abs(change.step), 4)})"
        lines.append(
            t(
                "insight.whatif.line",
                code=sub.code,
                value=shown,
                before=t.num(before.points) if before and before.points is not None else "—",
                after=t.num(after.points or Decimal(0)) if after else "—",
                max=t.num(sub.max_points),
            )
        )
    lines.append(
        t(
            "insight.whatif.total",
            before=t.num(result.before.total),
            after=t.num(result.after.total),
            dti=t.fixed(result.after.dti, 4),
        )
    )
    gap = result.after.gap_to_target
    if gap is not None and result.after.framework.target_total is not None:
        lines.append(
            t(
                "score.target.gap" if gap > 0 else "score.target.reached",
                target=t.num(result.after.framework.target_total),
                gap=t.num(gap),
            )
        )
    if result.not_understood:
        clauses = "; ".join(f"“{c}”" for c in result.not_understood)
        lines.append(t("insight.whatif.not_understood", clauses=clauses))
    lines.append(t("insight.whatif.not_stored"))
    return "\n".join(lines)


def holders_text(t: Text, sub: SubIndex, directory: Directory) -> str:
    def names(codes: tuple[str, ...]) -> str:
        out = []
        for code in codes:
            members = directory.expand(code)
            label = directory.name_of(code)
            if directory.group(code) is not None:
                listed = ", ".join(agency_label(directory, a) for a in members) or t(
                    "insight.holders.empty_group"
                )
                label = f"{label} ({listed})"
            out.append(label)
        return "; ".join(out) or "—"

    return "\n".join(
        [
            t("score.sub.head", code=sub.code, name=sub.name),
            t("score.sub.lead", agencies=names(sub.lead)),
            t("score.sub.coordinate", agencies=names(sub.coordinate)),
        ]
    )


def holdings_text(t: Text, h: Holdings, directory: Directory) -> str:
    lines = [t("insight.holdings.head", agency=directory.name_of(h.agency))]
    lines.append(
        t(
            "insight.holdings.lead",
            count=len(h.lead),
            codes=", ".join(s.code for s in h.lead) or "—",
        )
    )
    lines.append(
        t(
            "insight.holdings.coordinate",
            count=len(h.coordinate),
            codes=", ".join(s.code for s in h.coordinate) or "—",
        )
    )
    return "\n".join(lines)


def not_reported_text(t: Text, nr: NotReported, directory: Directory) -> str:
    late = nr.late
    lines = []
    if nr.unscheduled is not None:
        lines.append(t("insight.late.unscheduled", period=period_label(t, nr.unscheduled)))
    lines += [
        t(
            "insight.late.head",
            what=deadline_label(t, nr.deadline),
            date=t.date(nr.deadline.due),
            late=len(late),
            total=len(nr.owed),
        )
    ]
    for agency in late:
        codes = nr.owed[agency]
        lines.append(
            f"• {directory.name_of(agency)}: {', '.join(codes[:8])}{'…' if len(codes) > 8 else ''}"
        )
    if not late:
        lines.append(t("insight.late.none"))
    return "\n".join(lines)


def trend_text(t: Text, trend: Trend) -> str:
    def points(board: Scoreboard) -> tuple[Decimal, Decimal]:
        subject = trend.subject
        if subject.kind is SubjectKind.PILLAR:
            p = board.pillar(subject.code)
            return (p.points, p.pillar.max_points) if p else (Decimal(0), Decimal(0))
        if subject.kind is SubjectKind.SUB_INDEX:
            s = board.sub_index(subject.code)
            return (
                ((s.points or Decimal(0)), s.sub_index.max_points)
                if s
                else (Decimal(0), Decimal(0))
            )
        return board.total, board.framework.total_max

    fw = trend.now.framework
    code = trend.subject.code
    if trend.subject.kind is SubjectKind.PILLAR:
        pillar = fw.pillar(code)
        name = f"{code}. {pillar.name}" if pillar else code
    elif trend.subject.kind is SubjectKind.SUB_INDEX:
        sub = fw.sub_index(code)
        name = f"{code} {short_name(sub.name, 50)}" if sub else code
    else:
        name = t("insight.trend.total")
    now, maximum = points(trend.now)
    if trend.subject.kind is SubjectKind.PILLAR:
        pillar_now = trend.now.pillar(code)
        counted = list(pillar_now.sub_scores) if pillar_now else []
    elif trend.subject.kind is SubjectKind.SUB_INDEX:
        found = trend.now.sub_index(code)
        counted = [found] if found else []
    else:
        counted = list(trend.now.scores)
    kinds = marks(counted)
    lines = [
        t("insight.trend.head", name=name),
        t("insight.trend.now", points=t.num(now), max=t.num(maximum))
        + (f" {kinds}" if kinds else ""),
    ]
    for label_key, pair in (
        ("insight.trend.vs_period", trend.previous_period),
        ("insight.trend.vs_year", trend.previous_year),
    ):
        if pair is None:
            continue
        code, board = pair
        then, _ = points(board)
        delta = now - then
        sign = "+" if delta > 0 else ""
        lines.append(
            t(
                label_key,
                period=period_label(t, code),
                points=t.num(then),
                delta=f"{sign}{t.num(delta)}",
            )
        )
    lines.append(legend(t))
    return "\n".join(lines)


def rank_text(t: Text, rows: list[RankRow]) -> str:
    if not rows:
        return t("insight.rank.none")
    lines = [t("insight.rank.head")]
    for r in rows:
        dti = t.fixed(r.dti, 4) if r.dti is not None else "—"
        lines.append(
            t(
                "insight.rank.line",
                year=r.year,
                rank=r.rank,
                of=r.of_total,
                dti=dti,
                source=r.source or "—",
            )
        )
    return "\n".join(lines)


def summary_text(
    t: Text, board: Scoreboard, trend: Trend, nr: NotReported, directory: Directory
) -> str:
    """/tomtat: the total, the pillars, the change since the last quarter, no-data count, late."""
    fw = board.framework
    lines = [
        t(
            "summary.total",
            framework=fw.name,
            points=t.num(board.total),
            max=t.num(fw.total_max),
            dti=dti_text(t, board),
            kinds=kinds_line(t, board.scores),
            periods=", ".join(period_label(t, c) for c in board.periods) or "—",
        ),
    ]
    if trend.previous_period is not None:
        code, before = trend.previous_period
        delta = board.total - before.total
        lines.append(
            t(
                "summary.change",
                period=period_label(t, code),
                delta=("+" if delta > 0 else "") + t.num(delta),
            )
        )
    lines.append("")
    for p in board.pillars:
        if p.pillar.max_points:
            lines.append(
                t(
                    "score.pillar.item",
                    code=p.pillar.code,
                    name=p.pillar.name,
                    points=t.num(p.points),
                    max=t.num(p.pillar.max_points),
                )
            )
    lines.append("")
    lines.append(t("score.missing", missing=board.missing, total=len(fw.sub_indices)))
    late = nr.late
    names = ", ".join(agency_label(directory, a) for a in late[:10]) + (
        "…" if len(late) > 10 else ""
    )
    lines.append(
        t(
            "summary.late_line",
            what=deadline_label(t, nr.deadline),
            late=len(late),
            total=len(nr.owed),
            names=names or "—",
        )
    )
    return "\n".join(lines)
