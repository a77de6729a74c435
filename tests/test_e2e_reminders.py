"""End to end: reminders through the local Bot API server, with the clock moved day by day."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from telegram.ext import Application

from bot.app import build_application
from bot.runtime import open_services
from bot.settings import Settings
from domain.chat import Destination
from handlers.reminder_job import JOB_NAME, send_due
from parsing.intents import Update as UpdateIntent
from services.container import Services
from services.identity import Caller
from services.updates import Preview
from tests.botapi import TOKEN, FakeBotApi
from tests.chat import ADMIN_ID, Chat
from tests.conftest import MovableClock
from tests.templates import Templates

GROUP = -100200300
SNV, SKHCN, VNPT, SCT = 2001, 2002, 2003, 2004


async def no_sleep(_seconds: float) -> None:
    """Back-off waits are skipped: the test moves time, it does not wait for it."""


def at_eight(day: date) -> datetime:
    """08:00:30 in Ho Chi Minh on `day`, just after the reminders' moment."""
    return datetime(day.year, day.month, day.day, 1, 0, 30, tzinfo=UTC)


async def link(svc: Services, telegram_id: int, agency: str) -> None:
    admin = await svc.identity.person(Caller(ADMIN_ID, "Quản trị"))
    invite = await svc.identity.create_invite(admin, agency)
    redeemed = await svc.identity.redeem(Caller(telegram_id, f"Đầu mối {agency}"), invite.code)
    assert redeemed.agency == agency


async def report(svc: Services, telegram_id: int, code: str, value: str) -> None:
    person = await svc.identity.person(Caller(telegram_id, "Đầu mối"))
    preview = await svc.updates.preview(person, UpdateIntent(code, value, None, ""), None)
    assert isinstance(preview, Preview), preview
    await svc.updates.confirm(person, preview.draft_id)


async def test_a_whole_quarter_sends_exactly_the_right_reminders_on_exactly_the_right_days(
    api: FakeBotApi, bot: Application, services: Services, clock: MovableClock
) -> None:
    for telegram_id, agency in ((SNV, "SNV"), (SKHCN, "SKHCN"), (VNPT, "VNPT"), (SCT, "SCT")):
        await link(services, telegram_id, agency)
    admin = await services.identity.person(Caller(ADMIN_ID, "Quản trị"))
    await services.digests.register_group(admin, Destination(GROUP), "BCĐ CĐS")
    received: dict[int, list[date]] = defaultdict(list)
    texts: dict[tuple[int, date], str] = {}
    day = date(2025, 10, 3)
    while day <= date(2026, 1, 2):
        clock.now = at_eight(day)
        if day == date(2025, 12, 19):  # VNPT reports everything it coordinates
            for code in ("3.1", "3.2", "3.3", "3.4"):
                await report(services, VNPT, code, "95")
            for code, value in (("7.4", "15"), ("8.2", "12,5")):
                await report(services, VNPT, code, value)
        if day == date(2025, 12, 21):
            await services.pauses.pause(await services.identity.person(Caller(SCT, "x")), 7)
        before = {
            chat: len(api.sent("sendMessage", chat_id=chat))
            for chat in (SNV, SKHCN, VNPT, SCT, GROUP)
        }
        await send_due(bot.bot, services, sleep=no_sleep)
        await send_due(
            bot.bot, services, sleep=no_sleep
        )  # a second tick the same day sends nothing
        for chat, count in before.items():
            # The yearly deadline (10/01/2026) has its own reminders: only this quarter's here.
            new = [
                m
                for m in api.sent("sendMessage", chat_id=chat)[count:]
                if "quý 4/2025" in m["text"]
            ]
            assert len(new) <= 1, (chat, day, new)
            if new:
                received[chat].append(day)
                texts[(chat, day)] = new[0]["text"]
        day += timedelta(days=1)

    # 7, 3, 1 and 0 days before 25/12/2025, 1 day after, and 7 days after: 01/01/2026 is Tết
    # Dương lịch, so the chaser goes out on the next working day.
    quarter = [date(2025, 12, d) for d in (18, 22, 24, 25, 26)] + [date(2026, 1, 2)]
    assert received[SNV] == quarter
    assert received[SKHCN] == quarter
    assert received[VNPT] == [date(2025, 12, 18)]  # everything in by the 19th
    assert received[SCT] == [date(2025, 12, 18), date(2026, 1, 2)]  # paused 21/12 to 28/12
    assert received[GROUP] == [date(2025, 12, 26)]

    first = texts[(SKHCN, date(2025, 12, 18))]
    assert first.startswith("⏰ Hạn báo cáo quý 4/2025: 25/12/2025 (còn 7 ngày).")
    assert "• 3.1 " in first
    later = texts[(SKHCN, date(2025, 12, 22))]
    assert "• 3.1 " not in later  # reported by VNPT meanwhile
    assert "• 1.1 " in later
    assert texts[(SNV, date(2025, 12, 26))].startswith(
        "⚠️ Đã quá hạn báo cáo quý 4/2025 (25/12/2025) 1 ngày."
    )
    summary = texts[(GROUP, date(2025, 12, 26))]
    assert "Báo cáo quý 4/2025" in summary or "báo cáo quý 4/2025" in summary
    assert "Sở Nội vụ: " in summary


