"""Every request the bot makes to Telegram goes through here (PTB's rate-limiter hook), so limits,
priorities, 429s, retries and the stop are handled in one place.

- A reply (any send not marked bulk) starts at once when the bot-wide budget and its chat's own
  limit have room. Bulk sends stop `Limits.bulk_leaves` places short of the budget and are spread
  evenly, so a reply finds a place at once (only a second reply within 1/29 s of the first waits,
  for at most that). Replies and bulk together never exceed `Limits.per_second` in any second.
  A reply that has to wait, while no bulk send does, waits up to `Policy.gather` longer, so that
  the places coming free within that time are used together (a burst of questions at Telegram's
  pace wakes the bot once for several sends, not once for each).
- Bulk sends (reminder runs, digests, broadcasts) are marked by running them inside
  `with bulk_sends():`, and share what the replies leave, oldest first.
- A 429 is waited out here, once: the hold covers the chat (a group) or the whole bot (a private
  chat, or a request without a chat), and later sends queue behind it in order.
- A 5xx, a connection that could not be made, or a time-out before the request left is tried
  again with back-off for a bounded time (`Retry`); only then is the failure logged and counted.
- A request that may have reached Telegram (no answer in time, a connection lost after sending)
  is never repeated here: it raises `OutcomeUnknown`, counted apart. A second copy of an answer
  is worse than a rare lost one; reminders decide for themselves (handlers/reminder_job.py).
- `ChatMigrated`: the stored chat id is moved (`on_migrated`) and the message re-sent to the
  supergroup.
- On stop (`OutboundApplication.stop`), bulk sends are refused (`Stopping`: never sent, the
  caller puts them back), retries end, and a request on its way gets `Policy.stop_grace` seconds
  before it is cut short — so a stop takes no longer than one request's answer. A send that
  would wait longer than `Policy.longest_flood_wait` for a 429 is refused the same way
  (`Deferred`).
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, BaseRateLimiter
from telegram.request import BaseRequest

from bot.pacing import FOREVER, Chat, Ledger, Limits, is_private

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
Result = bool | dict[str, Any] | list[dict[str, Any]]
MigrationHook = Callable[[int, int], Awaitable[None]]
# Message-making methods count against Telegram's limits; the rest (answerCallbackQuery, getFile,
# setMyCommands, sendChatAction …) are not paced, but are retried the same way.
_MESSAGES = ("send", "copyMessage", "forwardMessage", "editMessage")
_NOT_MESSAGES = frozenset({"sendChatAction"})
# Tried once: start-up waits for Telegram itself (bot.startup.connect_to_telegram), one log line
# per attempt, and a stop signal must end that wait.
_ONE_TRY = frozenset({"getMe"})
# httpx errors raised before the request left this machine: safe to send again. PTB's
# HTTPXRequest, which a caller may still pass in; bot.api_client.NOT_SENT are the bot's own.
_HTTPX_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class OutcomeUnknown(TimedOut):
    """The request may have reached Telegram (its answer did not come back): not sent again."""

    __slots__ = ()


class Deferred(NetworkError):
    """Not sent, and not to be sent now: a bulk sender puts the message back for its next run."""

    __slots__ = ()


class Stopping(Deferred):
    """Not sent because the bot is stopping."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__("not sent: the bot is stopping")


@dataclass(frozen=True, slots=True)
class Retry:
    """How long one request is tried again after a 5xx or a network error."""

    attempts: int  # tries at most
    within: float  # seconds after the first try that the last may start
    first: float  # wait before the second try; doubled each time…
    longest: float  # …up to this

    def wait(self, tries: int) -> float:
        return min(self.longest, self.first * 2.0 ** (tries - 1))


