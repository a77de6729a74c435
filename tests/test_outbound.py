"""The outbound path's decisions, against a stand-in for PTB's request callback."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest

from bot.outbound import (
    Deferred,
    Outbound,
    OutcomeUnknown,
    Policy,
    Retry,
    Stopping,
    bulk_sends,
)
from bot.pacing import Limits

USER, OTHER, GROUP = 1001, 1002, -100200300
FAST = Retry(attempts=5, within=60.0, first=0.01, longest=0.01)


async def no_sleep(_seconds: float) -> None:
    """Waits between tries are skipped: the test counts tries, it does not wait for them."""


def broken(error: type[Exception], cause: Exception) -> Exception:
    try:
        raise error("fault") from cause
    except Exception as exc:  # noqa: BLE001 - building an exception with its cause
        return exc


class FakeTelegram:
    """PTB's `_do_post` as the limiter sees it: records calls, raises what it is told to."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.faults: dict[Any, deque[Exception]] = {}
        self.hang: set[Any] = set()

    def fail(self, chat: Any, *errors: Exception) -> None:
        self.faults.setdefault(chat, deque()).extend(errors)

    async def __call__(self, endpoint: str, data: dict[str, Any], **timeouts: Any) -> bool:
        self.calls.append((endpoint, data, timeouts))
        chat = data.get("chat_id")
        if chat in self.hang:
            await asyncio.sleep(3600)
        if faults := self.faults.get(chat):
            raise faults.popleft()
        await asyncio.sleep(0)
        return True

    def chats(self) -> list[Any]:
        return [data.get("chat_id") for _, data, _ in self.calls]


async def send(out: Outbound, tg: FakeTelegram, chat: Any, endpoint: str = "sendMessage") -> Any:
    data = {"chat_id": chat, "text": "hi"}
    timeouts = dict.fromkeys(
        ("read_timeout", "write_timeout", "connect_timeout"), BaseRequest.DEFAULT_NONE
    )
    return await out.process_request(tg, (endpoint, data), timeouts, endpoint, data, None)


async def bulk_send(out: Outbound, tg: FakeTelegram, chat: Any) -> Any:
    with bulk_sends(no_sleep):
        return await send(out, tg, chat)


@pytest.fixture
async def out() -> Outbound:
    outbound = Outbound(Policy(replies=FAST, bulk=FAST), sleep=no_sleep)
    await outbound.initialize()
    return outbound


async def test_a_reply_goes_at_once_while_bulk_sends_wait_for_what_is_left(
    out: Outbound,
) -> None:
    out = Outbound(Policy(limits=Limits(per_second=4, period=0.2)), sleep=no_sleep)
    tg = FakeTelegram()
    fan_out = [asyncio.create_task(bulk_send(out, tg, 50_000 + n)) for n in range(10)]
    await asyncio.sleep(0.01)
    assert len(tg.calls) == 1  # three a period, evenly spread; the fourth place is the replies'
    await send(out, tg, USER)
    assert tg.chats()[1] == USER
    assert out.counters["reply"].queued == 0
    assert out.counters["bulk"].queued >= 7
    await asyncio.gather(*fan_out)
    assert out.counters["bulk"].sent == 10


async def test_a_5xx_is_tried_again_and_a_later_send_to_that_chat_waits_its_turn(
    out: Outbound,
) -> None:
    tg = FakeTelegram()
    tg.fail(USER, NetworkError("Bad Gateway"))
    first = asyncio.create_task(send(out, tg, USER))
    await asyncio.sleep(0)
    tg.calls.append(("marker", {"chat_id": "second starts"}, {}))
    await asyncio.gather(first, send(out, tg, USER))
    assert tg.chats() == [USER, "second starts", USER, USER]
    reply = out.counters["reply"]
    assert (reply.sent, reply.retried, reply.failed) == (2, 1, 0)


async def test_retries_end_after_the_bounded_attempts_and_the_failure_is_counted_once() -> None:
    # Every try counts against the chat's pace; at Telegram's (a second after a burst of three)
    # the last two would wait two seconds that prove nothing here.
    quick = Limits(private_interval=0.01)
    out = Outbound(Policy(limits=quick, replies=FAST, bulk=FAST), sleep=no_sleep)
    tg = FakeTelegram()
    tg.fail(USER, *[NetworkError("Internal Server Error")] * 10)
    with pytest.raises(NetworkError):
        await send(out, tg, USER)
    assert len(tg.calls) == FAST.attempts
    reply = out.counters["reply"]
    assert (reply.sent, reply.retried, reply.failed) == (0, FAST.attempts - 1, 1)