async def test_a_restart_in_the_middle_of_a_run_sends_every_reminder_exactly_once(
    api: FakeBotApi, settings: Settings, clock: MovableClock
) -> None:
    people = list(range(5000, 5030))
    clock.now = at_eight(date(2025, 12, 18))
    local = settings.model_copy(
        update={"bot_api_base_url": api.base_url, "bot_api_file_url": api.base_file_url}
    )
    async with open_services(local, clock) as first:
        for telegram_id in people:
            await link(first, telegram_id, "SNV")
        app = build_application(local, first, token=TOKEN)
        async with app:
            run = asyncio.create_task(send_due(app.bot, first, sleep=no_sleep))
            await api.wait_for("sendMessage", count=10, timeout=20)
            api.delay_next("sendMessage", 30, times=len(people))  # the rest hang...
            await asyncio.sleep(0.3)
            run.cancel()  # ...and the process dies mid-run
            await asyncio.gather(run, return_exceptions=True)
    api.clear_faults()
    sent_before = {p for p in people if api.sent("sendMessage", chat_id=p)}
    assert 10 <= len(sent_before) < len(people)

    clock.advance(minutes=6)  # past the claim lease, still within the grace period
    async with open_services(local, clock) as second:
        app = build_application(local, second, token=TOKEN)
        async with app:
            await send_due(app.bot, second, sleep=no_sleep)
    assert all(len(api.sent("sendMessage", chat_id=p)) == 1 for p in people)


async def test_two_processes_on_one_database_send_each_reminder_once(
    api: FakeBotApi, database_url: str, clock: MovableClock, templates: Templates
) -> None:
    people = list(range(6000, 6040))
    clock.now = at_eight(date(2025, 12, 18))
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=database_url, admin_ids="1", reminder_tick_seconds=0,
        bot_api_base_url=api.base_url, bot_api_file_url=api.base_file_url,
    )  # fmt: skip
    # The first starts on a copy of the seeded template, the second finds it seeded.
    first = templates.open_runtime(settings, clock)
    async with first as runtime, open_services(settings, clock) as two:
        one = runtime.services
        for telegram_id in people:
            await link(one, telegram_id, "SKHCN")
        app_one = build_application(settings, one, token=TOKEN)
        app_two = build_application(settings, two, token=TOKEN)
        async with app_one, app_two:
            reports = await asyncio.gather(
                send_due(app_one.bot, one, sleep=no_sleep),
                send_due(app_two.bot, two, sleep=no_sleep),
            )
    assert sum(r.sent for r in reports) == len(people)
    assert all(len(api.sent("sendMessage", chat_id=p)) == 1 for p in people)


async def test_429s_and_5xx_are_absorbed_and_a_blocked_user_is_skipped_afterwards(
    api: FakeBotApi, bot: Application, services: Services, clock: MovableClock
) -> None:
    for telegram_id in (SNV, SKHCN, VNPT):
        await link(services, telegram_id, "SNV")
    clock.now = at_eight(date(2025, 12, 18))
    api.block_user(VNPT)
    api.fail_next("sendMessage", status=429, retry_after=1)
    api.fail_next("sendMessage", status=502, times=2)
    result = await send_due(bot.bot, services, sleep=no_sleep)
    assert (result.sent, result.blocked, result.failed) == (2, 1, [])
    assert len(api.sent("sendMessage", chat_id=SNV)) == 1
    assert len(api.sent("sendMessage", chat_id=SKHCN)) == 1

    clock.now = at_eight(date(2025, 12, 22))
    calls_before = len(api.calls)
    result = await send_due(bot.bot, services, sleep=no_sleep)
    tried = [c for c in api.calls[calls_before:] if c.method.lower() == "sendmessage"]
    assert result.sent == 2
    assert all(int(c.params["chat_id"]) != VNPT for c in tried)


async def test_a_reminder_that_keeps_failing_is_recorded_and_reported_to_administrators(
    api: FakeBotApi, bot: Application, services: Services, clock: MovableClock
) -> None:
    await link(services, SNV, "SNV")
    clock.now = at_eight(date(2025, 12, 18))
    api.fail_next("sendMessage", status=502, times=4)
    result = await send_due(bot.bot, services, sleep=no_sleep)
    assert len(result.failed) == 1
    told = await api.wait_for("sendMessage", chat_id=ADMIN_ID)
    assert "1 nhắc việc không gửi được" in told[0]["text"]
    view = await services.deliveries.operator_view()
    assert view.last_counts == {"failed": 1}


