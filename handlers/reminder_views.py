"""Reminder, overdue, summary and calendar texts, through the catalogs."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.messages import TITLE_LIMIT, inline
from handlers.views import period_label, short_name
from locales import Text
from reminders.calendar import Deadline, Run
from reminders.holidays import WorkCalendar
from scoring.model import Directory, Framework
from services.deliveries import OperatorView, Outgoing

MAX_LINES = 25  # sub-indices or agencies listed before "and N more"
MAX_BUTTONS = 12
UPDATE_PREFIX = "upd:ask:"  # the "update this one" button of /chiso (handlers.updates)


def deadline_label(t: Text, d: Deadline) -> str:
    if d.kind == "custom" and d.title:
        return inline(d.title, TITLE_LIMIT)  # one line; bounded when typed, older ones cut here
    return t(f"deadline.{d.kind}", period=period_label(t, d.period))


def day_notes(t: Text, d: Deadline, workdays: WorkCalendar | None) -> list[str]:
    """What a reader must know about a deadline's date: a placeholder the plan does not give,
    a day offices do not work."""
    notes = []
    if d.placeholder:
        notes.append(t("deadline.placeholder"))
    if workdays is not None:
        holiday = workdays.holiday(d.due, t.lang)
        if holiday:
            notes.append(t("deadline.on_holiday", name=holiday))
        elif workdays.is_weekend(d.due):
            notes.append(t("deadline.on_weekend", day=t(f"weekday.{d.due.weekday()}")))
    return notes


def reminder_text(
    t: Text,
    run: Run,
    out: Outgoing,
    framework: Framework,
    directory: Directory,
    today: date,
    workdays: WorkCalendar | None = None,
) -> str:
    d = run.deadline
    notes = day_notes(t, d, workdays)
    if out.kind == "conference":
        text = t(
            "reminder.conference",
            what=deadline_label(t, d),
            date=t.date(d.due),
            days=d.days_left(today),
        )
        return "\n".join([text, *notes])
    if out.kind == "summary":
        return summary_text(t, run, out, directory)
    key = "reminder.overdue" if run.overdue else "reminder.head"
    lines = [t(key, what=deadline_label(t, d), date=t.date(d.due), days=abs(d.days_left(today)))]
    lines += notes
    shown = 0
    for agency, codes in out.missing:
        lines.append(
            t("reminder.agency_missing", agency=directory.name_of(agency), count=len(codes))
        )
        for code in codes:
            if shown == MAX_LINES:
                break
            sub = framework.sub_index(code)
            lines.append(f"• {code} {short_name(sub.name, 50) if sub else ''}".rstrip())
            shown += 1
    total = sum(len(c) for _, c in out.missing)
    if total > shown:
        lines.append(t("reminder.more", count=total - shown))
    lines.append(t("reminder.tail"))
    return "\n".join(lines)


def reminder_buttons(t: Text, out: Outgoing) -> InlineKeyboardMarkup | None:
    codes = list(dict.fromkeys(c for _, codes in out.missing for c in codes))[:MAX_BUTTONS]
    if out.kind not in ("reminder", "overdue") or not codes:
        return None
    rows = [
        [
            InlineKeyboardButton(t("button.update", code=c), callback_data=f"{UPDATE_PREFIX}{c}")
            for c in codes[i : i + 3]
        ]
        for i in range(0, len(codes), 3)
    ]
    return InlineKeyboardMarkup(rows)


def summary_text(t: Text, run: Run, out: Outgoing, directory: Directory) -> str:
    d = run.deadline
    lines = [
        t(
            "summary.head",
            what=deadline_label(t, d),
            date=t.date(d.due),
            reported=out.reported,
            expected=out.expected,
        )
    ]
    if out.missing:
        lines.append(t("summary.late"))
    for agency, codes in out.missing[:MAX_LINES]:
        listed = ", ".join(codes[:8]) + ("…" if len(codes) > 8 else "")
        lines.append(f"• {directory.name_of(agency)}: {listed}")
    if len(out.missing) > MAX_LINES:
        lines.append(t("reminder.more", count=len(out.missing) - MAX_LINES))
    return "\n".join(lines)


def calendar_text(
    t: Text,
    deadlines: list[Deadline],
    today: date,
    *,
    with_keys: bool,
    workdays: WorkCalendar | None = None,
) -> str:
    lines = [t("deadlines.head")]
    for d in deadlines:
        line = t(
            "deadlines.line",
            date=t.date(d.due),
            what=deadline_label(t, d),
            days=d.days_left(today),
        )
        notes = day_notes(t, d, workdays)
        if notes:
            line = f"{line} — {'; '.join(notes)}"
        lines.append(f"{line} [{d.key}]" if with_keys else line)
    lines.append(t("deadlines.source"))
    if with_keys:
        lines.append(t("deadlines.admin_hint"))
    return "\n".join(lines)


def operator_text(t: Text, view: OperatorView, zone: ZoneInfo, today: date) -> str:
    lines = [t("operator.head")]
    if view.next_run is None:
        lines.append(t("operator.no_next"))
    else:
        r = view.next_run
        lines.append(
            t(
                "operator.next",
                at=t.datetime(r.at.astimezone(zone)),
                what=deadline_label(t, r.deadline),
                offset=r.offset,
                count=view.next_recipients,
            )
        )
    if view.last_run is None:
        lines.append(t("operator.no_last"))
    else:
        c = view.last_counts
        lines.append(
            t(
                "operator.last",
                run=view.last_run,
                sent=c.get("sent", 0),
                failed=c.get("failed", 0),
                blocked=c.get("blocked", 0),
                unknown=c.get("unknown", 0),
                open=c.get("claimed", 0),
            )
        )
    # The example day is the next run's (else today), so the hint is never a day in the past.
    example = view.next_run.at.astimezone(zone).date() if view.next_run else today
    lines.append(t("operator.hint", date=t.date(example)))
    return "\n".join(lines)
