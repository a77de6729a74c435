"""Updates handled concurrently across chats and users, in arrival order within each chat and
each user: a value typed after "✏️ 8.2" still meets its prompt, a Confirm press its preview."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

Key = tuple[str, int]
Done = Callable[[object, bool], None]  # (update, its handlers ran to the end)

# PTB's own bound on updates inside the processor. PTB takes it before calling
# do_process_update; if it were ever full, the order in which waiting updates enter could differ
# from their arrival, so it is set far above what the intake lets in (MAX_PENDING_UPDATES).
ADMITTED = 100_000


def keys_of(update: object) -> tuple[Key, ...]:
    """What an update must stay in order with: its chat and its sender. A person's private chat
    and their messages in a group are two chats, but one person (their pending prompt lives in
    user_data, shared by all their chats)."""
    if not isinstance(update, Update):
        return ()
    keys: list[Key] = []
    if update.effective_chat is not None:
        keys.append(("chat", update.effective_chat.id))
    if update.effective_user is not None:
        keys.append(("user", update.effective_user.id))
    return tuple(keys)


class _Ticket:
    __slots__ = ("keys", "turn")

    def __init__(self, keys: tuple[Key, ...]) -> None:
        self.keys = keys
        self.turn = asyncio.Event()


class ChatOrderedProcessor(BaseUpdateProcessor):
    """At most `max_running` updates are handled at once. An update waits until every earlier
    update of its chat and of its sender has finished; updates of other chats and senders go
    ahead meanwhile. Waiting updates do not hold a running slot, so one person's burst cannot
    starve everyone else. `done` is told about each update when its handlers have finished."""

    def __init__(self, max_running: int, done: Done | None = None) -> None:
        super().__init__(ADMITTED)
        self.max_running = max_running
        self.done = done
        self._running: asyncio.Semaphore | None = None
        self._lines: dict[Key, deque[_Ticket]] = {}

    async def initialize(self) -> None:
        self._running = asyncio.Semaphore(self.max_running)

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for the updates in flight before shutting down."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # Called in arrival order and before the first await here, so queueing up in each line
        # now fixes the order (PTB starts one task per update, in the order they were queued).
        ticket = _Ticket(keys_of(update))
        for key in ticket.keys:
            self._lines.setdefault(key, deque()).append(ticket)
        finished = started = False
        try:
            if not self._in_front(ticket):
                await ticket.turn.wait()
            if self._running is None:
                self._running = asyncio.Semaphore(self.max_running)
            async with self._running:
                started = True
                await coroutine
            finished = True
        finally:
            if not started and isinstance(coroutine, Coroutine):
                coroutine.close()  # cancelled while waiting: never "was never awaited"
            self._leave(ticket)
            if self.done is not None:
                self.done(update, finished)

    def _in_front(self, ticket: _Ticket) -> bool:
        return all(self._lines[key][0] is ticket for key in ticket.keys)

    def _leave(self, ticket: _Ticket) -> None:
        """Take the ticket out of its lines and wake whoever is now in front of all theirs."""
        for key in ticket.keys:
            line = self._lines[key]
            line.remove(ticket)  # the front one, unless it was cancelled while waiting
            if not line:
                del self._lines[key]
            elif self._in_front(line[0]):
                line[0].turn.set()
