"""The current values of each framework and the boards scored from them, kept between messages.

Values and reviews are only ever inserted, and every transaction that inserts one counts it in
the "values" revision (storage.revisions). Each read asks for that revision first, in the same
read-only transaction: one row by its key, whatever the history. While it is unchanged, what is
kept is exact; a commit in this process or in any other one (a second bot process, the command
line) changes it, and the values are read again."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scoring.engine import Measurement, Scoreboard, evaluate
from scoring.model import Framework
from storage import current, revisions
from storage.db import reading


@dataclass(frozen=True, slots=True)
class Current:
    """A framework's values that can decide a score (approved and pending, oldest first), as
    of one values revision, and the boards scored from them so far."""

    revision: int
    values: tuple[Measurement, ...]
    pending: int  # values waiting for review, rows of targets included
    _boards: dict[tuple[bool, bool], Scoreboard] = field(default_factory=dict)

    def counted(self, *, include_pending: bool) -> list[Measurement]:
        """Approved values, or approved and pending ones."""
        return [m for m in self.values if include_pending or not m.pending]

    def board(
        self, framework: Framework, *, include_pending: bool, with_pending: bool
    ) -> Scoreboard:
        """`evaluate(framework, self.counted(...), with_pending=...)`, scored once."""
        key = (include_pending, with_pending)
        if key not in self._boards:
            values = self.counted(include_pending=include_pending)
            self._boards[key] = evaluate(framework, values, with_pending=with_pending)
        return self._boards[key]


class CurrentValues:
    """Reads each framework's current values once per values revision."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._held: dict[str, Current] = {}

    async def get(self, framework_code: str) -> Current:
        """The framework's current values: those kept, when no value or review was stored
        since they were read; else read again."""
        async with reading(self._sessions) as session:
            # Read first: a commit between the two reads then only makes the next read again.
            revision = await revisions.current(session, revisions.VALUES)
            held = self._held.get(framework_code)
            if held is not None and held.revision == revision:
                return held
            values = await current.current_values(session, framework_code)
            pending = await current.pending_count(session, framework_code)
        held = Current(revision, tuple(values), pending)
        self._held[framework_code] = held
        return held

    def forget(self) -> None:
        """Drop everything kept (a framework was imported again, or agencies changed)."""
        self._held.clear()