async def test_a_time_out_after_the_request_left_is_not_sent_again(out: Outbound) -> None:
    tg = FakeTelegram()
    tg.fail(USER, broken(TimedOut, httpx.ReadTimeout("read")))
    with pytest.raises(OutcomeUnknown):
        await send(out, tg, USER)
    assert len(tg.calls) == 1
    assert out.counters["reply"].unknown == 1


@pytest.mark.parametrize(
    "error",
    [
        broken(NetworkError, httpx.ConnectError("refused")),
        broken(TimedOut, httpx.ConnectTimeout("connect")),
        broken(TimedOut, httpx.PoolTimeout("pool")),
    ],
)
async def test_a_request_that_never_left_is_tried_again(out: Outbound, error: Exception) -> None:
    tg = FakeTelegram()
    tg.fail(USER, error)
    assert await send(out, tg, USER) is True
    assert len(tg.calls) == 2


async def test_a_refusal_is_counted_and_not_tried_again(out: Outbound) -> None:
    tg = FakeTelegram()
    tg.fail(USER, BadRequest("Message is too long"))
    with pytest.raises(BadRequest):
        await send(out, tg, USER)
    assert len(tg.calls) == 1
    assert out.counters["reply"].rejected == 1


async def test_a_429_in_a_private_chat_holds_every_chat_and_the_held_send_goes_first(
    out: Outbound,
) -> None:
    tg = FakeTelegram()
    tg.fail(USER, RetryAfter(0.05))
    first = asyncio.create_task(send(out, tg, USER))
    await asyncio.sleep(0.01)  # the 429 has come back
    await asyncio.gather(first, send(out, tg, OTHER))
    assert tg.chats() == [USER, USER, OTHER]
    assert out.counters["reply"].waited_429 == 1


async def test_a_429_in_a_group_holds_that_group_only(out: Outbound) -> None:
    tg = FakeTelegram()
    tg.fail(GROUP, RetryAfter(0.2))
    held = asyncio.create_task(send(out, tg, GROUP))
    await asyncio.sleep(0.01)
    await send(out, tg, USER)
    assert tg.chats() == [GROUP, USER]
    await held
    assert tg.chats() == [GROUP, USER, GROUP]


async def test_a_429_asking_too_long_fails_a_reply_and_puts_bulk_sends_back() -> None:
    out = Outbound(Policy(longest_flood_wait=10.0), sleep=no_sleep)
    tg = FakeTelegram()
    tg.fail(USER, RetryAfter(3600))
    with pytest.raises(RetryAfter):
        await send(out, tg, USER)
    with pytest.raises(Deferred):  # held: not even tried
        await send(out, tg, OTHER)
    with pytest.raises(Deferred):
        await bulk_send(out, tg, 50_000)
    assert tg.chats() == [USER]
    assert (out.counters["reply"].failed, out.counters["bulk"].failed) == (2, 0)


async def test_a_bulk_send_told_to_wait_too_long_is_put_back() -> None:
    out = Outbound(Policy(longest_flood_wait=10.0), sleep=no_sleep)
    tg = FakeTelegram()
    tg.fail(50_000, RetryAfter(3600))
    with pytest.raises(Deferred):
        await bulk_send(out, tg, 50_000)
    assert out.counters["bulk"].failed == 0


async def test_a_migrated_group_is_moved_and_the_message_sent_to_the_supergroup(
    out: Outbound,
) -> None:
    moved: list[tuple[int, int]] = []

    async def on_migrated(old: int, new: int) -> None:
        moved.append((old, new))

    out.on_migrated = on_migrated
    tg = FakeTelegram()
    tg.fail(-4001, ChatMigrated(-1004001))
    data = {"chat_id": -4001, "text": "hi", "reply_parameters": {"message_id": 5}}
    await out.process_request(tg, ("sendMessage", data), {}, "sendMessage", data, None)
    assert moved == [(-4001, -1004001)]
    assert tg.calls[1][1] == {"chat_id": -1004001, "text": "hi"}


