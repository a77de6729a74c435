"""Text of the update, review, evidence and my-work flows, through the catalogs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.status import ReviewStatus
from handlers.views import agency_label, period_label, short_name
from locales import Text
from scoring.engine import Measurement, measurement_points
from scoring.model import Directory, SubIndex
from services.mywork import MyWork
from services.updates import Preview, Stored
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
        lines.append(t("update.preview.note", note=p.note))
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
        if r.comment:
            lines.append(t("history.comment", comment=r.comment))
    if len(rows) > 10:
        lines.append(t("history.more", count=len(rows) - 10))
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
                status = t("mywork.returned_with", comment=item.comment)
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
        lines.append(t("update.preview.note", note=s.note))
    return "\n".join(lines)
