"""The current values of each framework and the boards scored from them, kept between messages.

Values and reviews are only ever inserted, and every transaction that inserts one counts it in
the "values" revision (storage.revisions), with the sub-index and period it touched. Each read
asks for that revision first, in the same read-only transaction: one row by its key, whatever
the history. While it is unchanged, what is kept is exact; a commit in this process or in any
other one (a second bot process, the command line) changes it. The values changed since are
then read by their ids (value_changes names them, migration 0015) and merged into those kept
of their sub-index and period (storage.current.pick); a sub-index and period whose change cannot
be merged (a repair by UPDATE, a kept value decided while values it hid were waiting) is read
again whole, the others kept. A board asked for again is scored again for the sub-indices
touched only (scoring.engine.rescore), so neither the read nor the scoring after a change grows
with the periods and sub-indices stored, nor with the corrections of one of them."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from dataclasses import InitVar, dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.status import ReviewStatus
from scoring.engine import Measurement, Scoreboard, evaluate, rescore
from scoring.model import Framework
from storage import current, revisions
from storage.current import Group, Kept
from storage.db import reading


@dataclass(frozen=True, slots=True)
class Current:
    """A framework's values that can decide a score (approved and pending), as of one values
    revision, and the boards scored from them so far."""

    revision: int
    kept: dict[Group, list[Kept]]  # by sub-index and period, each oldest first
    waiting: dict[Group, int]  # values waiting for review, rows of targets included
    _boards: dict[tuple[bool, bool], Scoreboard] = field(default_factory=dict)
    # The boards scored from the values before the last refresh, and the sub-indices (ids and
    # codes) whose values it read again: only those are scored again.
    _before: dict[tuple[bool, bool], Scoreboard] = field(default_factory=dict)
    _changed: frozenset[int] = frozenset()
    _changed_codes: frozenset[str] = frozenset()
    # Answers rendered from these values (handlers/score.py): dropped with them.
    rendered: dict[Hashable, str] = field(default_factory=dict)
    # What documents say about each sub-index asked about (services.scores), by code. Notes
    # are stored only with the values of an assessment (services.seeding), in their
    # transaction, so a new values revision is when they can change.
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    groups: dict[Group, list[Measurement]] = field(init=False)  # the values of `kept`
    pending: int = field(init=False)  # values waiting for review
    # `counted`, listed once per revision: listing every kept value for each answer grew with
    # the history (28 values kept on the seeded database, 775 at 10,000 stored).
    _counted: dict[bool, list[Measurement]] = field(default_factory=dict, init=False)
    # `groups` when known already (`_refreshed`: those kept before, with the pairs read again).
    known_groups: InitVar[dict[Group, list[Measurement]] | None] = None

    def __post_init__(self, known_groups: dict[Group, list[Measurement]] | None) -> None:
        groups = known_groups
        if groups is None:
            groups = {g: [k.value for k in kept] for g, kept in self.kept.items()}
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "pending", sum(self.waiting.values()))

    @property
    def values(self) -> list[Measurement]:
        """Every value kept; oldest first within a sub-index and period, which is the only
        order scoring reads (values of different periods are ranked by their period)."""
        return [m for kept in self.groups.values() for m in kept]

    def counted(self, *, include_pending: bool) -> list[Measurement]:
        """Approved values, or approved and pending ones (a new list: callers may change it)."""
        listed = self._counted.get(include_pending)
        if listed is None:
            listed = [m for m in self.values if include_pending or not m.pending]
            self._counted[include_pending] = listed
        return list(listed)

    def board(
        self, framework: Framework, *, include_pending: bool, with_pending: bool
    ) -> Scoreboard:
        """`evaluate(framework, self.counted(...), with_pending=...)`, scored once."""
        key = (include_pending, with_pending)
        if key in self._boards:
            return self._boards[key]
        before = self._before.get(key)
        if before is not None and before.framework is framework:
            changed = [
                m
                for (indicator, _), kept in self.groups.items()
                if indicator in self._changed
                for m in kept
                if include_pending or not m.pending
            ]
            board = rescore(before, changed, self._changed_codes, with_pending=with_pending)
        else:
            values = self.counted(include_pending=include_pending)
            board = evaluate(framework, values, with_pending=with_pending)
        self._boards[key] = board
        return board


# Past this many sub-indices and periods touched since the last read, read everything again.
REFRESH_LIMIT = 200


class CurrentValues:
    """Reads each framework's current values once per values revision."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._held: dict[str, Current] = {}
        self._probe = revisions.Probe(sessions)
        self._reading: dict[str, asyncio.Task[Current]] = {}  # reads running, by framework

    def close(self) -> None:
        """Close the revision probe's own connection (opened again by the next question)."""
        self._probe.close()

    async def get(self, framework_code: str) -> Current:
        """The framework's current values: those kept, when no value or review was stored
        since they were read; else read again. Questions asked while a read of the framework
        runs wait for it, then check again: after a start, or a change, the values are read
        once, not once a question, and a commit made before a question is still seen (the
        check after the wait is asked after the question was)."""
        while True:
            held = self._held.get(framework_code)
            committed = await self._probe.committed(revisions.VALUES)
            if held is not None and held.revision == committed:
                return held  # the usual case, answered without a transaction (revisions.Probe)
            running = self._reading.get(framework_code)
            if running is None:
                break
            await asyncio.wait([running])
        read = asyncio.ensure_future(self._read(framework_code))
        self._reading[framework_code] = read
        read.add_done_callback(lambda _: self._reading.pop(framework_code, None))
        # Shielded: a question given up on (its update cancelled) leaves the read to the others.
        return await asyncio.shield(read)

    async def _read(self, framework_code: str) -> Current:
        """Read again: whole, or the sub-indices and periods changed since the values kept."""
        async with reading(self._sessions) as session:
            # Read first: a commit between the two reads then only makes the next read again.
            revision = await revisions.current(session, revisions.VALUES)
            held = self._held.get(framework_code)
            if held is not None and held.revision == revision:
                return held
            changes = None
            if held is not None:
                changes = await current.changes_since(session, held.revision)
                if changes is not None and len(changes) > REFRESH_LIMIT:
                    changes = None
            if held is None or changes is None:
                read = await current.kept_values(session, framework_code)
                waiting = await current.pending_counts(session, framework_code)
                held = Current(revision, read, waiting)
            else:
                whole = {g for g, change in changes.items() if not _mergeable(held, g, change)}
                merged = {g: changes[g] for g in changes.keys() - whole}
                named = {i for c in merged.values() for i in (*c.inserted, *c.reviewed)}
                stored = await current.values_by_id(session, framework_code, named)
                read, waiting = {}, {}
                if whole:
                    read = await current.kept_values(session, framework_code, whole)
                    waiting = await current.pending_counts(session, framework_code, whole)
                for g, change in merged.items():
                    _merge(held, g, change, stored.get(g, []), read, waiting)
                held = _refreshed(held, revision, set(changes), read, waiting)
        self._held[framework_code] = held
        return held

    def forget(self) -> None:
        """Drop everything kept (a framework was imported again, or agencies changed)."""
        self._held.clear()


