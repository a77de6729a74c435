"""The intake, shared by long polling and the webhook: every update is recorded in the database
before Telegram is told it arrived, claimed there by exactly one process, handed to the
Application, and marked handled when its handlers have finished. What a crash leaves claimed
and unfinished is handled when the bot starts again (or, with several processes, by another
one once the claim's lease has run out)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import Application

from bot.metrics import Metrics
from bot.ordering import ChatOrderedProcessor
from bot.outbound import Stopping
from services.clock import Clock
from storage import journal
from storage.db import one_statement, transaction

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # handling started this often without finishing: the update is given up
LEASE = timedelta(minutes=5)  # another process's claim older than this is taken over
MAINTAIN_EVERY = 60.0  # seconds between take-overs of expired claims and pruning
# Seconds between two transactions that mark updates handled. The first update to finish after a
# quiet moment is marked at once; under load, what finishes meanwhile is marked together, as one
# statement: a transaction per update cost as much CPU as the rest of a reply's journey. A crash
# hands again to the handlers what finished this long before it, as it does for what was being
# marked at that moment.
FLUSH_EVERY = 0.1
SHOWN = 300  # characters of an unreadable update shown in the log


def new_owner() -> str:
    """This process's name on its claims: host, pid and a nonce (a restart is a new owner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def dead_here(owner: str, me: str) -> bool:
    """True when `owner` was a process on this host that no longer runs: its pid is gone, or it
    is our own pid under another nonce (a restarted container is often pid 1 again)."""
    host, pid, _ = (owner.rsplit(":", 2) + ["", ""])[:3]
    my_host, my_pid, _ = me.rsplit(":", 2)
    if host != my_host or not pid.isdigit() or owner == me:
        return False
    if pid == my_pid:
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists but belongs to someone else
        return False
    return False


