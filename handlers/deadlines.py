"""Deadlines and reminders in chat: /hanchot (calendar), /themhan /doihan /huyhan (admins),
/tamdung /tieptuc (pause), /nhacnho (operator view, dry run), /nhomlanhdao (leaders' group)."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

from telegram import Update

from handlers.context import Context, admin_or_refuse, is_private, person_of, services, text_for
from handlers.reminder_views import calendar_text, day_notes, deadline_label, operator_text
from parsing.dates import parse_date
from parsing.period_text import PeriodTextError, find_period
from reminders.calendar import HOLDERS, Change, Schedule
from scoring.periods import parse_period
from scoring.text import fold

HORIZON = timedelta(days=366)  # /hanchot lists the year ahead
MAX_PAUSE_DAYS = 90
STOP = {"tat", "off", "huy", "stop"}  # folded words that turn a group setting off


async def calendar_command(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    t, svc = text_for(context), services(context)
    today = svc.reminders.today()
    upcoming = [d for d in await svc.reminders.deadlines() if today <= d.due <= today + HORIZON]
    person = await person_of(update, context)
    await message.reply_text(
        calendar_text(
            t,
            upcoming,
            today,
            with_keys=bool(person and person.is_admin),
            workdays=svc.reminders.policy.workdays,
        )
    )


async def add_deadline_command(update: Update, context: Context) -> None:
    """/themhan 15/12/2025 quý 4 Báo cáo bổ sung."""
    message = update.effective_message
    person = await admin_or_refuse(update, context)
    if message is None or person is None:
        return
    t, svc = text_for(context), services(context)
    args = context.args or []
    due = parse_date(args[0]) if args else None
    if due is None or len(args) < 2:
        await message.reply_text(t("deadlines.add_usage"))
        return
    try:
        period, title = find_period(" ".join(args[1:]), due)
        if period is None:
            first, _, title = " ".join(args[1:]).partition(" ")
            period = parse_period(first).code
    except (PeriodTextError, ValueError):
        await message.reply_text(t("deadlines.add_usage"))
        return
    key = await svc.reminders.next_custom_key()
    await svc.reminders.change(person, Change("add", key, due, period, HOLDERS, title.strip()))
    await message.reply_text(t("deadlines.added", key=key, date=t.date(due)))


async def move_deadline_command(update: Update, context: Context) -> None:
    """/doihan quarterly:2025-Q4 27/12/2025."""
    message = update.effective_message
    person = await admin_or_refuse(update, context)
    if message is None or person is None:
        return
    t, svc = text_for(context), services(context)
    args = context.args or []
    due = parse_date(args[1]) if len(args) == 2 else None
    known = {d.key: d for d in await svc.reminders.deadlines()}
    if due is None or args[0] not in known:
        await message.reply_text(t("deadlines.move_usage"))
        return
    await svc.reminders.change(person, Change("move", args[0], due))
    moved = replace(known[args[0]], due=due, placeholder=False)
    notes = day_notes(t, moved, svc.reminders.policy.workdays)
    text = t("deadlines.moved", what=deadline_label(t, moved), date=t.date(due))
    await message.reply_text("\n".join([text, *notes]))


async def cancel_deadline_command(update: Update, context: Context) -> None:
    """/huyhan quarterly:2025-Q4."""
    message = update.effective_message
    person = await admin_or_refuse(update, context)
    if message is None or person is None:
        return
    t, svc = text_for(context), services(context)
    args = context.args or []
    known = {d.key: d for d in await svc.reminders.deadlines()}
    if len(args) != 1 or args[0] not in known:
        await message.reply_text(t("deadlines.cancel_usage"))
        return
    await svc.reminders.change(person, Change("cancel", args[0]))
    await message.reply_text(t("deadlines.cancelled", what=deadline_label(t, known[args[0]])))


async def pause_command(update: Update, context: Context) -> None:
    """/tamdung [days]: no reminders for that many days (7 by default)."""
    message = update.effective_message
    person = await person_of(update, context)
    if message is None or person is None:
        return
    t, svc = text_for(context), services(context)
    args = context.args or []
    if args and not (args[0].isdigit() and 1 <= int(args[0]) <= MAX_PAUSE_DAYS):
        await message.reply_text(t("pause.usage", max=MAX_PAUSE_DAYS))
        return
    until = await svc.reminders.pause(person, int(args[0]) if args else 7)
    await message.reply_text(
        t("pause.done", date=t.date(until.astimezone(svc.reminders.zone).date()))
    )


async def resume_command(update: Update, context: Context) -> None:
    message = update.effective_message
    person = await person_of(update, context)
    if message is None or person is None:
        return
    await services(context).reminders.resume(person)
    await message.reply_text(text_for(context)("pause.resumed"))


async def operator_command(update: Update, context: Context) -> None:
    """/nhacnho: next run and last outcome; /nhacnho 18/12/2025: what that day would send.
    Private chats only: the dry run lists recipients."""
    message = update.effective_message
    person = await admin_or_refuse(update, context)
    if message is None or person is None:
        return
    t, svc = text_for(context), services(context)
    if not is_private(update):
        await message.reply_text(t("private.only", bot=context.bot.username))
        return
    args = context.args or []
    if not args:
        await message.reply_text(
            operator_text(t, await svc.reminders.operator_view(), svc.reminders.zone)
        )
        return
    when = parse_date(args[0])
    if when is None:
        await message.reply_text(t("operator.usage"))
        return
    _, directory = await svc.scores.reference()
    lines = [t("dryrun.head", date=t.date(when))]
    for run in await svc.reminders.runs_on(when):
        outgoing = await svc.reminders.outgoing(run)
        lines.append(
            t(
                "dryrun.run",
                what=deadline_label(t, run.deadline),
                offset=run.offset,
                count=len(outgoing),
            )
        )
        for out in outgoing[:20]:
            owed = "; ".join(f"{directory.name_of(a)}: {', '.join(c)}" for a, c in out.missing)
            lines.append(f"  • {out.chat_id} ({t(f'kind.{out.kind}')}) {owed}".rstrip())
    if len(lines) == 1:
        lines.append(t("dryrun.nothing"))
    await message.reply_text("\n".join(lines)[:4000])


async def _in_group(update: Update, context: Context) -> bool:
    """True in a group; in a private chat, says the command belongs in the group."""
    if update.effective_chat is not None and update.effective_chat.type != "private":
        return True
    if update.effective_message is not None:
        await update.effective_message.reply_text(text_for(context)("group.only_in_group"))
    return False


async def leaders_group_command(update: Update, context: Context) -> None:
    """/nhomlanhdao in a group: it receives summaries; "/nhomlanhdao tat" stops them."""
    message, chat = update.effective_message, update.effective_chat
    person = await admin_or_refuse(update, context)
    if message is None or chat is None or person is None:
        return
    t = text_for(context)
    if not await _in_group(update, context):
        return
    leaders = not (context.args and fold(context.args[0]) in STOP)
    await services(context).reminders.register_group(person, chat.id, chat.title or "", leaders)
    await message.reply_text(t("group.registered" if leaders else "group.unregistered"))


# Weekday words: thứ 2 (Monday) … chủ nhật (Sunday), and English names.
WEEKDAYS = {"t2": 0, "t3": 1, "t4": 2, "t5": 3, "t6": 4, "t7": 5, "cn": 6}
WEEKDAYS |= {f"thu{n}": n - 2 for n in range(2, 8)}
WEEKDAYS |= {
    name: i
    for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
FREQUENCIES = {"tuan": "weekly", "weekly": "weekly", "thang": "monthly", "monthly": "monthly"}


def parse_schedule(args: list[str]) -> Schedule | None | str:
    """A schedule from "tuan t2 08:00" / "thang 1 07:30"; None to stop; "" when unreadable."""
    words = [a if ":" in a else fold(a).replace(" ", "") for a in args]  # folding drops ":"
    if words and words[0] in STOP:
        return None
    if not words or words[0] not in FREQUENCIES:
        return ""
    frequency = FREQUENCIES[words[0]]
    day, at = (0 if frequency == "weekly" else 1), time(8, 0)
    for word in words[1:]:
        if ":" in word:
            hour, _, minute = word.partition(":")
            if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
                return ""
            at = time(int(hour), int(minute))
        elif frequency == "weekly" and word in WEEKDAYS:
            day = WEEKDAYS[word]
        elif frequency == "monthly" and word.isdigit() and 1 <= int(word) <= 28:
            day = int(word)
        else:
            return ""
    return Schedule(frequency, day, at)


async def subscribe_command(update: Update, context: Context) -> None:
    """/dangkytomtat tuan t2 08:00 | thang 1 08:00 | tat, in a group, by a leader or admin."""
    message, chat = update.effective_message, update.effective_chat
    person = await person_of(update, context)
    if message is None or chat is None or person is None:
        return
    t = text_for(context)
    if not await _in_group(update, context):
        return
    if person.role not in ("leader", "admin"):
        await message.reply_text(t("digest.not_allowed"))
        return
    schedule = parse_schedule(context.args or [])
    if schedule == "":
        await message.reply_text(t("digest.usage"))
        return
    assert not isinstance(schedule, str)  # noqa: S101 - narrowed above
    await services(context).reminders.subscribe(person, chat.id, schedule)
    if schedule is None:
        await message.reply_text(t("digest.stopped"))
        return
    when = t(
        f"digest.{schedule.frequency}",
        day=t(f"weekday.{schedule.day}") if schedule.frequency == "weekly" else schedule.day,
    )
    await message.reply_text(t("digest.done", when=when, time=schedule.at.strftime("%H:%M")))
