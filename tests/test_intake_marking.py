"""Marking handled updates (bot.inbound.Inbound.flush): under load, what finishes during a pause
after a transaction is marked in the next one, together; nothing handled and not yet marked is
handed to the handlers again by a recovery; a stop marks everything at once."""

from __future__ import annotations

from bot.runtime import Runtime
from bot.settings import Settings
from storage import journal
from tests.botapi import FakeBotApi
from tests.conftest import MovableClock
from tests.intake import eventually, record_command, running

PAUSE = 3600.0  # longer than any test: only a stop ends it


async def statuses(runtime: Runtime, bot_id: int) -> dict[str, int]:
    """The journal as the database has it (without flushing first)."""
    async with runtime.sessions() as session:
        return await journal.statuses(session, bot_id)


async def test_updates_finishing_during_the_pause_are_marked_together_when_the_bot_stops(
    api: FakeBotApi, settings: Settings, runtime: Runtime
) -> None:
    async with running(api, settings, runtime) as bot:
        bot_id = bot.inbound.bot_id
        api.private_text("/mot")
        await api.wait_for("sendMessage", chat_id=1001)
        await eventually(lambda: bot.metrics.updates_handled._value.get() == 1, "handled")
        # The first update after a quiet moment is marked at once.
        await eventually(lambda: not bot.inbound._finished, "marked")
        async with bot.inbound._flushing:  # the transaction under way, if any, is over
            assert await statuses(runtime, bot_id) == {journal.HANDLED: 1}
        bot.inbound.flush_every = PAUSE
        api.private_text("/hai", user_id=1002)
        api.private_text("/ba", user_id=1003)
        await api.wait_for("sendMessage", count=3)
        await eventually(lambda: bot.metrics.updates_handled._value.get() == 3, "3 handled")
        # Finished, waiting for the pause to end: still claimed in the database.
        assert len(bot.inbound._finished) == 2
        assert await statuses(runtime, bot_id) == {journal.HANDLED: 1, journal.CLAIMED: 2}
    # The stop ended the pause at once and marked both.
    assert await statuses(runtime, bot_id) == {journal.HANDLED: 3}


async def test_recovery_leaves_alone_what_finished_and_is_not_yet_marked_handled(
    api: FakeBotApi, settings: Settings, runtime: Runtime, clock: MovableClock
) -> None:
    async with running(api, settings, runtime) as bot:
        await record_command(bot, runtime, clock(), 998, "/da_xong")
        async with bot.inbound._flushing:  # no flush runs meanwhile
            bot.inbound._finished.append(998)  # answered, waiting to be marked
            assert await bot.inbound.recover() == 0
            bot.inbound._finished.remove(998)
            bot.inbound._marking = [998]  # answered, in the transaction marking it
            assert await bot.inbound.recover() == 0
            bot.inbound._marking = []  # as if it had never been handed on
            assert await bot.inbound.recover() == 1
        await api.wait_for("sendMessage", chat_id=1001)
    assert len(api.sent("sendMessage", chat_id=1001)) == 1
