"""The delivery record on SQLite and PostgreSQL: claims, unknown outcomes, releases, and a group
that became a supergroup (storage.deliveries, storage.groups)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.chat import Destination
from storage import deliveries, groups
from storage.db import make_engine, make_sessions
from storage.models import ChatRow, DeliveryRow, DigestRow
from tests.templates import Templates

NOW = datetime(2025, 12, 18, 1, 0, 30, tzinfo=UTC)
LEASE, RECHECK = timedelta(minutes=5), timedelta(minutes=10)
RUN = "quarterly:2025-Q4@+7"
GROUP, SUPERGROUP = -4001, -1004001

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessions(database_url: str, templates: Templates) -> AsyncIterator[Sessions]:
    await templates.migrate(database_url)
    engine = make_engine(database_url)
    try:
        yield make_sessions(engine)
    finally:
        await engine.dispose()


async def claim(sessions: Sessions, owner: str, at: datetime, chat: int = 7001) -> int | None:
    async with sessions() as session, session.begin():
        key = f"{RUN}|{chat}|reminder"
        return await deliveries.claim(
            session, key, RUN, chat, "reminder", owner, at, LEASE, RECHECK
        )


async def finish(sessions: Sessions, delivery: int, owner: str, status: str, at: datetime) -> None:
    async with sessions() as session, session.begin():
        await deliveries.finish(session, delivery, owner, status, 1, at)


async def row(sessions: Sessions, delivery: int) -> DeliveryRow:
    async with sessions() as session:
        found = await session.get(DeliveryRow, delivery)
        assert found is not None
        return found


async def test_a_delivery_is_claimed_once_and_taken_over_only_after_its_lease(
    sessions: Sessions,
) -> None:
    delivery = await claim(sessions, "a", NOW)
    assert delivery is not None
    assert await claim(sessions, "b", NOW + LEASE) is None  # still within the lease
    assert await claim(sessions, "b", NOW + LEASE + timedelta(seconds=1)) == delivery
    await finish(sessions, delivery, "b", deliveries.SENT, NOW + LEASE + timedelta(seconds=2))
    assert await claim(sessions, "c", NOW + timedelta(days=1)) is None  # sent is final


async def test_an_unknown_outcome_is_claimed_again_once_after_the_check_window(
    sessions: Sessions,
) -> None:
    delivery = await claim(sessions, "a", NOW)
    assert delivery is not None
    await finish(sessions, delivery, "a", deliveries.UNKNOWN, NOW)
    assert await claim(sessions, "b", NOW + RECHECK) is None
    later = NOW + RECHECK + timedelta(seconds=1)
    assert await claim(sessions, "b", later) == delivery
    resent = (await row(sessions, delivery)).resent_at
    assert resent is not None
    assert resent.replace(tzinfo=None) == later.replace(tzinfo=None)  # SQLite keeps no zone
    await finish(sessions, delivery, "b", deliveries.UNKNOWN, later)  # unknown again…
    assert await claim(sessions, "c", later + timedelta(hours=1)) is None  # …is left at that


async def test_a_claim_never_sent_is_released_for_the_next_run(sessions: Sessions) -> None:
    fresh = await claim(sessions, "a", NOW)
    assert fresh is not None
    async with sessions() as session, session.begin():
        await deliveries.release(session, fresh, "a")
    assert await claim(sessions, "b", NOW) is not None  # no lease to wait for

    unknown = await claim(sessions, "a", NOW, chat=7002)
    assert unknown is not None
    await finish(sessions, unknown, "a", deliveries.UNKNOWN, NOW)
    later = NOW + RECHECK + timedelta(seconds=1)
    assert await claim(sessions, "b", later, chat=7002) == unknown
    async with sessions() as session, session.begin():
        await deliveries.release(session, unknown, "b")
    released = await row(sessions, unknown)
    assert (released.status, released.resent_at) == (deliveries.UNKNOWN, None)
    assert await claim(sessions, "c", later, chat=7002) == unknown  # its second send is due


async def test_a_group_that_became_a_supergroup_takes_its_role_subscription_and_history(
    sessions: Sessions,
) -> None:
    async with sessions() as session, session.begin():
        await groups.register_group(session, Destination(GROUP), "BCĐ CĐS", True)
        session.add(DigestRow(chat_id=GROUP, frequency="weekly", day=0, hour=8, minute=0,
                              created_by="tg:1", created_at=NOW))  # fmt: skip
    summary = await claim(sessions, "a", NOW, chat=GROUP)
    assert summary is not None
    async with sessions() as session, session.begin():
        assert await groups.move_chat(session, GROUP, SUPERGROUP)
        assert await deliveries.move_chat(session, GROUP, SUPERGROUP)
    await finish(sessions, summary, "a", deliveries.SENT, NOW)  # the send that met the move
    async with sessions() as session:
        assert await groups.leaders_groups(session) == [Destination(SUPERGROUP)]
        chat = await session.scalar(select(ChatRow))
        assert chat is not None
        assert chat.type == "supergroup"
        assert await session.scalar(select(DigestRow.chat_id)) == SUPERGROUP
    moved = await row(sessions, summary)
    assert (moved.key, moved.chat_id, moved.status) == (
        f"{RUN}|{SUPERGROUP}|reminder",
        SUPERGROUP,
        deliveries.SENT,
    )
    assert await claim(sessions, "b", NOW, chat=SUPERGROUP) is None  # not sent twice
    async with sessions() as session, session.begin():
        assert not await groups.move_chat(session, GROUP, SUPERGROUP)  # nothing left
        assert not await deliveries.move_chat(session, GROUP, SUPERGROUP)


async def test_a_supergroup_already_known_keeps_its_row_and_gains_the_groups_role(
    sessions: Sessions,
) -> None:
    async with sessions() as session, session.begin():
        await groups.register_group(session, Destination(GROUP), "BCĐ CĐS", True)
        await groups.register_group(session, Destination(SUPERGROUP), "BCĐ CĐS (mới)", False)
    async with sessions() as session, session.begin():
        await groups.move_chat(session, GROUP, SUPERGROUP)
    async with sessions() as session:
        chats = (await session.scalars(select(ChatRow))).all()
        assert [(c.telegram_id, c.is_leaders_group) for c in chats] == [(SUPERGROUP, True)]
