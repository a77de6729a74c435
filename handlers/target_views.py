"""Answers from a plan-targets framework (target, actual, status per target) and from an index
framework (value and rank), and the list of frameworks, through the catalogs."""

from __future__ import annotations

from decimal import Decimal

from domain.messages import NOTE_LIMIT, inline, truncate
from handlers.provenance_views import MARKS, period_label
from handlers.views import short_name
from locales import Text
from parsing.intents import SubjectKind
from scoring.engine import Measurement
from scoring.model import (
    Comparison,
    Directory,
    Framework,
    PlanTarget,
    Provenance,
    SubIndex,
    TargetKind,
)
from scoring.targets import IndexBoard, RowResult, Status, TargetResult, TargetsBoard
from services.frameworks import FrameworkChoice, IndexAnswer, TargetsAnswer

SIGNS = {Comparison.ABOVE: ">", Comparison.AT_LEAST: "≥", Comparison.AT_MOST: "≤"}
NAME_WIDTH = 60


def agency_now(t: Text, directory: Directory, code: str) -> str:
    """An agency's name; one that ended says who answers for it now."""
    name, current = directory.name_of(code), directory.current(code)
    if current == code:
        return name
    return t("targets.agency_now", agency=name, successor=directory.name_of(current))


def _figure(t: Text, sub: SubIndex, part: str, value: Decimal | None, text: str) -> str:
    if value is None:
        return text
    unit = (sub.part(part).unit if sub.part(part) else "") or sub.unit  # type: ignore[union-attr]
    return f"{t.num(value, 4)} {unit}".strip()


def target_text(t: Text, sub: SubIndex, target: PlanTarget) -> str:
    figure = _figure(t, sub, target.part, target.value, target.text)
    if target.value is None or target.kind is TargetKind.BASELINE:
        return figure
    return t("targets.compare", sign=SIGNS[target.comparison], figure=figure)


def actual_text(t: Text, sub: SubIndex, m: Measurement | None) -> str:
    if m is None or (m.value is None and not m.text):
        return t("targets.status.no_data")
    return _figure(t, sub, m.part, m.value, m.text)


def status_text(t: Text, row: RowResult) -> str:
    label = t(f"targets.status.{row.status.value}")
    if row.actual is not None and row.actual.verdict:
        return t("targets.per_source", status=label)
    return label


def row_line(t: Text, sub: SubIndex, row: RowResult) -> str:
    if row.status is Status.NO_DATA and (row.actual is None):
        actual = t("targets.status.no_data")
        return t(
            "targets.row_missing",
            target=target_text(t, sub, row.target) if row.target else "—",
            actual=actual,
        )
    return t(
        "targets.row",
        actual=actual_text(t, sub, row.actual),
        target=target_text(t, sub, row.target) if row.target else "—",
        status=status_text(t, row),
    )


def _result_lines(t: Text, result: TargetResult) -> list[str]:
    sub = result.sub_index
    name = short_name(sub.name, NAME_WIDTH)
    if len(result.rows) == 1 and not result.rows[0].part:
        return [
            t("targets.item_one", code=sub.code, name=name, row=row_line(t, sub, result.rows[0]))
        ]
    lines = [
        t(
            "targets.item",
            code=sub.code,
            name=name,
            status=t(f"targets.status.{result.status.value}"),
        )
    ]
    for row in result.rows:
        part = sub.part(row.part)
        lines.append(t("targets.part", part=part.name if part else "", row=row_line(t, sub, row)))
    return lines


def _counts(t: Text, board: TargetsBoard, results: tuple[TargetResult, ...]) -> str:
    return t(
        "targets.counts",
        reached=sum(1 for r in results if r.status.reached),
        total=len(results),
        not_met=sum(1 for r in results if r.status is Status.NOT_MET),
        no_data=sum(1 for r in results if r.status is Status.NO_DATA),
    )


def _sources(t: Text, results: tuple[TargetResult, ...]) -> list[str]:
    sources = {
        row.actual.source.split(", mục")[0]
        for r in results
        for row in r.rows
        if row.actual is not None and row.actual.source
    }
    kinds = {row.actual.provenance for r in results for row in r.rows if row.actual is not None}
    lines = [t("targets.source", source=s) for s in sorted(sources)]
    for kind in (Provenance.OFFICIAL, Provenance.REPORTED):
        if kind in kinds:
            lines.append(t(f"targets.kind.{kind.value}", mark=MARKS[kind]))
    return lines


