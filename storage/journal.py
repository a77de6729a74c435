"""The update journal: each update Telegram sent, claimed by one process, until it is handled.
Callers own the transaction."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upserts
from storage.db import Executor, dialect_name
from storage.models import BotStateRow, UpdateJournalRow

CLAIMED, HANDLED, SKIPPED, FAILED = "claimed", "handled", "skipped", "failed"
# Every update passes record_many and finish: their statements are built on the table itself, so
# SQLAlchemy runs them as plain SQL (no ORM bulk set-up, no search of the session for objects),
# and built once, with the values as parameters: building a statement again for each call cost
# more CPU than running it, and a multi-row VALUES of new rows was compiled again every time
# (its SQL differs with the number of rows), where one statement run with many rows is
# compiled once and kept in SQLAlchemy's cache.
_JOURNAL = UpdateJournalRow.__table__
_FINISH = (
    update(_JOURNAL)
    .where(
        _JOURNAL.c.bot_id == bindparam("bot"),
        _JOURNAL.c.update_id.in_(bindparam("ids", expanding=True)),
        _JOURNAL.c.owner == bindparam("me"),
        _JOURNAL.c.status == CLAIMED,
    )
    .values(status=bindparam("to"), finished_at=bindparam("at"), error=bindparam("why"))
)
_RECORD: dict[str, Any] = {}  # dialect name -> the INSERT of record_many


class Recorded(NamedTuple):
    """An update recorded earlier and claimed by the caller."""

    update_id: int
    payload: str
    attempts: int


def _insert(session: Executor, table: Any) -> Any:
    return upserts.insert(session, table)


def _record_statement(session: Executor) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING update_id, in the session's dialect: run with
    many rows, SQLAlchemy sends them as one multi-row statement ("insertmanyvalues")."""
    dialect = dialect_name(session)
    statement = _RECORD.get(dialect)
    if statement is None:
        statement = _RECORD[dialect] = (
            _insert(session, _JOURNAL)
            .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
            .returning(_JOURNAL.c.update_id)
        )
    return statement


class Entry(NamedTuple):
    """An update to record."""

    update_id: int
    kind: str
    payload: str  # the update's JSON as received
    status: str = CLAIMED  # SKIPPED for one that could not be read
    error: str = ""


CHUNK = 500  # rows per INSERT: within SQLite's bound on parameters of a statement


async def record_many(
    session: Executor, bot_id: int, entries: Sequence[Entry], *, owner: str, now: datetime
) -> set[int]:
    """Record updates, claimed by `owner`, with one statement (per CHUNK). Returns the update
    ids recorded now: each is recorded for exactly one caller; an id recorded before (Telegram
    sent it again, or another process has it) or earlier in `entries` is not among them."""
    recorded: set[int] = set()
    statement = _record_statement(session)
    for start in range(0, len(entries), CHUNK):
        rows = [
            {
                "bot_id": bot_id, "update_id": e.update_id, "kind": e.kind[:32],
                "payload": e.payload, "status": e.status, "owner": owner, "attempts": 1,
                "received_at": now, "claimed_at": now,
                "finished_at": None if e.status == CLAIMED else now, "error": e.error[:500],
            }
            for e in entries[start : start + CHUNK]
        ]  # fmt: skip
        result = await session.execute(statement, rows)
        recorded.update(result.scalars())
    return recorded


async def record(
    session: Executor,
    bot_id: int,
    update_id: int,
    kind: str,
    payload: str,
    *,
    owner: str,
    now: datetime,
    status: str = CLAIMED,
    error: str = "",
) -> bool:
    """Record one update (record_many). True for exactly one caller per update."""
    entry = Entry(update_id, kind, payload, status, error)
    return update_id in await record_many(session, bot_id, [entry], owner=owner, now=now)