@dataclass(frozen=True, slots=True)
class Policy:
    limits: Limits = field(default_factory=Limits)
    replies: Retry = Retry(attempts=12, within=30.0, first=0.5, longest=4.0)
    # A reminder that still fails is recorded and reported to the administrators.
    bulk: Retry = Retry(attempts=4, within=60.0, first=2.0, longest=8.0)
    flood_waits: int = 5  # 429s one request waits out before it fails
    longest_flood_wait: float = 300.0  # a 429 asking longer fails the request at once
    # Seconds a message send waits for Telegram's answer (PTB's default is 5): an answer that is
    # slow but comes is a known success, where a time-out leaves the outcome unknown.
    read_timeout: float | None = 20.0
    stop_grace: float = 5.0  # what a request on its way gets once the bot stops
    # Seconds a reply that already waits for its place may wait longer, so that the places coming
    # free within that time are taken together, in one wake-up (bulk sends keep their pace).
    gather: float = 0.025


@dataclass
class Counters:
    """What happened to requests, for logs and metrics (bot.metrics reads these)."""

    sent: int = 0  # answered with success
    retried: int = 0  # tries repeated after a 5xx or a network error
    waited_429: int = 0  # 429s waited out
    failed: int = 0  # given up (retry time over, or stopping); logged once
    unknown: int = 0  # may have arrived, not repeated
    rejected: int = 0  # refused by Telegram for good (400, 403 …)
    queued: int = 0  # waits for the budget, a chat's pace or a hold before a try


@dataclass
class Batch:
    """The sends of one `bulk_sends()` block."""

    sleep: Sleep  # waits between tries (tests move time instead)
    tries: int = 0  # what the latest request took


_BATCH: ContextVar[Batch | None] = ContextVar("outbound_batch", default=None)


@contextmanager
def bulk_sends(sleep: Sleep = asyncio.sleep) -> Iterator[Batch]:
    """Mark every request made inside (in this task and tasks it starts) as bulk."""
    batch = Batch(sleep)
    token = _BATCH.set(batch)
    try:
        yield batch
    finally:
        _BATCH.reset(token)


@dataclass(eq=False)
class _Ticket:
    seq: int
    chat: Chat | None
    bulk: bool
    in_flight: bool = False


@dataclass(eq=False)
class _Waiter:
    ticket: _Ticket
    future: asyncio.Future[None]

    def __lt__(self, other: _Waiter) -> bool:
        return self.ticket.seq < other.ticket.seq