async def test_message_sends_wait_longer_for_an_answer_unless_the_caller_chose(
    out: Outbound,
) -> None:
    tg = FakeTelegram()
    await send(out, tg, USER)
    data = {"chat_id": USER, "text": "x"}
    await out.process_request(
        tg, ("sendMessage", data), {"read_timeout": 2.0}, "sendMessage", data, None
    )
    await send(out, tg, None, endpoint="answerCallbackQuery")
    timeouts = [t.get("read_timeout") for _, _, t in tg.calls]
    assert timeouts == [Policy().read_timeout, 2.0, BaseRequest.DEFAULT_NONE]


async def test_on_stop_bulk_is_refused_and_a_send_on_its_way_is_cut_short() -> None:
    out = Outbound(Policy(stop_grace=0.05), sleep=no_sleep)
    await out.initialize()
    tg = FakeTelegram()
    tg.hang.add(USER)
    on_its_way = asyncio.create_task(bulk_send(out, tg, USER))
    await asyncio.sleep(0.01)
    out.close()
    with pytest.raises(Stopping):
        await bulk_send(out, tg, OTHER)
    with pytest.raises(OutcomeUnknown):
        await on_its_way
    assert out.counters["bulk"].unknown == 1
    assert tg.chats() == [USER]


async def test_on_stop_a_reply_waiting_between_tries_ends() -> None:
    slow = Retry(attempts=5, within=60.0, first=30.0, longest=30.0)
    out = Outbound(Policy(replies=slow))  # the real sleep: only the stop ends the wait
    await out.initialize()
    tg = FakeTelegram()
    tg.fail(USER, NetworkError("Bad Gateway"))
    reply = asyncio.create_task(send(out, tg, USER))
    await asyncio.sleep(0.01)
    out.close()
    with pytest.raises(Stopping):
        await reply
    assert out.counters["reply"].failed == 1


async def test_get_me_is_tried_once_since_start_up_waits_for_telegram_itself(
    out: Outbound,
) -> None:
    tg = FakeTelegram()
    tg.fail(None, broken(NetworkError, httpx.ConnectError("refused")))
    with pytest.raises(NetworkError):
        await send(out, tg, None, endpoint="getMe")
    assert len(tg.calls) == 1


class Clocked(FakeTelegram):
    """Also notes the loop's time each call started at, by chat."""

    def __init__(self) -> None:
        super().__init__()
        self.started: dict[Any, float] = {}

    async def __call__(self, endpoint: str, data: dict[str, Any], **timeouts: Any) -> bool:
        self.started[data.get("chat_id")] = asyncio.get_running_loop().time()
        return await super().__call__(endpoint, data, **timeouts)


async def test_replies_waiting_for_places_that_free_close_together_start_together() -> None:
    """Three places of the bot's budget come free 0.1 s apart: the three replies waiting for
    them start in one wake-up, `gather` after the first came free, none before its own."""
    limits = Limits(per_second=3, period=0.5)
    out = Outbound(Policy(limits=limits, gather=0.3), sleep=no_sleep)
    tg = Clocked()
    for chat in (USER, OTHER, 1003):
        await send(out, tg, chat)  # ends at once: its place is free again 0.5 s later
        await asyncio.sleep(0.1)
    waiting = [5001, 5002, 5003]
    await asyncio.gather(*(send(out, tg, chat) for chat in waiting))
    first_free = [tg.started[c] + limits.period for c in (USER, OTHER, 1003)]
    starts = [tg.started[c] for c in waiting]
    assert max(starts) - min(starts) < 0.05  # together
    assert min(starts) >= max(first_free)  # every place had come free (the last 0.2 s later)
    assert out.counters["reply"].sent == 6


async def test_while_bulk_sends_wait_a_reply_is_not_held_back_to_gather_others() -> None:
    """A fan-out wakes the bot at its own pace: a reply waiting beside it starts as soon as a
    place is free, not `gather` later."""
    limits = Limits(per_second=2, period=0.5)
    out = Outbound(Policy(limits=limits, gather=0.4), sleep=no_sleep)
    tg = Clocked()
    await asyncio.gather(send(out, tg, USER), send(out, tg, OTHER))  # the whole budget
    fan_out = asyncio.create_task(bulk_send(out, tg, 50_000))
    await asyncio.sleep(0)
    await send(out, tg, 1003)
    assert tg.started[1003] < tg.started[USER] + limits.period + 0.3  # not 0.4 late
    await fan_out
    assert out.counters["bulk"].sent == 1
