"""Deadlines and reminders in chat: /hanchot (calendar), /themhan /doihan /huyhan (admins),
/tamdung /tieptuc (pause), /nhacnho (operator view, dry run), /nhomlanhdao (leaders' group)."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

from handlers.reminder_views import calendar_text, day_notes, deadline_label, operator_text
from handlers.request import ADMIN, ANYONE, Access, Request, Where, Who, handles
from parsing.arguments import clock_time, natural, period_code
from parsing.dates import parse_date
from parsing.period_text import PeriodTextError, find_period
from reminders.calendar import HOLDERS, Change, Schedule
from scoring.text import fold

HORIZON = timedelta(days=366)  # /hanchot lists the year ahead
MAX_PAUSE_DAYS = 90
STOP = {"tat", "off", "huy", "stop"}  # folded words that turn a group setting off


@handles(ANYONE)
async def calendar_command(request: Request) -> None:
    await show_calendar(request)


async def show_calendar(request: Request) -> None:
    """The deadlines ahead (with their keys for administrators in private)."""
    svc = request.services
    today = svc.calendar.today()
    upcoming = [d for d in await svc.deadlines.deadlines() if today <= d.due <= today + HORIZON]
    # Administrators see each deadline's key, for /doihan and /huyhan (in private only).
    keys = request.is_private and (await request.person()).is_admin
    await request.reply(
        calendar_text(
            request.t, upcoming, today, with_keys=keys, workdays=svc.deadlines.policy.workdays
        )
    )


@handles(ADMIN)
async def add_deadline_command(request: Request) -> None:
    """/themhan 15/12/2025 quý 4 Báo cáo bổ sung."""
    t, svc, args = request.t, request.services, request.args
    due = parse_date(args[0]) if args else None
    if due is None or len(args) < 2:
        await request.reply(t("deadlines.add_usage"))
        return
    try:
        period, title = find_period(" ".join(args[1:]), due)
    except PeriodTextError:
        period, title = None, ""
    if period is None:
        first, _, title = " ".join(args[1:]).partition(" ")
        period = period_code(first)
    if period is None:
        await request.reply(t("deadlines.add_usage"))
        return
    key = await svc.deadlines.next_custom_key()
    person = await request.person()
    await svc.deadlines.change(person, Change("add", key, due, period, HOLDERS, title.strip()))
    await request.reply(t("deadlines.added", key=key, date=t.date(due)))


@handles(ADMIN)
async def move_deadline_command(request: Request) -> None:
    """/doihan quarterly:2025-Q4 27/12/2025."""
    t, svc, args = request.t, request.services, request.args
    due = parse_date(args[1]) if len(args) == 2 else None
    known = {d.key: d for d in await svc.deadlines.deadlines()}
    if due is None or args[0] not in known:
        await request.reply(t("deadlines.move_usage"))
        return
    await svc.deadlines.change(await request.person(), Change("move", args[0], due))
    moved = replace(known[args[0]], due=due, placeholder=False)
    notes = day_notes(t, moved, svc.deadlines.policy.workdays)
    text = t("deadlines.moved", what=deadline_label(t, moved), date=t.date(due))
    await request.reply("\n".join([text, *notes]))


@handles(ADMIN)
async def cancel_deadline_command(request: Request) -> None:
    """/huyhan quarterly:2025-Q4."""
    t, svc, args = request.t, request.services, request.args
    known = {d.key: d for d in await svc.deadlines.deadlines()}
    if len(args) != 1 or args[0] not in known:
        await request.reply(t("deadlines.cancel_usage"))
        return
    await svc.deadlines.change(await request.person(), Change("cancel", args[0]))
    await request.reply(t("deadlines.cancelled", what=deadline_label(t, known[args[0]])))


@handles(ANYONE)
async def pause_command(request: Request) -> None:
    """/tamdung [days]: no reminders for that many days (7 by default)."""
    t, svc, args = request.t, request.services, request.args
    days = natural(args[0], 1, MAX_PAUSE_DAYS) if len(args) == 1 else 7
    if len(args) > 1 or days is None:
        await request.reply(t("pause.usage", max=MAX_PAUSE_DAYS))
        return
    until = await svc.pauses.pause(await request.person(), days)
    await request.reply(t("pause.done", date=t.date(svc.calendar.local(until).date())))


@handles(ANYONE)
async def resume_command(request: Request) -> None:
    await request.services.pauses.resume(await request.person())
    await request.reply(request.t("pause.resumed"))


@handles(ADMIN)
async def operator_command(request: Request) -> None:
    """/nhacnho: next run and last outcome; /nhacnho DD/MM/YYYY: what that day would send.
    Private chats only: the dry run lists recipients."""
    t, svc, args = request.t, request.services, request.args
    if not args:
        view = await svc.deliveries.operator_view()
        await request.reply(operator_text(t, view, svc.calendar.zone, svc.calendar.today()))
        return
    when = parse_date(args[0])
    if when is None:
        await request.reply(t("operator.usage", date=t.date(svc.calendar.today())))
        return
    _, directory = await request.reference()
    lines = [t("dryrun.head", date=t.date(when))]
    for run in await svc.deadlines.runs_on(when):
        outgoing = await svc.deliveries.outgoing(run)
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
    await request.reply("\n".join(lines))


@handles(Access(Where.GROUP, Who.ADMIN))
async def leaders_group_command(request: Request) -> None:
    """/nhomlanhdao in a group: it receives summaries; "/nhomlanhdao tat" stops them."""
    chat = request.update.effective_chat
    title = (chat.title if chat else None) or ""
    leaders = not (request.args and fold(request.args[0]) in STOP)
    person = await request.person()
    await request.services.digests.register_group(person, request.destination, title, leaders)
    await request.reply(request.t("group.registered" if leaders else "group.unregistered"))


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
        clock, day_of_month = clock_time(word), natural(word, 1, 28)
        if clock is not None:
            at = time(*clock)
        elif frequency == "weekly" and word in WEEKDAYS:
            day = WEEKDAYS[word]
        elif frequency == "monthly" and day_of_month is not None:
            day = day_of_month
        else:
            return ""
    return Schedule(frequency, day, at)


@handles(Access(Where.GROUP, Who.LEADER))
async def subscribe_command(request: Request) -> None:
    """/dangkytomtat tuan t2 08:00 | thang 1 08:00 | tat, in a group, by a leader or admin."""
    t = request.t
    schedule = parse_schedule(list(request.args))
    if isinstance(schedule, str):
        await request.reply(t("digest.usage"))
        return
    person = await request.person()
    await request.services.digests.subscribe(person, request.destination, schedule)
    if schedule is None:
        await request.reply(t("digest.stopped"))
        return
    when = t(
        f"digest.{schedule.frequency}",
        day=t(f"weekday.{schedule.day}") if schedule.frequency == "weekly" else schedule.day,
    )
    await request.reply(t("digest.done", when=when, time=schedule.at.strftime("%H:%M")))