def targets_view(t: Text, answer: TargetsAnswer) -> str:
    """Every target of the year (or one section) with target, actual and status; or one target
    in full."""
    board, subject = answer.board, answer.subject
    if subject.kind is SubjectKind.SUB_INDEX:
        result = board.result(subject.code)
        sub = board.framework.sub_index(subject.code)
        if sub is not None:
            return target_detail(t, board, sub, result, answer.directory, answer.notes)
    results = board.results
    head = board.framework.name
    if subject.kind is SubjectKind.PILLAR and board.framework.pillar(subject.code) is not None:
        pillar = board.framework.pillar(subject.code)
        results = tuple(r for r in results if r.sub_index.pillar_code == subject.code)
        head = f"{subject.code}. {pillar.name if pillar else ''} — {board.framework.name}"
    lines = [t("targets.head", framework=head)]
    if not results:
        lines.append(t("targets.none", year=board.year))
        return "\n".join(lines)
    period = period_label(t, board.period) if board.period else t("targets.no_period")
    lines.append(t("targets.year", year=board.year, period=period))
    lines.append(_counts(t, board, results))
    lines += _sources(t, results)
    lines.append("")
    for result in results:
        lines += _result_lines(t, result)
    lines.append("")
    lines.append(t("targets.hint", example=results[0].sub_index.code))
    return "\n".join(lines)


def target_detail(
    t: Text,
    board: TargetsBoard,
    sub: SubIndex,
    result: TargetResult | None,
    directory: Directory,
    notes: tuple[str, ...] = (),
) -> str:
    lines = [
        t("score.sub.head", code=sub.code, name=sub.name),
        t("score.framework", framework=board.framework.name),
    ]
    if result is None:
        lines.append(t("targets.none_for", year=board.year))
    else:
        lines.append(
            t(
                "targets.year_status",
                year=board.year,
                status=t(f"targets.status.{result.status.value}"),
            )
        )
        for row in result.rows:
            part = sub.part(row.part)
            prefix = f"{part.name}: " if part else ""
            lines.append(f"• {prefix}{row_line(t, sub, row)}")
            m = row.actual
            if m is not None:
                lines.append(
                    t(
                        "targets.actual_source",
                        mark=MARKS[m.provenance],
                        period=period_label(t, m.period),
                        source=m.source,
                    )
                )
                if m.note:
                    lines.append(t("provenance.note", note=truncate(m.note, NOTE_LIMIT)))
    others = [x for x in sub.targets if x.year != board.year or x.kind.value != "target"]
    if others:
        lines.append(t("targets.others"))
        for x in others:
            part = sub.part(x.part)
            prefix = f"{part.name}: " if part else ""
            lines.append(
                t(
                    f"targets.kind_{x.kind.value}",
                    year=x.year,
                    figure=prefix + target_text(t, sub, x),
                    source=x.source,
                )
            )
    lines += [t("provenance.note_source", note=n) for n in notes]
    if sub.lead:
        lead = ", ".join(agency_now(t, directory, c) for c in sub.lead)
        lines.append(t("score.sub.lead", agencies=lead))
    if sub.source_ref:
        lines.append(t("targets.listed_in", source=sub.source_ref))
    return "\n".join(lines)


def index_view(t: Text, answer: IndexAnswer) -> str:
    """An index's results on its own scale, with ranks; one pillar when asked."""
    board: IndexBoard = answer.board
    fw: Framework = board.framework
    lines = [t("index.head", framework=fw.name)]
    if board.period is None:
        lines.append(t("index.none"))
        return "\n".join(lines)
    whole = board.whole
    source = whole.source if whole else next((m.source for _, m in board.pillars if m), "")
    kind = whole.provenance if whole else Provenance.OFFICIAL
    lines.append(
        t(
            "index.period",
            mark=MARKS[kind],
            kind=t(f"index.kind.{kind.value}"),
            period=period_label(t, board.period),
            source=source,
        )
    )
    wanted = answer.subject.code if answer.subject.kind is SubjectKind.PILLAR else None
    if whole is not None and wanted is None:
        lines.append(_index_line(t, t("index.whole"), whole))
    for pillar, m in board.pillars:
        if wanted is not None and pillar.code != wanted:
            continue
        if m is None:
            lines.append(t("index.pillar_missing", code=pillar.code, name=pillar.name))
        else:
            lines.append("• " + _index_line(t, f"{pillar.code}. {pillar.name}", m))
    return "\n".join(lines)


def _index_line(t: Text, name: str, m: Measurement) -> str:
    value = t.fixed(m.value, 4) if m.value is not None else "—"
    line = t("index.line", name=name, value=value)
    if m.rank is not None and m.rank_of is not None:
        line += " " + t("index.rank", rank=m.rank, of=m.rank_of)
    if m.note:
        line += f" ({inline(m.note)})"
    return line


def choice_view(t: Text, choice: FrameworkChoice, *, admin: bool) -> str:
    """/bochiso: the frameworks, the chat's one marked; how to choose."""
    lines = [t("frameworks.head")]
    for n, fw in enumerate(choice.frameworks, 1):
        mark = " ✅" if fw.code == choice.current else ""
        province = f" · {fw.province}" if fw.province else ""
        lines.append(
            t(
                "frameworks.line",
                n=n,
                name=fw.name,
                code=fw.code,
                kind=t(f"frameworks.kind.{fw.kind}"),
            )
            + province
            + mark
        )
    lines.append(t("frameworks.admin_hint" if admin else "frameworks.hint"))
    return "\n".join(lines)