def update_id_of(raw: object) -> int | None:
    value = raw.get("update_id") if isinstance(raw, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    return None


def kind_of(raw: dict[str, Any]) -> str:
    return next((key for key in raw if key != "update_id"), "none")


@dataclass
class Admitted:
    """What became of a batch of updates."""

    new: int = 0
    duplicate: int = 0
    unreadable: int = 0


@dataclass
class _Row:
    update_id: int
    kind: str
    payload: str
    update: Update | None
    error: str


class Inbound:
    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        sessions: async_sessionmaker[AsyncSession],
        metrics: Metrics,
        clock: Clock,
        *,
        max_pending: int,
        keep: timedelta,
        lease: timedelta = LEASE,
        owner: str | None = None,
        flush_every: float = FLUSH_EVERY,
        claims: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.app, self.sessions, self.metrics, self.clock = app, sessions, metrics, clock
        # What records each update and marks it handled (storage.db.make_journal_engine's
        # sessions); recovery and pruning, rare, use `sessions`, so that a start does not wait
        # for this engine's first connection.
        self.claims = claims or sessions
        self.max_pending, self.keep, self.lease = max_pending, keep, lease
        self.owner = owner or new_owner()
        self.flush_every = flush_every
        self._in_flight: dict[int, float] = {}  # update_id -> loop time it arrived
        self._finished: list[int] = []  # handled, to be marked
        self._marking: list[int] = []  # handled, in the transaction that marks them
        self._flush_wanted = asyncio.Event()
        self._flushing = asyncio.Lock()
        self._closing = False
        self._pause: asyncio.Future[None] | None = None  # the flusher's, ended early by stop()
        self._room = asyncio.Event()
        self._room.set()
        self._tasks: list[asyncio.Task[None]] = []
        self._queued: list[tuple[list[_Row], asyncio.Future[Admitted]]] = []
        self._recording: set[int] = set()  # update ids in the transaction under way
        self._recovering = asyncio.Lock()
        self._recorder: asyncio.Task[None] | None = None
        metrics.updates_in_flight.set_function(lambda: len(self._in_flight))
        self._cut_off: set[int] = set()  # handled until the bot stopped, answer not sent
        processor = app.update_processor
        if isinstance(processor, ChatOrderedProcessor):
            processor.done = self._done
        app.add_error_handler(self._note_error)

    @property
    def bot_id(self) -> int:
        return self.app.bot.id

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    # ------------------------------------------------------------------ life cycle
    async def start(self) -> None:
        self._closing = False
        self._tasks = [
            asyncio.create_task(self._maintainer(), name="inbound:maintain"),
            asyncio.create_task(self._flusher(), name="inbound:flush"),
        ]

    async def stop(self) -> None:
        """After the Application stopped: record what finished, stop the background work."""
        if self._recorder is not None:
            with contextlib.suppress(Exception):
                await self._recorder
        if self._tasks:
            # The flusher ends the flush it is in: cancelled mid-commit, marks could be lost.
            maintainer, flusher = self._tasks
            maintainer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await maintainer
            self._closing = True
            self._end_pause()
            self._flush_wanted.set()
            await flusher
            self._tasks = []
        try:
            await self.flush()
        except DatabaseUnavailable as exc:
            log.warning(
                "%d handled update(s) not marked (%s): handled again after the restart",
                len(self._finished), exc,
            )  # fmt: skip

    # ------------------------------------------------------------------ intake
    async def wait_for_room(self) -> None:
        """Wait while MAX_PENDING_UPDATES are received and not finished: polling fetches no
        more, a webhook answers later (Telegram then sends more slowly)."""
        while len(self._in_flight) >= self.max_pending:
            self._room.clear()
            await self._room.wait()

    async def admit(self, raws: Sequence[object]) -> Admitted:
        """Record a batch and hand each new, readable update to the Application. Raises when
        the database cannot record it: nothing is handed on then, and the caller must not
        confirm the batch to Telegram.

        Batches arriving while a transaction commits (concurrent webhook POSTs) are recorded
        together in the next one, and handed on in update_id order: one commit for many."""
        await self.wait_for_room()
        rows = [row for raw in raws if (row := self._read(raw)) is not None]
        done: asyncio.Future[Admitted] = asyncio.get_running_loop().create_future()
        self._queued.append((rows, done))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_queued(), name="inbound:record")
        return await done

    async def _record_queued(self) -> None:
        while self._queued:
            group, self._queued = self._queued, []
            try:
                fresh = await self._record([row for rows, _ in group for row in rows])
            except Exception as exc:  # noqa: BLE001 - each caller gets the failure
                self._recording = set()
                for _, done in group:
                    if not done.cancelled():
                        done.set_exception(exc)
                continue
            for row in sorted(fresh.values(), key=lambda r: r.update_id):
                self.metrics.received(row.kind)
                if row.update is None:
                    self._unreadable(row.update_id, row.error, row.payload)
                else:
                    self._enqueue(row.update)
            self._recording = set()
            for rows, done in group:
                outcome = Admitted()
                for row in rows:
                    if id(row) not in fresh:
                        outcome.duplicate += 1
                    elif row.update is None:
                        outcome.unreadable += 1
                    else:
                        outcome.new += 1
                self.metrics.updates_duplicate.inc(outcome.duplicate)
                if not done.cancelled():
                    done.set_result(outcome)

    async def _record(self, rows: list[_Row]) -> dict[int, _Row]:
        """Record rows in one transaction; the ones recorded now (not before), by id(). Until
        they are handed on, recover() leaves them alone (they are ours, and about to run)."""
        now = self.clock()
        self._recording = {row.update_id for row in rows}
        entries = [
            journal.Entry(
                row.update_id, row.kind, row.payload,
                journal.CLAIMED if row.update else journal.SKIPPED, row.error,
            )
            for row in rows
        ]  # fmt: skip
        # One INSERT for up to journal.CHUNK updates: atomic by itself (one_statement).
        writing = one_statement if len(entries) <= journal.CHUNK else transaction
        async with writing(self.claims) as session:
            recorded = await journal.record_many(
                session, self.bot_id, entries, owner=self.owner, now=now
            )
        fresh: dict[int, _Row] = {}
        for row in rows:  # an update twice in the batch: the first is the new one
            if row.update_id in recorded:
                recorded.discard(row.update_id)
                fresh[id(row)] = row
        return fresh

    def _read(self, raw: object) -> _Row | None:
        update_id = update_id_of(raw)
        if update_id is None or not isinstance(raw, dict):
            self._unreadable(None, "no update_id", _shown(raw))
            return None
        payload = json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
        update, error = self._parse(raw)
        return _Row(update_id, kind_of(raw), payload, update, error)

    def _parse(self, raw: dict[str, Any]) -> tuple[Update | None, str]:
        try:
            return Update.de_json(raw, self.app.bot), ""
        except Exception as exc:  # noqa: BLE001 - any failure to read means: skip this one
            return None, f"{type(exc).__name__}: {exc}"[:500]

    def _unreadable(self, update_id: int | None, error: str, payload: str) -> None:
        """Once per update: one line, truncated; counted; never retried."""
        self.metrics.updates_unparseable.inc()
        log.warning(
            "skipped update %s that could not be read (%s): %s",
            update_id, error[:200], payload[:SHOWN],
        )  # fmt: skip

    def _enqueue(self, update: Update) -> None:
        self._in_flight[update.update_id] = asyncio.get_running_loop().time()
        if len(self._in_flight) >= self.max_pending:
            self._room.clear()
        self.app.update_queue.put_nowait(update)

    # ------------------------------------------------------------------ completion
    async def _note_error(self, update: object, context: Any) -> None:
        """An error handler: an answer the outgoing path did not even try because the bot is
        stopping (bot.outbound.Stopping) leaves its update unhandled, for the next start."""
        if isinstance(update, Update) and isinstance(getattr(context, "error", None), Stopping):
            self._cut_off.add(update.update_id)

    def _done(self, update: object, finished: bool) -> None:
        """The processor's report: an update's handlers ran to the end (or were cancelled)."""
        if not isinstance(update, Update):
            return
        if update.update_id in self._cut_off:
            self._cut_off.discard(update.update_id)
            finished = False
        arrived = self._in_flight.pop(update.update_id, None)
        if len(self._in_flight) < self.max_pending:
            self._room.set()
        if arrived is None or not finished:
            return  # not from the intake (tests feeding PTB directly), or cut off by a stop
        self.metrics.updates_handled.inc()
        self.metrics.reply_latency.observe(asyncio.get_running_loop().time() - arrived)
        self._finished.append(update.update_id)
        self._flush_wanted.set()

    async def flush(self) -> None:
        """Mark every finished update handled, in one transaction. A crash before this runs
        means those updates are handled again after the restart: kept short by flushing soon
        after anything finishes (FLUSH_EVERY; what finished meanwhile goes in the next flush)."""
        async with self._flushing:  # one at a time: a caller also waits for the one under way
            ids, self._finished = self._finished, []
            if not ids:
                return
            self._marking = ids
            try:
                async with one_statement(self.claims) as session:
                    await journal.finish(
                        session, self.bot_id, ids, owner=self.owner, status=journal.HANDLED,
                        now=self.clock(),
                    )  # fmt: skip
            except BaseException as exc:
                self._finished[:0] = ids  # tried again with the next flush
                if isinstance(exc, Exception):
                    raise DatabaseUnavailable(type(exc).__name__) from exc
                raise
            finally:
                self._marking = []

    async def _flusher(self) -> None:
        loop = asyncio.get_running_loop()
        last = float("-inf")  # loop time the latest flush began
        while not self._closing:
            await self._flush_wanted.wait()
            # What finishes during the pause is marked with it (stop() ends the pause). A
            # future and a timer: waiting for an event with a time-out took a task of its own
            # and twice the loop's wake-ups, at every flush.
            if not self._closing and (pause := last + self.flush_every - loop.time()) > 0:
                self._pause = loop.create_future()
                timer = loop.call_later(pause, self._end_pause)
                try:
                    await self._pause
                finally:
                    timer.cancel()
                    self._pause = None
            self._flush_wanted.clear()
            last = loop.time()
            try:
                await self.flush()
            except DatabaseUnavailable as exc:
                if self._closing:
                    return
                log.warning("could not mark updates handled (%s); trying again", exc)
                await asyncio.sleep(1.0)
                self._flush_wanted.set()

    def _end_pause(self) -> None:
        if self._pause is not None and not self._pause.done():
            self._pause.set_result(None)

    # ------------------------------------------------------------------ recovery
    async def recover(self, *, everything: bool = False) -> int:
        """Claim the updates another process recorded and did not finish, and handle them
        (before anything received later from the same chat). `everything`: every open claim,
        for long polling at start (Telegram lets only one process poll); otherwise those of
        processes known dead on this host and those whose lease ran out."""
        async with self._recovering:
            return await self._recover(everything)

    async def _recover(self, everything: bool) -> int:
        now = self.clock()
        async with self.sessions() as session, session.begin():
            owners = await journal.claim_owners(session, self.bot_id)
            dead = [o for o in owners if everything or dead_here(o, self.owner)]
            await journal.take_over(
                session, self.bot_id, owner=self.owner, now=now, owners=dead,
                claimed_before=None if everything else now - self.lease,
            )  # fmt: skip
            mine = await journal.claimed_by(session, self.bot_id, self.owner)
        # Handed on and not finished, about to be, or finished and not yet marked handled.
        busy = self._in_flight.keys() | self._recording | {*self._finished, *self._marking}
        waiting = [r for r in mine if r.update_id not in busy]
        given_up = [r.update_id for r in waiting if r.attempts > MAX_ATTEMPTS]
        if given_up:
            async with self.sessions() as session, session.begin():
                await journal.finish(
                    session, self.bot_id, given_up, owner=self.owner, status=journal.FAILED,
                    now=now, error=f"the bot stopped while handling it {MAX_ATTEMPTS} times",
                )  # fmt: skip
            self.metrics.updates_failed.inc(len(given_up))
            log.error("gave up on updates %s: the bot stopped while handling them", given_up)
        count = 0
        for record in waiting:
            if record.attempts > MAX_ATTEMPTS:
                continue
            update, error = self._parse(json.loads(record.payload))
            if update is None:
                self._unreadable(record.update_id, error, record.payload)
                async with self.sessions() as session, session.begin():
                    await journal.finish(
                        session, self.bot_id, [record.update_id], owner=self.owner,
                        status=journal.SKIPPED, now=now, error=error,
                    )  # fmt: skip
                continue
            self._enqueue(update)
            count += 1
        if count:
            self.metrics.updates_recovered.inc(count)
            log.info("handling %d update(s) received before a restart", count)
        return count

    async def maintain(self) -> None:
        """Take over expired claims; forget handled updates older than UPDATE_JOURNAL_HOURS
        (Telegram re-sends an unconfirmed update for at most 24 hours, so a duplicate is still
        recognised)."""
        await self.recover()
        async with self.sessions() as session, session.begin():
            pruned = await journal.prune(session, self.clock() - self.keep)
        if pruned:
            log.debug("pruned %d handled update(s) from the journal", pruned)

    async def _maintainer(self) -> None:
        while True:
            await asyncio.sleep(MAINTAIN_EVERY)
            try:
                await self.maintain()
            except Exception as exc:  # noqa: BLE001 - tried again next time
                log.warning("journal maintenance failed (%s); trying again", type(exc).__name__)


class DatabaseUnavailable(Exception):
    """The journal could not be written."""


def _shown(raw: object) -> str:
    try:
        return json.dumps(raw, ensure_ascii=False)[:SHOWN]
    except (TypeError, ValueError):
        return repr(raw)[:SHOWN]
