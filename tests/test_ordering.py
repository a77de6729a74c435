"""The update processor: concurrent across chats and people, in order within each, bounded."""

from __future__ import annotations

import asyncio
import itertools
import warnings

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.ordering import ChatOrderedProcessor, keys_of

_ids = itertools.count(1)


def message(chat: int, user: int) -> Update:
    kind = "private" if chat == user else "supergroup"
    return Update.de_json(
        {
            "update_id": next(_ids),
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "x",
                "chat": {"id": chat, "type": kind, "title": "G", "first_name": "U"},
                "from": {"id": user, "is_bot": False, "first_name": "U"},
            },
        },
        None,
    )


class Run:
    """Feeds updates to a processor as PTB does (one task each, in arrival order); each
    update's handler waits for its gate, so the test decides when each one finishes."""

    def __init__(self, processor: ChatOrderedProcessor) -> None:
        self.processor = processor
        self.started: list[int] = []
        self.finished: list[int] = []
        self.done: list[tuple[int, bool]] = []
        self.gates: dict[int, asyncio.Event] = {}
        self.tasks: list[asyncio.Task[None]] = []
        processor.done = lambda update, ok: self.done.append((update.update_id, ok))  # type: ignore[attr-defined]

    def feed(self, update: Update, *, open_gate: bool = False) -> int:
        gate = self.gates[update.update_id] = asyncio.Event()
        if open_gate:
            gate.set()

        async def handler() -> None:
            self.started.append(update.update_id)
            await gate.wait()
            self.finished.append(update.update_id)

        self.tasks.append(asyncio.create_task(self.processor.process_update(update, handler())))
        return update.update_id

    def release(self, update_id: int) -> None:
        self.gates[update_id].set()


async def settle() -> None:
    """Let every task that can run, run (no time passes)."""
    for _ in range(30):
        await asyncio.sleep(0)


async def test_one_chats_updates_wait_for_each_other_while_other_chats_go_ahead() -> None:
    processor = ChatOrderedProcessor(max_running=4)
    await processor.initialize()
    run = Run(processor)
    first = run.feed(message(101, 101))
    burst = [run.feed(message(101, 101), open_gate=True) for _ in range(4)]
    others = [run.feed(message(chat, chat), open_gate=True) for chat in (202, 303, 404)]
    await settle()
    assert run.started[0] == first
    assert not set(burst) & set(run.started)  # the rest of 101's burst waits
    assert set(others) <= set(run.finished)  # other people are answered meanwhile
    run.release(first)
    await settle()
    assert [u for u in run.finished if u in burst] == burst  # then in arrival order
    assert sorted(run.done) == sorted((u, True) for u in [first, *burst, *others])


async def test_no_more_than_the_limit_run_at_once_and_waiting_ones_hold_no_slot() -> None:
    processor = ChatOrderedProcessor(max_running=3)
    await processor.initialize()
    run = Run(processor)
    blocked = [run.feed(message(chat, chat)) for chat in range(1, 6)]
    behind_first = run.feed(message(1, 1), open_gate=True)
    await settle()
    assert run.started == blocked[:3]
    run.release(blocked[0])
    await settle()
    # The slot goes to the next chat waiting for one; chat 1's second update is now ready too,
    # behind it.
    assert blocked[3] in run.started
    run.release(blocked[3])
    await settle()
    assert blocked[4] in run.started  # slots go in the order updates became ready
    assert behind_first not in run.started
    run.release(blocked[4])
    await settle()
    assert behind_first in run.finished
    for update_id in blocked:
        run.release(update_id)
    await settle()
    assert len(run.finished) == 6


async def test_a_person_stays_in_order_across_their_private_chat_and_a_group() -> None:
    processor = ChatOrderedProcessor(max_running=8)
    await processor.initialize()
    run = Run(processor)
    in_group = run.feed(message(-100, 7))
    in_private = run.feed(message(7, 7), open_gate=True)  # same person: waits
    same_group = run.feed(message(-100, 8), open_gate=True)  # same group: waits
    elsewhere = run.feed(message(9, 9), open_gate=True)
    await settle()
    assert run.started == [in_group, elsewhere]
    run.release(in_group)
    await settle()
    assert set(run.finished) == {in_group, in_private, same_group, elsewhere}


async def test_updates_cancelled_while_waiting_leave_the_line_and_are_reported_unfinished() -> (
    None
):
    processor = ChatOrderedProcessor(max_running=2)
    await processor.initialize()
    run = Run(processor)
    first = run.feed(message(5, 5))
    second = run.feed(message(5, 5), open_gate=True)
    third = run.feed(message(5, 5), open_gate=True)
    await settle()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" would fail here
        run.tasks[1].cancel()
        await settle()
    run.release(first)
    await settle()
    assert run.finished == [first, third]
    assert (second, False) in run.done


def test_an_update_is_ordered_by_its_chat_and_its_sender() -> None:
    assert keys_of(message(-100, 7)) == (("chat", -100), ("user", 7))
    assert keys_of("not an update") == ()


@settings(max_examples=60, deadline=None)
@given(
    senders=st.lists(st.tuples(st.integers(1, 4), st.booleans()), min_size=1, max_size=25),
    release_order=st.randoms(use_true_random=False),
    limit=st.integers(1, 4),
)
def test_any_mix_of_chats_finishes_everything_in_order_per_chat_and_person(
    senders: list[tuple[int, bool]], release_order: object, limit: int
) -> None:
    async def scenario() -> None:
        processor = ChatOrderedProcessor(max_running=limit)
        await processor.initialize()
        run = Run(processor)
        fed = []
        for user, in_group in senders:
            update = message(-100 if in_group else user, user)
            fed.append((run.feed(update), keys_of(update)))
        while True:
            await settle()
            if len(run.finished) == len(fed):
                break
            running = [u for u in run.started if u not in run.finished]
            assert 0 < len(running) <= limit  # never stuck, never above the limit
            run.release(release_order.choice(running))  # type: ignore[attr-defined]
        position = {u: i for i, u in enumerate(run.started)}
        for i, (earlier, keys) in enumerate(fed):
            for later, other in fed[i + 1 :]:
                if set(keys) & set(other):
                    assert position[earlier] < position[later]
                    assert run.finished.index(earlier) < run.finished.index(later)

    asyncio.run(scenario())
