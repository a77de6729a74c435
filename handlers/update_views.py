"""Text of the update, review, evidence and my-work flows, through the catalogs.

What people typed (notes, reasons, explanations) is bounded when typed, but older rows may hold
more: lists show it on one line, cut with "…", and point to /lichsu CODE #ID, which shows it
whole (split into several messages if need be)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.messages import LIST_WIDTH, NOTE_LIMIT, inline, truncate
from domain.status import ReviewStatus
from handlers.views import agency_label, period_label, short_name
from locales import Text
from scoring.engine import Measurement, measurement_points
from scoring.model import Directory, SubIndex
from services.mywork import MyWork
from services.updates import Detail, Preview, Stored
from storage.db import as_utc
from storage.values import SubmissionView

MISSING = "missing"  # no value for the period yet (status.missing)
STATUS_ICON = {
    MISSING: "⬜",
    ReviewStatus.PENDING: "⏳",
    ReviewStatus.APPROVED: "✅",
    ReviewStatus.REJECTED: "↩️",
}


def when(t: Text, at: datetime, zone: ZoneInfo) -> str:
    return t.datetime(as_utc(at).astimezone(zone))


def value_text(t: Text, value: Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "có/không":
        return t("value.yes") if value else t("value.no")
    return f"{t.num(value, 4)} {unit}".strip()


def preview_text(t: Text, p: Preview) -> str:
    sub = p.sub
    lines = [
        t("update.preview.head"),
        f"{sub.code} {sub.name}",
        t("update.preview.period", period=period_label(t, p.period)),
        t("update.preview.value", value=value_text(t, p.value, sub.unit)),
        t(
            "update.preview.points",
            before=t.num(p.points_before)
            if p.points_before is not None
            else t("update.preview.none"),
            after=t.num(p.points_after),
            max=t.num(sub.max_points),
        ),
        t("update.preview.pillar", before=t.num(p.pillar_before), after=t.num(p.pillar_after)),
        t("update.preview.total", before=t.num(p.total_before), after=t.num(p.total_after)),
    ]
    if p.note:
        lines.append(t("update.preview.note", note=truncate(p.note, NOTE_LIMIT)))
    lines.append(t("update.preview.ask"))
    return "\n".join(lines)


def stored_text(t: Text, s: Stored) -> str:
    return t(
        "update.stored",
        code=s.sub.code,
        value=value_text(t, s.value, s.sub.unit),
        period=period_label(t, s.period),
        id=s.submission_id,
    )


def history_text(
    t: Text, sub: SubIndex, rows: list[SubmissionView], directory: Directory, zone: ZoneInfo
) -> str:
    lines = [t("history.head", code=sub.code, name=short_name(sub.name, 60))]
    if not rows:
        lines.append(t("history.empty", code=sub.code))
    cut: int | None = None
    for r in reversed(rows[-10:]):
        shown = (
            value_text(t, r.value, r.unit)
            if r.value is not None
            else t("history.points", points=t.num(r.points or 0))
        )
        who = r.user_name or r.source
        if r.agency:
            who = f"{who} ({agency_label(directory, r.agency)})"
        line = t(
            "history.line",
            id=r.id,
            period=period_label(t, r.period),
            value=shown,
            who=who,
            at=when(t, r.created_at, zone),
            status=t(f"status.{r.status}"),
        )
        lines.append(line)
        if r.note:
            lines.append(t("history.note", note=inline(r.note)))
        if r.comment:
            lines.append(t("history.comment", comment=inline(r.comment)))
        if cut is None and (inline(r.note) != r.note or inline(r.comment) != r.comment):
            cut = r.id
    if len(rows) > 10:
        lines.append(t("history.more", count=len(rows) - 10))
    if rows:  # how to read one value whole: the first shown cut, else the newest
        lines.append(t("history.read_whole", code=sub.code, id=cut or rows[-1].id))
    return "\n".join(lines)


def detail_text(t: Text, sub: SubIndex, d: Detail, directory: Directory, zone: ZoneInfo) -> str:
    """/lichsu 8.2 #12: one value with everything typed about it, whole."""
    s = d.submission
    shown = (
        value_text(t, s.value, s.unit)
        if s.value is not None
        else t("history.points", points=t.num(s.points or 0))
    )
    who = s.user_name or s.source
    if s.agency:
        who = f"{who} ({agency_label(directory, s.agency)})"
    lines = [
        t("history.detail.head", id=s.id, code=sub.code, name=short_name(sub.name, 60)),
        t("history.detail.value", period=period_label(t, s.period), value=shown),
        t("review.by", who=who, at=when(t, s.created_at, zone)),
    ]
    if d.review is None:
        lines.append(t("history.detail.status", status=t(f"status.{s.status}")))
    else:
        lines.append(
            t(
                "history.detail.decided",
                decision=t(f"decision.{d.review.decision}"),
                who=d.review.reviewer or "—",
                at=when(t, d.review.at, zone),
            )
        )
        if d.review.comment:
            lines.append(t("history.detail.reason", comment=d.review.comment))
    if s.note:
        lines.append(t("update.preview.note", note=s.note))
    if d.explanations:
        lines.append(t("history.detail.explanations", period=period_label(t, s.period)))
    for e in d.explanations:
        lines.append(t("history.detail.explanation", who=e.author or "—", at=when(t, e.at, zone)))
        lines.append(e.text)
    return "\n".join(lines)


def mywork_text(t: Text, work: MyWork, directory: Directory) -> str:
    lines = [t("mywork.head", period=period_label(t, work.period))]
    if work.deadline is not None:
        key = "mywork.deadline" if work.days_left >= 0 else "mywork.overdue"
        lines.append(t(key, date=t.date(work.deadline.due), days=abs(work.days_left)))
    if not work.agencies:
        lines.append(t("mywork.no_agency"))
    for group in work.agencies:
        lines.append("")
        lines.append(t("mywork.agency", agency=directory.name_of(group.agency)))
        for item in group.items:
            shown = item.status or MISSING
            status = t(f"status.{shown}")
            if item.comment:
                status = t("mywork.returned_with", comment=inline(item.comment, LIST_WIDTH // 2))
            role = t(f"role.{item.role}")
            name = short_name(item.sub.name, 40)
            lines.append(f"{STATUS_ICON[shown]} {item.sub.code} {name} · {role} · {status}")
    return "\n".join(lines)


def review_text(
    t: Text,
    s: SubmissionView,
    sub: SubIndex,
    waiting: int,
    evidence: int,
    directory: Directory,
    zone: ZoneInfo,
) -> str:
    points = measurement_points(sub, Measurement(s.code, s.period, s.value, s.points))
    who = s.user_name + (f" ({agency_label(directory, s.agency)})" if s.agency else "")
    lines = [
        t("review.head", count=waiting),
        t("review.item", id=s.id, code=sub.code, name=short_name(sub.name, 60)),
        t(
            "review.value",
            period=period_label(t, s.period),
            value=value_text(t, s.value, sub.unit),
            points=t.num(points),
            max=t.num(sub.max_points),
        ),
        t("review.by", who=who, at=when(t, s.created_at, zone)),
        t("review.evidence", count=evidence),
    ]
    if s.note:
        lines.append(t("update.preview.note", note=truncate(s.note, NOTE_LIMIT)))
        if len(s.note) > NOTE_LIMIT:  # an older note, typed before notes were bounded
            lines.append(t("history.read_whole", code=sub.code, id=s.id))
    return "\n".join(lines)