async def test_pause_calendar_move_and_the_operator_view_in_chat(
    api: FakeBotApi, bot: Application, services: Services, clock: MovableClock
) -> None:
    await link(services, SNV, "SNV")
    focal, admin = Chat(api, SNV), Chat(api, ADMIN_ID)
    calendar = await focal.say("/hanchot")
    assert "25/12/2025: báo cáo quý 4/2025 (còn 25 ngày)" in calendar["text"]
    assert "[quarterly:2025-Q4]" not in calendar["text"]
    assert "[quarterly:2025-Q4]" in (await admin.say("/hanchot"))["text"]
    moved = await admin.say("/doihan quarterly:2025-Q4 27/12/2025")
    assert "sang 27/12/2025" in moved["text"]
    assert "Gõ: /doihan" in (await admin.say("/doihan nothing 27/12/2025"))["text"]
    # 27/12/2025 is a Saturday: the deadline stays, with a note; its 7-day reminder (Saturday
    # 20/12) goes out on Friday 19/12.
    assert "27/12/2025" in moved["text"]
    assert "thứ Bảy" in (await admin.say("/hanchot"))["text"]
    assert "Không có gì" in (await admin.say("/nhacnho 20/12/2025"))["text"]
    dry = await admin.say("/nhacnho 19/12/2025")
    assert "báo cáo quý 4/2025 (mốc 7 ngày): 1 tin" in dry["text"]
    view = await admin.say("/nhacnho")
    assert "Lần gửi tới: 19/12/2025 08:00" in view["text"]
    assert "Chỉ quản trị viên" in (await focal.say("/nhacnho"))["text"]
    assert "Tạm dừng nhắc việc đến 07/12/2025" in (await focal.say("/tamdung 7"))["text"]
    assert "1 đến 90" in (await focal.say("/tamdung 500"))["text"]
    assert "1 đến 90" in (await focal.say("/tamdung 30 5005"))["text"]  # nothing is ignored
    clock.now = at_eight(date(2025, 12, 19))
    assert (await send_due(bot.bot, services, sleep=no_sleep)).sent == 1  # the pause has ended
    reminder = await focal.next_message()
    assert reminder["text"].startswith("⏰ Hạn báo cáo quý 4/2025: 27/12/2025 (còn 8 ngày).")
    assert "Đã bật lại" in (await focal.say("/tieptuc"))["text"]


async def test_a_leaders_group_is_registered_by_an_administrator_in_the_group(
    api: FakeBotApi, bot: Application
) -> None:
    api.group_text("/nhomlanhdao", chat_id=GROUP, user_id=ADMIN_ID)
    sent = await api.wait_for("sendMessage", chat_id=GROUP)
    assert "đã được đăng ký là nhóm lãnh đạo" in sent[0]["text"]
    api.group_text("/nhomlanhdao", chat_id=GROUP, user_id=SNV)
    sent = await api.wait_for("sendMessage", count=2, chat_id=GROUP)
    assert "Chỉ quản trị viên" in sent[1]["text"]
    api.group_text("/nhacnho 18/12/2025", chat_id=GROUP, user_id=ADMIN_ID)  # lists recipients
    sent = await api.wait_for("sendMessage", count=3, chat_id=GROUP)
    assert "tin nhắn riêng" in sent[2]["text"]


async def test_the_application_schedules_the_reminder_job_once_by_name(
    settings: Settings, services: Services
) -> None:
    app = build_application(
        settings.model_copy(update={"reminder_tick_seconds": 60}), services, token=TOKEN
    )
    assert app.job_queue is not None
    assert len(app.job_queue.get_jobs_by_name(JOB_NAME)) == 1


async def test_a_focal_point_gets_reminders_in_their_own_language(
    api: FakeBotApi, bot: Application, services: Services, clock: MovableClock
) -> None:
    admin = await services.identity.person(Caller(ADMIN_ID, "Quản trị"))
    invite = await services.identity.create_invite(admin, "SNV", max_uses=2)
    assert (await services.identity.redeem(Caller(SNV, "Anna", language="en"), invite.code)).new
    assert (await services.identity.redeem(Caller(SKHCN, "Hoa", language="vi"), invite.code)).new
    clock.now = at_eight(date(2025, 12, 18))
    await send_due(bot.bot, services, sleep=no_sleep)
    english = api.sent("sendMessage", chat_id=SNV)[0]["text"]
    assert english.startswith("⏰ Deadline for the report for Q4/2025: 25 Dec 2025 (7 days left).")
    assert api.sent("sendMessage", chat_id=SKHCN)[0]["text"].startswith(
        "⏰ Hạn báo cáo quý 4/2025: 25/12/2025"
    )