def _mergeable(held: Current, group: Group, change: current.Change) -> bool:
    """Whether the values of `group` changed since `held` was read can be merged into those
    kept (`_merge`), rather than the pair read again whole. A value stored since only adds
    one; so does a value decided that was not kept (it ranked under kept ones in every
    partition of its old state). A kept value that was decided leaves its old state: the value
    under it must be known, which it is only when every value waiting in the pair is kept (it
    was waiting, being kept before a first review)."""
    if change.whole:
        return False
    kept = {k.value.submission_id: k for k in held.kept.get(group, ())}
    decided = [kept[i] for i in change.reviewed - change.inserted if i in kept]
    if not decided:
        return True
    waiting_kept = sum(1 for k in kept.values() if k.value.status == ReviewStatus.PENDING)
    return held.waiting.get(group, 0) == waiting_kept and all(
        k.value.status == ReviewStatus.PENDING for k in decided
    )


def _merge(
    held: Current,
    group: Group,
    change: current.Change,
    stored: list[Kept],
    read: dict[Group, list[Kept]],
    waiting: dict[Group, int],
) -> None:
    """Into `read` and `waiting`, the values of `group` kept in `held` with the values
    `stored` (those changed since, as they stand now) merged in, and its count of values
    waiting for review. Each value has one review at most (migration 0012), so a value decided
    since was as stored before."""
    changed = change.inserted | change.reviewed
    count = held.waiting.get(group, 0)
    for k in stored:
        now = k.value.status == ReviewStatus.PENDING
        before = k.value.submission_id not in change.inserted and k.stored == ReviewStatus.PENDING
        count += now - before
    values = [k for k in held.kept.get(group, ()) if k.value.submission_id not in changed]
    picked = current.pick([*values, *stored])
    if picked:
        read[group] = picked
    if count:
        waiting[group] = count


def _refreshed(
    held: Current,
    revision: int,
    touched: set[Group],
    read: dict[Group, list[Kept]],
    waiting: dict[Group, int],
) -> Current:
    """`held` with the sub-indices and periods `touched` read again (`read`, `waiting`): the
    other pairs taken over as they are (copies of the dictionaries, not of each pair's values:
    a change touches a few pairs of the hundreds kept, 403 at 10,000 values)."""
    changed = frozenset(indicator for indicator, _ in touched)
    codes = frozenset(
        k.value.code
        for g in touched
        for kept in (held.kept.get(g, ()), read.get(g, ()))
        for k in kept
    )
    kept, counts, groups = dict(held.kept), dict(held.waiting), dict(held.groups)
    for g in touched:  # read again: moved after the others, as they were before
        kept.pop(g, None)
        counts.pop(g, None)
        groups.pop(g, None)
    kept.update(read)
    counts.update(waiting)
    groups.update((g, [k.value for k in values]) for g, values in read.items())
    return Current(
        revision,
        kept,
        counts,
        _before=dict(held._boards),
        _changed=changed,
        _changed_codes=codes,
        known_groups=groups,
    )
