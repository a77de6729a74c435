"""The outbound path's accounting of Telegram's limits, on a clock the test moves."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.pacing import Ledger, Limits

USER, OTHER_USER, GROUP = 1001, 1002, -100200300


def start_and_end(ledger: Ledger, chat: int, at: float, took: float = 0.0) -> None:
    assert ledger.ready_at(chat, False, at) == at
    ledger.start(chat, at)
    ledger.end(chat, at + took)


def test_thirty_sends_start_at_once_and_the_next_waits_a_second_after_the_first_answer() -> None:
    ledger = Ledger()
    for n in range(30):
        ledger.start(10_000 + n, 0.0)
        ledger.end(10_000 + n, 0.05 + n * 0.001)  # answers come back over 29 ms
    assert ledger.ready_at(USER, False, 0.1) == 1.05  # the first answer's second is over
    assert ledger.ready_at(USER, False, 1.05) == 1.05


def test_a_send_still_in_flight_holds_its_place_until_it_ends() -> None:
    ledger = Ledger(Limits(per_second=2))
    ledger.start(USER, 0.0)
    ledger.start(OTHER_USER, 0.0)
    assert ledger.ready_at(10_001, False, 5.0) is None  # no answer yet: nothing is known
    ledger.end(USER, 5.0)
    assert ledger.ready_at(10_001, False, 5.0) == 6.0


def test_bulk_sends_leave_a_place_of_every_second_to_replies() -> None:
    ledger = Ledger()
    for n in range(29):
        ledger.start(20_000 + n, 0.0)
        ledger.end(20_000 + n, 0.0)
    assert ledger.ready_at(30_000, True, 0.0) == 1.0  # bulk: the budget is used up
    assert ledger.ready_at(USER, False, 0.0) == 0.0  # a reply goes at once


def test_bulk_sends_are_spread_evenly_over_the_second() -> None:
    ledger = Ledger()
    ledger.start(20_000, 0.0, bulk=True)
    ledger.end(20_000, 0.01)
    assert ledger.ready_at(20_001, True, 0.01) == 1 / 29
    assert ledger.ready_at(USER, False, 0.01) == 0.01


def test_a_private_chat_takes_a_burst_of_three_then_one_message_a_second() -> None:
    ledger = Ledger()
    for _ in range(3):
        start_and_end(ledger, USER, 0.0)
    assert ledger.ready_at(USER, False, 0.0) == 1.0
    assert ledger.ready_at(OTHER_USER, False, 0.0) == 0.0  # other chats are not held
    start_and_end(ledger, USER, 1.0)
    assert ledger.ready_at(USER, False, 1.0) == 2.0


def test_a_group_takes_twenty_messages_in_any_minute() -> None:
    ledger = Ledger()
    for n in range(20):
        start_and_end(ledger, GROUP, float(n * 2))  # one every 2 s
    assert ledger.ready_at(GROUP, False, 40.0) == 60.0  # the first one's minute is over
    assert ledger.ready_at(-100999, False, 40.0) == 40.0


def test_a_hold_on_a_group_holds_that_group_and_a_bot_wide_hold_holds_everyone() -> None:
    ledger = Ledger()
    ledger.hold(GROUP, 30.0)
    assert ledger.ready_at(GROUP, False, 1.0) == 30.0
    assert ledger.ready_at(USER, True, 1.0) == 1.0
    ledger.hold(None, 12.0)
    assert ledger.ready_at(USER, False, 1.0) == 12.0
    assert ledger.ready_at(GROUP, False, 1.0) == 30.0


def test_idle_chats_are_forgotten_once_there_are_many() -> None:
    ledger = Ledger()
    for n in range(5000):
        start_and_end(ledger, 1_000_000 + n, float(n * 2))  # each chat idle a second later
    assert len(ledger._private) < 4100


@dataclass(order=True)
class Request:
    arrives: float
    bulk: bool
    chat: int
    took: float  # from start to the answer
    reaches: float  # 0..1: when, within that, the server counts it


requests = st.lists(
    st.builds(
        Request,
        arrives=st.floats(0, 3),
        bulk=st.booleans(),
        chat=st.sampled_from([USER, OTHER_USER, 1003, -100200300, *range(50_000, 50_040)]),
        took=st.floats(0.001, 0.5),
        reaches=st.floats(0, 1),
    ),
    max_size=150,
)


def simulate(batch: list[Request], limits: Limits) -> list[tuple[float, Request]]:
    """Start each request as soon as the ledger lets it (replies before bulk, oldest first);
    returns (start, request) in start order."""
    ledger, waiting, ends = Ledger(limits), sorted(batch), list[tuple[float, int, int]]()
    started: list[tuple[float, Request]] = []
    now = 0.0
    while waiting or ends:
        while ends and ends[0][0] <= now:
            end, _, chat = heapq.heappop(ends)
            ledger.end(chat, end)
        wake = min((e[0] for e in ends), default=float("inf"))
        arrived = sorted((r for r in waiting if r.arrives <= now), key=lambda r: r.bulk)
        for request in arrived:
            at = ledger.ready_at(request.chat, request.bulk, now)
            if at is not None and at <= now:
                ledger.start(request.chat, now, request.bulk)
                heapq.heappush(ends, (now + request.took, id(request), request.chat))
                waiting.remove(request)
                started.append((now, request))
                wake = min(wake, now + request.took)
            elif at is not None:
                wake = min(wake, at)
        later = [r.arrives for r in waiting if r.arrives > now]
        now = max(now, min([wake, *later]))
    return started


@settings(max_examples=60, deadline=None)
@given(requests)
def test_replies_and_bulk_together_never_exceed_the_limit_in_any_second_on_the_servers_clock(
    batch: list[Request],
) -> None:
    limits = Limits()
    started = simulate(batch, limits)
    assert len(started) == len(batch)
    counted = sorted(start + r.took * r.reaches for start, r in started)
    for n, at in enumerate(counted):
        in_window = [t for t in counted[n:] if t < at + limits.period]
        assert len(in_window) <= limits.per_second
    bulk_starts = [start for start, r in started if r.bulk]
    for n, at in enumerate(bulk_starts):  # bulk alone stays within what it may take
        in_window = [t for t in bulk_starts[n:] if t < at + limits.period]
        assert len(in_window) <= limits.per_second - limits.bulk_leaves


@settings(max_examples=30, deadline=None)
@given(requests)
def test_a_reply_to_a_quiet_chat_never_waits_for_bulk_sends(batch: list[Request]) -> None:
    limits = Limits()
    reply = Request(arrives=1.5, bulk=False, chat=77, took=0.01, reaches=0.5)
    bulk_only = [r for r in batch if r.bulk]
    started = {id(r): start for start, r in simulate([*bulk_only, reply], limits)}
    assert started[id(reply)] == reply.arrives