async def finish(
    session: Executor,
    bot_id: int,
    update_ids: Collection[int],
    *,
    owner: str,
    status: str,
    now: datetime,
    error: str = "",
) -> int:
    """Close the caller's claims on these updates; returns how many were still its own."""
    if not update_ids:
        return 0
    result = await session.execute(
        _FINISH,
        {
            "bot": bot_id, "ids": list(update_ids), "me": owner, "to": status, "at": now,
            "why": error[:500],
        },
    )  # fmt: skip
    return int(result.rowcount)  # type: ignore[attr-defined]


async def claim_owners(session: AsyncSession, bot_id: int) -> list[str]:
    """The owners of open claims (processes handling updates, or that died handling them)."""
    rows = await session.scalars(
        select(UpdateJournalRow.owner)
        .where(UpdateJournalRow.bot_id == bot_id, UpdateJournalRow.status == CLAIMED)
        .distinct()
    )
    return list(rows)


async def take_over(
    session: AsyncSession,
    bot_id: int,
    *,
    owner: str,
    now: datetime,
    owners: Collection[str] = (),
    claimed_before: datetime | None = None,
) -> int:
    """Claim for `owner` the open claims of `owners` (known dead) and those older than
    `claimed_before` (a lease that ran out). A row is taken by one caller only: the condition
    is checked again under the row's lock."""
    which = []
    if owners:
        which.append(UpdateJournalRow.owner.in_(list(owners)))
    if claimed_before is not None:
        which.append(UpdateJournalRow.claimed_at < claimed_before)
    if not which:
        return 0
    result = await session.execute(
        update(UpdateJournalRow)
        .where(
            UpdateJournalRow.bot_id == bot_id,
            UpdateJournalRow.status == CLAIMED,
            UpdateJournalRow.owner != owner,
            or_(*which),
        )
        .values(owner=owner, claimed_at=now, attempts=UpdateJournalRow.attempts + 1)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def claimed_by(session: AsyncSession, bot_id: int, owner: str) -> list[Recorded]:
    """The open claims of `owner`, oldest update first."""
    rows = await session.execute(
        select(UpdateJournalRow.update_id, UpdateJournalRow.payload, UpdateJournalRow.attempts)
        .where(
            UpdateJournalRow.bot_id == bot_id,
            UpdateJournalRow.owner == owner,
            UpdateJournalRow.status == CLAIMED,
        )
        .order_by(UpdateJournalRow.update_id)
    )
    return [Recorded(*row) for row in rows]


async def prune(session: AsyncSession, finished_before: datetime) -> int:
    """Forget updates finished before the given time; open claims are never pruned."""
    result = await session.execute(
        delete(UpdateJournalRow).where(
            UpdateJournalRow.status != CLAIMED, UpdateJournalRow.finished_at < finished_before
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def statuses(session: AsyncSession, bot_id: int) -> dict[str, int]:
    """How many recorded updates are in each status."""
    rows = await session.execute(
        select(UpdateJournalRow.status, func.count())
        .where(UpdateJournalRow.bot_id == bot_id)
        .group_by(UpdateJournalRow.status)
    )
    return {status: count for status, count in rows}


async def kept_value(session: AsyncSession, key: str, made: str, now: datetime) -> str:
    """The value stored under `key`; `made` is stored first when there is none. Every process
    gets the same value, whoever stored it first."""
    await session.execute(
        _insert(session, BotStateRow)
        .values(key=key, value=made, created_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    value = await session.scalar(select(BotStateRow.value).where(BotStateRow.key == key))
    return str(value)


async def state(session: AsyncSession, key: str) -> str | None:
    """The value stored under `key`, None when there is none."""
    value = await session.scalar(select(BotStateRow.value).where(BotStateRow.key == key))
    return None if value is None else str(value)


async def put_state(session: AsyncSession, key: str, value: str, now: datetime) -> None:
    """Store `value` under `key`, replacing what was there."""
    await session.execute(
        _insert(session, BotStateRow)
        .values(key=key, value=value, created_at=now)
        .on_conflict_do_update(index_elements=["key"], set_={"value": value, "created_at": now})
    )
