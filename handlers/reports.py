"""Charts as photos (/bieudo, "biểu đồ …") and the workbook and a CSV as documents
(/xuatexcel), for their intents."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial

from telegram import InputFile

from handlers.provenance_views import dti_text, kinds_line, legend
from handlers.request import Request
from handlers.views import agency_label, period_label, rule_line, short_name
from locales import Text
from parsing.intents import TOTAL, Chart, ChartKind, SubjectKind
from reports.charts import Point, history_png, pillars_png
from reports.export import Labels, PillarRow, SubIndexRow, Summary, csv_bytes, workbook_bytes
from scoring.model import Directory
from services.container import Services
from services.reports import ExportLine


async def chart(request: Request, intent: Chart) -> None:
    """The pillars against their maxima; or the total, a pillar or a sub-index over periods
    ("/bieudo lịch sử", "/bieudo 8.2")."""
    t, reports = request.t, request.services.reports
    framework, _ = await reports.reference()
    comma = t.lang == "vi"
    if intent.kind is ChartKind.PILLARS:
        board, bars = await reports.pillar_bars()
        target = framework.target_total
        share = target / framework.total_max if target is not None else None
        render = partial(
            pillars_png,
            bars,
            title=t("chart.pillars.title", points=t.num(board.total)),
            target_share=share,
            target_label=t("chart.target", target=t.num(target or 0)),
            points_label=t("chart.points"),
            decimal_comma=comma,
        )
        key: tuple[object, ...] = ("pillars", t.lang, bars, share)
        caption = t(
            "chart.pillars.caption",
            points=t.num(board.total),
            max=t.num(framework.total_max),
            dti=dti_text(t, board),
            periods=", ".join(period_label(t, c) for c in board.periods) or "—",
            kinds=kinds_line(t, board.scores),
        )
    else:
        subject = intent.subject or TOTAL
        code = subject.code if subject.kind is SubjectKind.SUB_INDEX else None
        pillar = framework.pillar(subject.code) if subject.kind is SubjectKind.PILLAR else None
        _, series = await reports.history(code, pillar=pillar.code if pillar else None)
        if not series:
            await request.reply(t("chart.no_history"))
            return
        points = tuple(Point(period_label(t, p), v) for p, v in series)
        sub = framework.sub_index(code) if code else None
        if sub is not None:
            title = t("chart.history.sub", code=sub.code, name=short_name(sub.name, 40))
            maximum = sub.max_points
        elif pillar is not None:
            title = t("chart.history.pillar", code=pillar.code, name=pillar.name)
            maximum = pillar.max_points
        else:
            title, maximum = t("chart.history.total"), framework.total_max
        goal = framework.target_total if sub is None and pillar is None else None
        render = partial(
            history_png,
            points,
            title=title,
            maximum=maximum,
            target=goal,
            target_label=t("chart.target", target=t.num(goal or 0)),
            value_label=t("chart.points"),
            decimal_comma=comma,
        )
        key = ("history", t.lang, subject.kind.value, subject.code, points)
        caption = f"{title}\n{legend(t)}"
    png = await reports.charts.get(key, render)
    await request.reply_photo(png, caption=caption)


async def export(request: Request) -> None:
    """Every sub-index with values, points, holders, last update, evidence count (Excel, CSV)."""
    t, svc = request.t, request.services
    # Names of focal points stay out of groups.
    export = await export_files(svc, t, private=request.is_private)
    stamp = svc.calendar.local(svc.calendar.now()).strftime("%Y%m%d-%H%M")
    await request.reply_document(
        InputFile(export.xlsx, filename=f"dti-{stamp}.xlsx"),
        caption=t("export.caption", count=export.rows),
    )
    await request.reply_document(InputFile(export.csv, filename=f"dti-{stamp}.csv"))


@dataclass(frozen=True, slots=True)
class Export:
    xlsx: bytes
    csv: bytes
    rows: int


async def export_files(svc: Services, t: Text, *, private: bool) -> Export:
    """The workbook and the CSV of every sub-index, in `t`'s language; `private` keeps the
    names of who last reported (left out where a group would see them). The server's `export`
    command writes the same files."""
    framework, directory = await svc.reports.reference()
    board, lines = await svc.reports.export_lines()
    rows = [export_row(t, line, directory, private) for line in lines]
    periods = ", ".join(period_label(t, c) for c in board.periods)
    summary = Summary(
        title=t(
            "export.title",
            framework=framework.name,
            periods=periods or "—",
            kinds=kinds_line(t, board.scores),
            dti=dti_text(t, board),
        ),
        generated_at=svc.calendar.now(),
        total=board.total,
        maximum=framework.total_max,
        dti=board.dti,
        target=framework.target_total,
        pillars=tuple(
            PillarRow(p.pillar.code, p.pillar.name, p.points, p.pillar.max_points, p.missing)
            for p in board.pillars
        ),
    )
    labels = export_labels(t)
    zone = svc.calendar.zone
    xlsx = await asyncio.to_thread(
        workbook_bytes,
        summary,
        rows,
        labels,
        zone,
        language="vi-VN" if t.lang == "vi" else "en-US",
    )
    table = await asyncio.to_thread(csv_bytes, rows, labels, zone, decimal_comma=t.lang == "vi")
    return Export(xlsx, table, len(rows))


def export_row(t: Text, line: ExportLine, directory: Directory, private: bool) -> SubIndexRow:
    rule = rule_line(t, line.sub) if line.sub is not None else t(f"rule.{line.rule}")
    return SubIndexRow(
        code=line.code,
        name=line.name,
        maximum=line.maximum,
        rule=rule,
        value=line.value,
        unit=line.unit,
        period=period_label(t, line.period) if line.period else "",
        points=line.points,
        status=t(f"status.{line.status or 'missing'}"),
        lead=", ".join(agency_label(directory, c) for c in line.lead),
        coordinate=", ".join(agency_label(directory, c) for c in line.coordinate),
        last_by=line.last_by if private else "",
        last_at=line.last_at,
        evidence=line.evidence,
    )


# Message ids of the export's column headers, in the order of reports.export's columns.
SUMMARY_HEADERS = ("code", "name", "points", "max", "percent", "missing")
SUB_INDEX_HEADERS = (
    "code", "name", "max", "rule", "value", "unit", "period", "points", "status", "lead",
    "coordinate", "last_by", "last_at", "evidence",
)  # fmt: skip


def export_labels(t: Text) -> Labels:
    return Labels(
        summary_sheet=t("export.sheet.summary"),
        sub_index_sheet=t("export.sheet.sub_indices"),
        summary_headers=tuple(t(f"export.summary.{k}") for k in SUMMARY_HEADERS),
        sub_index_headers=tuple(t(f"export.col.{k}") for k in SUB_INDEX_HEADERS),
        total=t("export.total"),
        dti=t("export.dti"),
        target=t("export.target"),
        generated=t("export.generated"),
    )
