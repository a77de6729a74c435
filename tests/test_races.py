"""Two bot processes on one database (SQLite and PostgreSQL): each has its own engine and
connection pool, which is what two processes are to the database, and its own Application.

A value is decided exactly once when two administrators decide it at the same moment (20 rounds
of approve + approve and of approve + return): one review row, the author told once, the other
administrator told who decided what. A new user's first two messages reaching both processes at
once register them once, without a unique violation. NUL characters never reach PostgreSQL, in
process or through the running bot's intake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.runtime import open_runtime
from bot.settings import Settings
from domain.status import ReviewStatus
from handlers.context import Context
from parsing.intents import Update as UpdateIntent
from services.container import Services
from services.identity import Caller, Person
from services.refusal import Refusal
from storage import journal
from storage import values as values_repo
from storage.db import make_engine, make_sessions
from storage.models import ReviewRow, UserRow
from tests.botapi import TOKEN, FakeBotApi
from tests.conftest import DATA, MovableClock
from tests.intake import eventually, journal_statuses, running
from tests.templates import Templates

ROUNDS = 20
FIRST, SECOND, FOCAL = 1, 2, 6001  # two administrators (ADMIN_IDS) and a focal point


@dataclass
class Process:
    """One bot process: its services (its own engine) and its Application."""

    services: Services
    app: Application  # type: ignore[type-arg]
    errors: list[BaseException] = field(default_factory=list)

    async def handle(self, update: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(update, self.app.bot))


@asynccontextmanager
async def two_processes(
    database_url: str, api: FakeBotApi, clock: MovableClock, templates: Templates
) -> AsyncIterator[tuple[Process, Process]]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        bot_token=None,
        data_dir=DATA,
        admin_ids="1,2",
        reminder_tick_seconds=0,
        bot_api_base_url=api.base_url,
        bot_api_file_url=api.base_file_url,
    )
    async with AsyncExitStack() as stack:
        processes = []
        for _ in range(2):
            # The first starts on a copy of the seeded template, the second finds it seeded.
            runtime = await stack.enter_async_context(templates.open_runtime(settings, clock))
            services = runtime.services
            app = build_application(settings, services, token=TOKEN, rate_limited=False)
            await stack.enter_async_context(app)
            process = Process(services, app)

            async def record(update: object, context: Context, process: Process = process) -> None:
                if context.error is not None:
                    process.errors.append(context.error)

            app.add_error_handler(record)
            processes.append(process)
        yield processes[0], processes[1]
        assert processes[0].errors == processes[1].errors == []


async def focal_point(services: Services) -> Person:
    admin = await services.identity.person(Caller(FIRST, "Quản trị Một"))
    invite = await services.identity.create_invite(admin, "SKHCN")
    await services.identity.redeem(Caller(FOCAL, "Hoa"), invite.code)
    return await services.identity.person(Caller(FOCAL, "Hoa"))


async def submitted(services: Services, focal: Person, n: int) -> int:
    preview = await services.updates.preview(
        focal, UpdateIntent("8.2", f"{10 + n},5", None, ""), None
    )
    return (await services.updates.confirm(focal, preview.draft_id)).submission_id


async def reviews_of(engine: AsyncEngine, submission_id: int) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).where(ReviewRow.submission_id == submission_id)
        return int(await conn.scalar(query) or 0)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.mark.parametrize("second", ["approve", "return"])
async def test_two_administrators_deciding_one_value_on_two_processes_decide_it_once(
    database_url: str, api: FakeBotApi, clock: MovableClock, templates: Templates, second: str
) -> None:
    async with two_processes(database_url, api, clock, templates) as (one, two):
        focal = await focal_point(one.services)
        counter = make_engine(database_url)
        try:
            for n in range(ROUNDS):
                submission_id = await submitted(one.services, focal, n)
                calls = len(api.calls)
                pressed = api.callback_query(
                    f"rv:ok:{submission_id}",
                    message=api.bot_message(FIRST, "🔎 Chờ thẩm định"),
                    user_id=FIRST,
                    first_name="Quản trị Một",
                )
                other = (
                    api.callback_query(
                        f"rv:ok:{submission_id}",
                        message=api.bot_message(SECOND, "🔎 Chờ thẩm định"),
                        user_id=SECOND,
                        first_name="Quản trị Hai",
                    )
                    if second == "approve"
                    else api.private_text(
                        f"/tralai {submission_id} Thiếu minh chứng",
                        user_id=SECOND,
                        first_name="Quản trị Hai",
                    )
                )
                await asyncio.gather(one.handle(pressed), two.handle(other))

                assert await reviews_of(counter, submission_id) == 1, f"round {n}"
                said = [
                    str(c.params.get("text") or "")
                    for c in api.calls[calls:]
                    if c.method in ("sendMessage", "answerCallbackQuery")
                ]
                told = [s for s in said if s.startswith(f"✅ Số liệu #{submission_id}:")]
                told += [s for s in said if s.startswith(f"↩️ Số liệu #{submission_id}")]
                assert len(told) == 1, f"round {n}: the author was told {told}"
                refused = [s for s in said if f"#{submission_id} đã được Quản trị" in s]
                assert len(refused) == 1, f"round {n}: {said}"
                assert " lúc 30/11/2025 09:00" in refused[0]
        finally:
            await counter.dispose()


async def _until_waiting(engine: AsyncEngine) -> None:
    """Until another transaction waits for a lock (PostgreSQL shows it; SQLite's writer waits
    in BEGIN IMMEDIATE, which nothing shows, so give it a moment)."""
    if engine.dialect.name != "postgresql":
        await asyncio.sleep(0.3)
        return
    for _ in range(200):
        async with engine.connect() as conn:
            if await conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
                return
        await asyncio.sleep(0.02)
    pytest.fail("the second decision never waited for the first")


async def test_a_decision_committed_while_another_is_checked_leaves_the_second_refused(
    database_url: str,
    api: FakeBotApi,
    clock: MovableClock,
    templates: Templates,
    engine: AsyncEngine,
) -> None:
    """The moment a status check cannot see: the first decision is written but not committed
    when the second is checked. The database refuses the second; its author is told who
    decided what, and when."""
    async with two_processes(database_url, api, clock, templates) as (one, two):
        focal = await focal_point(one.services)
        submission_id = await submitted(one.services, focal, 0)
        first = await one.services.identity.person(Caller(FIRST, "Quản trị Một"))
        second = await two.services.identity.person(Caller(SECOND, "Quản trị Hai"))
        sessions = make_sessions(engine)
        async with sessions() as session, session.begin():
            await values_repo.add_review(
                session, submission_id, ReviewStatus.APPROVED, "", first.user_id, clock()
            )
            await session.flush()
            deciding = asyncio.create_task(
                two.services.review.decide(second, submission_id, ReviewStatus.REJECTED, "Sai")
            )
            await _until_waiting(engine)
            assert not deciding.done()
        with pytest.raises(Refusal) as refused:
            await deciding
        assert refused.value.message == "problem.review.decided"
        assert refused.value.params["who"] == "Quản trị Một"
        assert refused.value.params["decision"] is ReviewStatus.APPROVED
        assert await reviews_of(engine, submission_id) == 1


async def test_the_database_refuses_a_second_review_of_one_submission(
    database_url: str,
    api: FakeBotApi,
    clock: MovableClock,
    templates: Templates,
    engine: AsyncEngine,
) -> None:
    async with two_processes(database_url, api, clock, templates) as (one, _):
        focal = await focal_point(one.services)
        submission_id = await submitted(one.services, focal, 0)
        admin = await one.services.identity.person(Caller(FIRST, "Quản trị Một"))
        await one.services.review.decide(admin, submission_id, ReviewStatus.APPROVED)
        sessions = make_sessions(engine)
        with pytest.raises(IntegrityError):
            async with sessions() as session, session.begin():
                await values_repo.add_review(
                    session, submission_id, ReviewStatus.REJECTED, "x", admin.user_id, clock()
                )


async def test_a_new_users_first_two_messages_on_two_processes_register_them_once(
    database_url: str,
    api: FakeBotApi,
    clock: MovableClock,
    templates: Templates,
    engine: AsyncEngine,
) -> None:
    async with two_processes(database_url, api, clock, templates) as (one, two):
        for n in range(ROUNDS):
            user_id, name = 8000 + n, f"Người mới {n}"
            await asyncio.gather(
                # Both look the sender up, so both register them.
                one.handle(api.private_text("/chiso", user_id=user_id, first_name=name)),
                two.handle(api.private_text("/capnhat 8.2 1", user_id=user_id, first_name=name)),
            )
            callers = [Caller(user_id + 100, name), Caller(user_id + 100, name)]
            people = await asyncio.gather(
                one.services.identity.person(callers[0]),
                two.services.identity.person(callers[1]),
            )
            assert people[0].user_id == people[1].user_id
        async with engine.connect() as conn:
            users = await conn.scalar(
                select(func.count(UserRow.id)).where(UserRow.telegram_id.between(8000, 8199))
            )
            distinct = await conn.scalar(
                select(func.count(func.distinct(UserRow.telegram_id))).where(
                    UserRow.telegram_id.between(8000, 8199)
                )
            )
        assert users == distinct == 2 * ROUNDS


async def test_a_user_who_writes_again_gets_their_name_updated_and_is_no_longer_blocked(
    database_url: str,
    api: FakeBotApi,
    clock: MovableClock,
    templates: Templates,
    engine: AsyncEngine,
) -> None:
    async with two_processes(database_url, api, clock, templates) as (one, _):
        await one.services.identity.person(Caller(8500, "Tên cũ"))
        async with engine.begin() as conn:
            await conn.execute(
                UserRow.__table__.update()
                .where(UserRow.telegram_id == 8500)
                .values(blocked_at=clock(), language="en")
            )
        person = await one.services.identity.person(Caller(8500, "Tên mới", "moi", "vi"))
        assert person.name == "Tên mới"
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    select(UserRow.blocked_at, UserRow.language, UserRow.username).where(
                        UserRow.telegram_id == 8500
                    )
                )
            ).one()
        assert tuple(row) == (None, "en", "moi")  # the language they chose stays


async def test_nul_characters_in_commands_and_text_never_reach_the_database(
    database_url: str, api: FakeBotApi, clock: MovableClock, templates: Templates
) -> None:
    async with two_processes(database_url, api, clock, templates) as (one, _):
        await focal_point(one.services)
        for user_id, typed in [
            (7001, "/start ABC\x00DEF"),
            (FIRST, "/thuhoi AB\x00CD2345"),
            (FIRST, "/moi SK\x00HCN"),
            (FOCAL, "/giaitrinh 8.2 Hệ thống\x00 lỗi"),
            (FOCAL, "/capnhat 8.2 12,5 ghi\x00chú"),
            (FOCAL, "8.2: 13,5 theo\x00 báo cáo"),
            (7001, "\x00"),
            (7001, "/start \x00"),
        ]:
            calls = len(api.calls)
            await one.handle(api.private_text(typed, user_id=user_id, first_name="Tên\x00"))
            answers = [c for c in api.calls[calls:] if c.method == "sendMessage"]
            assert answers, typed
            assert all(c.status == 200 for c in answers)
        replies = [str(m.get("text")) for m in api.sent_messages(7001)]
        assert any("Mã mời ABCDEF không đúng" in r for r in replies)


async def test_the_running_bot_records_and_answers_updates_with_nul_characters(
    database_url: str, api: FakeBotApi, clock: MovableClock
) -> None:
    """Through the whole intake (the update journal, then the handlers), on PostgreSQL too."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=database_url, bot_token=None, data_dir=DATA,
        admin_ids="1,2", reminder_tick_seconds=0,
    )  # fmt: skip
    async with open_runtime(settings, clock) as runtime, running(api, settings, runtime) as bot:
        api.private_text("/start ABC\x00DEF", user_id=7101, first_name="Tên\x00")
        api.private_text("8.2\x00: 12", user_id=7101)
        api.private_document("a\x00.pdf", caption="minh chứng 8.2\x00", user_id=7101)
        sent = await api.wait_for("sendMessage", count=3, chat_id=7101)
        assert "Mã mời ABCDEF không đúng" in sent[0]["text"]
        await eventually(lambda: bot.metrics.updates_handled._value.get() == 3, "handled")
        statuses = await journal_statuses(bot)
    assert statuses == {journal.HANDLED: 3}