class Outbound(BaseRateLimiter[None]):
    def __init__(
        self,
        policy: Policy | None = None,
        *,
        on_migrated: MigrationHook | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.policy = policy or Policy()
        self.on_migrated = on_migrated  # (old chat id, new chat id): move what is stored
        # messages answering people, bulk messages, and requests that make no message
        self.counters = {"reply": Counters(), "bulk": Counters(), "other": Counters()}
        self._sleep = sleep
        self._ledger = Ledger(self.policy.limits)
        self._seq = itertools.count()
        self._replies: list[_Waiter] = []
        self._bulk: list[_Waiter] = []
        self._owners: dict[Chat, _Ticket] = {}  # one request at a time per chat keeps order
        self._timer: asyncio.TimerHandle | None = None  # the next wake-up for waiting requests
        self._soon: asyncio.Handle | None = None  # a dispatch asked for in this loop iteration
        self._guards: set[asyncio.Timeout] = set()
        self._stop_deadline: float | None = None
        self._stopped = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle
    async def initialize(self) -> None:
        self._stop_deadline = None
        self._stopped = asyncio.Event()

    async def shutdown(self) -> None:
        self.close()

    @property
    def stopping(self) -> bool:
        return self._stop_deadline is not None

    def close(self) -> None:
        """Begin stopping: refuse bulk sends, end retries, give requests on their way
        `stop_grace` seconds."""
        if self.stopping:
            return
        self._stop_deadline = self._now() + self.policy.stop_grace
        self._stopped.set()
        for waiter in self._bulk:
            if not waiter.future.done():
                waiter.future.set_exception(Stopping())
        self._bulk.clear()
        for guard in self._guards:
            guard.reschedule(self._stop_deadline)
        self._dispatch()

    # ------------------------------------------------------------------ PTB's hook
    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        batch = _BATCH.get()
        chat = _paced_chat(endpoint, data)
        counts = self.counters["other" if chat is None else "bulk" if batch else "reply"]
        retry, sleep = (
            (self.policy.bulk, batch.sleep) if batch else (self.policy.replies, self._sleep)
        )
        if endpoint in _ONE_TRY:
            retry = Retry(attempts=1, within=0.0, first=0.0, longest=0.0)
        if self.stopping and batch:
            raise Stopping
        patience = self.policy.read_timeout
        # the caller's own read_timeout stands; PTB's default is replaced for messages
        if (
            chat is not None
            and patience
            and kwargs.get("read_timeout") is BaseRequest.DEFAULT_NONE
        ):
            kwargs = {**kwargs, "read_timeout": patience}
        ticket = _Ticket(next(self._seq), chat, bulk=batch is not None)
        first, tries, floods, moves = self._now(), 0, 0, 0
        longest = self.policy.longest_flood_wait
        try:
            while True:
                now = self._now()
                if now >= (self._stop_deadline or FOREVER):
                    raise Stopping  # what is cut short now may not have left: nothing is tried
                if (held := self._ledger.held_until(ticket.chat) - now) > longest:
                    raise Deferred(f"not sent: Telegram asked to wait {held:.0f} s")
                if ticket.chat is not None:
                    await self._admit(ticket, counts)
                tries += 1
                try:
                    return await self._try(callback, args, kwargs, ticket, counts)
                except RetryAfter as exc:
                    floods += 1
                    await self._flood_wait(ticket, _seconds(exc.retry_after), floods, counts, exc)
                except ChatMigrated as exc:
                    moves += 1
                    if moves > 2 or ticket.chat is None:
                        counts.rejected += 1
                        raise
                    args, data = await self._migrate(ticket, exc.new_chat_id, args, data)
                except BadRequest:  # a NetworkError in PTB, but the same request fails again
                    counts.rejected += 1
                    raise
                except OutcomeUnknown:
                    counts.unknown += 1
                    log.warning("%s to %s: no answer; it may have arrived", endpoint, ticket.chat)
                    raise
                except NetworkError as exc:
                    if _may_have_arrived(exc):
                        counts.unknown += 1
                        log.warning(
                            "%s to %s: %s; it may have arrived", endpoint, ticket.chat, exc
                        )
                        raise OutcomeUnknown(str(exc)) from exc
                    wait = retry.wait(tries)
                    if (
                        tries >= retry.attempts
                        or self._now() + wait - first > retry.within
                        or self.stopping
                    ):
                        counts.failed += 1
                        log.warning(
                            "%s to %s failed after %d tries: %s", endpoint, ticket.chat, tries, exc
                        )
                        raise
                    counts.retried += 1
                    log.debug("%s to %s: %s; again in %.1f s", endpoint, ticket.chat, exc, wait)
                    await self._pause(wait, sleep)  # the chat's turn stays with us
                except TelegramError:
                    counts.rejected += 1
                    raise
        except Deferred as exc:
            if not batch:  # a bulk send is put back by its sender; a reply is lost
                counts.failed += 1
                log.warning("%s to %s failed: %s", endpoint, ticket.chat, exc)
            raise
        finally:
            if batch is not None:
                batch.tries = tries
            self._release(ticket)

    # ------------------------------------------------------------------ one try
    async def _try(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        ticket: _Ticket,
        counts: Counters,
    ) -> Result:
        guard = asyncio.timeout_at(self._stop_deadline)
        self._guards.add(guard)
        try:
            async with guard:
                result = await callback(*args, **kwargs)
        except TimeoutError as exc:
            if guard.expired():  # cut short by the stop: it may have arrived
                raise OutcomeUnknown("cut short: the bot is stopping") from exc
            raise
        finally:
            self._guards.discard(guard)
            self._end(ticket)
        counts.sent += 1
        return result

    async def _flood_wait(
        self, ticket: _Ticket, seconds: float, floods: int, counts: Counters, exc: RetryAfter
    ) -> None:
        """Hold later sends as Telegram asks; the request then queues again in its place."""
        chat = ticket.chat
        # Our own pacing keeps each chat within its limit, so a 429 in a private chat (or for a
        # request without a chat) means the bot-wide budget; a group's may be its own.
        scope = chat if chat is not None and not is_private(chat) else None
        self._ledger.hold(scope, self._now() + seconds)
        if floods > self.policy.flood_waits or seconds > self.policy.longest_flood_wait:
            if ticket.bulk:  # its sender puts it back for a later run
                raise Deferred(f"not sent: {exc}") from exc
            counts.failed += 1
            log.warning("send to %s failed: %s (waited %d times)", chat, exc, floods - 1)
            raise exc
        counts.waited_429 += 1
        log.info("429 for %s: holding %s for %.1f s", chat, scope or "every chat", seconds)
        self._dispatch()
        if chat is None:  # nothing queues it: wait here
            await self._pause(seconds, asyncio.sleep)

    async def _migrate(
        self, ticket: _Ticket, new: int, args: Any, data: dict[str, Any]
    ) -> tuple[Any, dict[str, Any]]:
        """A group became a supergroup: move what is stored, re-address the request."""
        old = ticket.chat
        log.info("chat %s is now supergroup %s", old, new)
        if self.on_migrated is not None and isinstance(old, int):
            try:
                await self.on_migrated(old, new)
            except Exception:  # the message still goes; the next run finds the chat again
                log.exception("could not move chat %s to %s", old, new)
        self._release(ticket)
        ticket.chat = new
        # A replied-to message belongs to the old group's history.
        moved = {
            k: v for k, v in data.items() if k not in ("reply_parameters", "reply_to_message_id")
        }
        moved["chat_id"] = new
        return (args[0], moved, *args[2:]), moved

    async def _pause(self, seconds: float, sleep: Sleep) -> None:
        """Wait between tries; a stop ends the wait and the request."""
        if self.stopping:
            raise Stopping
        pause = asyncio.ensure_future(sleep(seconds))
        stop = asyncio.ensure_future(self._stopped.wait())
        try:
            await asyncio.wait((pause, stop), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (pause, stop):
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        if self.stopping:
            raise Stopping

    # ------------------------------------------------------------------ admission
    async def _admit(self, ticket: _Ticket, counts: Counters) -> None:
        """Return once this request may start: budget, chat limit, holds and order allow."""
        now, chat = self._now(), ticket.chat
        assert chat is not None  # noqa: S101 - only paced requests are admitted
        ahead = self._replies or (ticket.bulk and self._bulk)
        if not ahead and self._owners.get(chat, ticket) is ticket:
            at = self._ledger.ready_at(chat, ticket.bulk, now)
            if at is not None and at <= now:
                self._begin(ticket, now)
                return
        counts.queued += 1
        waiter = _Waiter(ticket, asyncio.get_running_loop().create_future())
        bisect.insort(self._bulk if ticket.bulk else self._replies, waiter)
        self._dispatch_soon()
        try:
            await waiter.future
        finally:
            queue = self._bulk if ticket.bulk else self._replies
            if waiter in queue:
                queue.remove(waiter)

    def _dispatch_soon(self) -> None:
        """One dispatch for everything that happened in this loop iteration (a burst queues
        hundreds of requests and ends many sends at once; each dispatch walks the queues)."""
        if self._soon is None:
            self._soon = asyncio.get_running_loop().call_soon(self._dispatch)

    def _dispatch(self) -> None:
        """Start every waiting request that may start now, replies first, oldest first; wake up
        again when the next one may."""
        if self._soon is not None:
            self._soon.cancel()
            self._soon = None
        now, wake = self._now(), FOREVER
        if self._stop_deadline is not None and (self._replies or self._bulk):
            if now >= self._stop_deadline:
                for waiter in (*self._replies, *self._bulk):
                    if not waiter.future.done():
                        waiter.future.set_exception(Stopping())
                self._replies.clear()
                self._bulk.clear()
                return
            wake = self._stop_deadline
        for queue, bulk in ((self._replies, False), (self._bulk, True)):
            blocked: set[Chat] = set()
            for waiter in list(queue):
                overall = self._ledger.overall_at(bulk, now)
                if overall is None or overall > now:  # nothing of this priority or lower
                    self._wake_at(min(wake, self._gathered(overall, bulk)), now)
                    return
                ticket = waiter.ticket
                chat = ticket.chat
                assert chat is not None  # noqa: S101 - only paced requests wait here
                if waiter.future.done() or chat in blocked:
                    continue
                owner = self._owners.get(chat, ticket)
                at = self._ledger.chat_at(chat, now) if owner is ticket else None
                if at is None or at > now:
                    blocked.add(chat)  # later requests to this chat keep their order
                    wake = min(wake, self._gathered(at, bulk))
                    continue
                queue.remove(waiter)
                self._begin(ticket, now)
                waiter.future.set_result(None)
        self._wake_at(wake, now)

    def _gathered(self, at: float | None, bulk: bool) -> float:
        """When to wake up for a request that may start at `at` (None: when a send in flight
        ends, which dispatches by itself). Replies are gathered only while no bulk send waits:
        a fan-out wakes the bot at its own even pace anyway, and a question asked meanwhile
        should not wait longer for it."""
        if at is None:
            return FOREVER
        return at if bulk or self._bulk else at + self.policy.gather

    def _wake_at(self, when: float, now: float) -> None:
        """Dispatch again at `when`: a wake-up already due by then is kept (an early one finds
        nothing to start and sets the next); a later one is moved."""
        timer = self._timer
        if timer is not None:
            if timer.when() <= when and not timer.cancelled():
                return
            timer.cancel()
            self._timer = None
        if when < FOREVER:
            self._timer = asyncio.get_running_loop().call_at(max(when, now), self._woken)

    def _woken(self) -> None:
        self._timer = None
        self._dispatch()

    def _begin(self, ticket: _Ticket, now: float) -> None:
        assert ticket.chat is not None  # noqa: S101 - only paced requests are admitted
        self._owners[ticket.chat] = ticket
        self._ledger.start(ticket.chat, now, ticket.bulk)
        ticket.in_flight = True

    def _end(self, ticket: _Ticket) -> None:
        if ticket.in_flight and ticket.chat is not None:
            ticket.in_flight = False
            self._ledger.end(ticket.chat, self._now())
            if self._replies or self._bulk:
                self._dispatch_soon()

    def _release(self, ticket: _Ticket) -> None:
        """The request is over (or moved chat): its chat's next request may go."""
        self._end(ticket)
        if ticket.chat is not None and self._owners.get(ticket.chat) is ticket:
            del self._owners[ticket.chat]
            if self._replies or self._bulk:
                self._dispatch_soon()

    def _now(self) -> float:
        return asyncio.get_running_loop().time()


class OutboundApplication(Application):  # type: ignore[type-arg]
    """An Application whose stop first tells the outbound path, so that a stop never waits for
    bulk sends or retries (jobs and pending updates are awaited by PTB's stop)."""

    async def stop(self) -> None:
        limiter = self.bot.rate_limiter
        if self.running and isinstance(limiter, Outbound):
            limiter.close()
        await super().stop()


def _paced_chat(endpoint: str, data: dict[str, Any]) -> Chat | None:
    """The chat a message-making request goes to; None for other requests."""
    chat = data.get("chat_id")
    if chat is None or endpoint in _NOT_MESSAGES or not endpoint.startswith(_MESSAGES):
        return None
    if isinstance(chat, str):
        with suppress(ValueError):
            return int(chat)
        return chat
    return int(chat)


def _may_have_arrived(exc: NetworkError) -> bool:
    """False when Telegram answered (a 5xx) or the request never left (no connection, no free
    connection in the pool); True for a missing answer or a connection lost after sending."""
    from bot.api_client import NOT_SENT  # here: the console sends through no HTTP client

    cause = exc.__cause__
    if cause is None or isinstance(cause, TelegramError):  # an answer, perhaps unparseable
        return False
    return not isinstance(cause, NOT_SENT + _HTTPX_NOT_SENT)


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
