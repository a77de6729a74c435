"""The values that can decide a score, chosen in SQL: of each sub-index, period, row of a target
and review state only the few newest that `scoring.engine.evaluate` (and the targets and index
boards) can pick, in plain columns. Scoring these gives the same result as scoring every value
stored, so a read does not grow with the number of corrections. Callers own the transaction.

Each statement is built once (per number of sub-indices and periods asked for) with bound
parameters, not at every read: building one of these selects costs two to three milliseconds of
CPU, many times what SQLite takes to run it, and a refresh after each change made one or two."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.status import ReviewStatus
from scoring.engine import Measurement
from scoring.model import Provenance, RuleKind
from storage.models import (
    FrameworkRow,
    IndicatorRow,
    PeriodRow,
    ReviewRow,
    SubmissionRow,
    ValueChangeRow,
)
from storage.values import provenance_of

S, I, R = SubmissionRow, IndicatorRow, ReviewRow  # noqa: E741 - short names keep the SQL legible

# How many of the newest values that cannot be scored a sub-index shows (SubIndexScore.unscored).
UNSCORED_SHOWN = 3
COUNTED = (ReviewStatus.APPROVED, ReviewStatus.PENDING)  # returned values never count
# Plain columns, no ORM objects: what a Measurement holds.
_COLUMNS = (
    S.id, S.value, S.points, S.source, S.source_max, S.status, S.provenance, S.unit, S.note,
    S.part, S.text, S.verdict, S.rank, S.rank_of,
)  # fmt: skip


@cache
def _state() -> ColumnElement[ReviewStatus]:
    """Where a value stands: its review's decision, else what it was stored as."""
    return func.coalesce(R.decision, S.status)


@cache
def scorable() -> ColumnElement[int]:
    """1 where `scoring.engine.scorable` holds, read from the value and its sub-index's rule."""
    return case(
        (S.points.is_not(None), 1),
        (or_(S.value.is_(None), I.rule == RuleKind.NONE.value), 0),
        (and_(S.unit != "", I.unit != "", S.unit != I.unit), 0),
        (S.value < 0, 0),
        (and_(I.rule == RuleKind.BOOLEAN.value, S.value.not_in([0, 1])), 0),
        (and_(I.rule == RuleKind.ASSESSED.value, S.value > I.max_points), 0),
        else_=1,
    )


@cache
def _official_points() -> ColumnElement[int]:
    """1 for an evaluator's points or an approved value's points (SubIndexScore.official)."""
    official = or_(S.provenance == Provenance.OFFICIAL.value, R.decision == ReviewStatus.APPROVED)
    return case((and_(S.points.is_not(None), official), 1), else_=0)


Query = Select[*tuple[Any, ...]]
Group = tuple[int, int]  # (indicator id, period id): values scoring compares with each other


def _in(count: int | None) -> ColumnElement[bool]:
    """Values of `count` sub-indices and periods, bound by `_pairs` (None: all). Pairs of
    equalities, not a row-value IN: SQLite seeks the index for each pair, where it would scan
    the whole index for an IN."""
    if count is None:
        return true()
    return or_(
        false(),
        *(
            and_(
                S.indicator_id == bindparam(f"indicator_{n}"),
                S.period_id == bindparam(f"period_{n}"),
            )
            for n in range(count)
        ),
    )


def _pairs(groups: Collection[Group] | None) -> dict[str, int]:
    """The parameters of `_in(len(groups))`."""
    bound: dict[str, int] = {}
    for n, (i, p) in enumerate(groups or ()):
        bound[f"indicator_{n}"], bound[f"period_{n}"] = i, p
    return bound


def _count(groups: Collection[Group] | None) -> int | None:
    return None if groups is None else len(groups)


# The statements, each made once for a number of pairs (`_in`): a refresh names the few pairs
# changed, so only a few numbers come up.
_SHAPES = 64


@dataclass(frozen=True, slots=True)
class Kept:
    """A value that can decide a score, with what ranks it among the others of its sub-index
    and period (the window of `current_values`): the newest first by date, then id."""

    value: Measurement
    part: str | None  # as stored: the ranking's row of a target
    created_at: datetime
    scorable: bool
    official: bool
    stored: ReviewStatus  # what it was stored as, before any review

    @property
    def order(self) -> tuple[datetime, int]:
        return self.created_at, self.value.submission_id or 0


async def current_values(
    session: AsyncSession, framework_code: str, groups: Collection[Group] | None = None
) -> dict[Group, list[Measurement]]:
    """Approved and pending values of a framework that scoring can pick, by sub-index and
    period (all of them, or those of `groups`), each oldest first as stored: of each sub-index,
    period, row and state the newest value, the newest scorable one, the newest unscorable ones
    shown beside it and the newest with official points."""
    found = await kept_values(session, framework_code, groups)
    return {g: [k.value for k in kept] for g, kept in found.items()}


async def kept_values(
    session: AsyncSession, framework_code: str, groups: Collection[Group] | None = None
) -> dict[Group, list[Kept]]:
    """`current_values`, each with what ranks it (`Kept`)."""
    query = _kept_statement(_count(groups))
    return await _read_kept(session, query, {"framework": framework_code, **_pairs(groups)})


@lru_cache(maxsize=_SHAPES)
def _kept_statement(count: int | None) -> Query:
    key = (S.indicator_id, S.period_id, S.part, _state())
    newest_first = (S.created_at.desc(), S.id.desc())
    can_score, official = scorable(), _official_points()
    ranked_query = (
        select(
            S.id.label("id"),
            can_score.label("scorable"),
            official.label("official"),
            func.row_number().over(partition_by=key, order_by=newest_first).label("newest"),
            func.row_number()
            .over(partition_by=(*key, can_score), order_by=newest_first)
            .label("of_kind"),
            func.row_number()
            .over(partition_by=(*key, official), order_by=newest_first)
            .label("of_official"),
        )
        .join(I, I.id == S.indicator_id)
        .outerjoin(R, R.submission_id == S.id)
        .where(_state().in_(COUNTED))
    )
    if count is None:
        ranked_query = ranked_query.join(FrameworkRow, FrameworkRow.id == I.framework_id).where(
            FrameworkRow.code == bindparam("framework")
        )
    else:  # the framework is checked below: here the index is sought for each pair alone
        ranked_query = ranked_query.where(_in(count))
    ranked = ranked_query.subquery()
    picked = or_(
        ranked.c.newest == 1,
        and_(ranked.c.scorable == 1, ranked.c.of_kind == 1),
        and_(ranked.c.scorable == 0, ranked.c.of_kind <= UNSCORED_SHOWN),
        and_(ranked.c.official == 1, ranked.c.of_official == 1),
    )
    return _kept_query().join(ranked, ranked.c.id == S.id).where(picked)


async def values_by_id(
    session: AsyncSession, framework_code: str, ids: Collection[int]
) -> dict[Group, list[Kept]]:
    """The values of a framework with these ids, whatever their state, by sub-index and period
    (the values changed since a revision, `changes_since`): read by their key, so the read
    grows with the values changed, not with those stored before."""
    if not ids:
        return {}
    bound = {"framework": framework_code, "ids": sorted(ids)}
    return await _read_kept(session, _by_id_statement(), bound)


@cache
def _by_id_statement() -> Query:
    return _kept_query().where(S.id.in_(bindparam("ids", expanding=True)))


def _kept_query() -> Query:
    return (
        select(
            *_COLUMNS,
            S.indicator_id,
            S.period_id,
            S.created_at,
            I.code.label("code"),
            PeriodRow.code.label("period"),
            R.decision.label("decision"),
            scorable().label("can_score"),
            _official_points().label("is_official"),
        )
        .join(I, I.id == S.indicator_id)
        .join(FrameworkRow, FrameworkRow.id == I.framework_id)
        .join(PeriodRow, PeriodRow.id == S.period_id)
        .outerjoin(R, R.submission_id == S.id)
        .where(FrameworkRow.code == bindparam("framework"))
        .order_by(S.created_at, S.id)
    )


async def _read_kept(
    session: AsyncSession, query: Query, bound: dict[str, Any]
) -> dict[Group, list[Kept]]:
    found: dict[Group, list[Kept]] = {}
    for r in await session.execute(query, bound):
        kept = Kept(
            _measurement(r), r.part, r.created_at, bool(r.can_score), bool(r.is_official), r.status
        )
        found.setdefault((r.indicator_id, r.period_id), []).append(kept)
    return found


def _measurement(r: Row[Any]) -> Measurement:
    return Measurement(
        r.code,
        r.period,
        r.value,
        r.points,
        r.source,
        r.source_max,
        r.decision or r.status,
        r.id,
        provenance=provenance_of(r.provenance, r.decision),
        unit=r.unit,
        note=r.note,
        part=r.part or "",
        text=r.text or "",
        verdict=r.verdict or "",
        rank=r.rank,
        rank_of=r.rank_of,
    )


def pick(values: Iterable[Kept]) -> list[Kept]:
    """Of values of one sub-index and period, those `kept_values` keeps (its window, in
    Python), oldest first: of `values` ⊇ what `kept_values` read from a history, plus values
    stored since, this is what it would read from the history with them."""
    seen: Counter[tuple[object, ...]] = Counter()
    picked = []
    for k in sorted(values, key=lambda k: k.order, reverse=True):
        if k.value.status not in COUNTED:
            continue
        key = (k.part, k.value.status)
        seen[key] += 1
        seen[(*key, "kind", k.scorable)] += 1
        seen[(*key, "official", k.official)] += 1
        of_kind = seen[(*key, "kind", k.scorable)]
        if (
            seen[key] == 1
            or (k.scorable and of_kind == 1)
            or (not k.scorable and of_kind <= UNSCORED_SHOWN)
            or (k.official and seen[(*key, "official", True)] == 1)
        ):
            picked.append(k)
    return picked[::-1]


async def pending_counts(
    session: AsyncSession, framework_code: str, groups: Collection[Group] | None = None
) -> dict[Group, int]:
    """How many values of a framework wait for review, by sub-index and period (all of them,
    or those of `groups`)."""
    bound = {"framework": framework_code, **_pairs(groups)}
    found = await session.execute(_pending_statement(_count(groups)), bound)
    return {(i, p): n for i, p, n in found}


@lru_cache(maxsize=_SHAPES)
def _pending_statement(count: int | None) -> Query:
    return (
        select(S.indicator_id, S.period_id, func.count(S.id))
        .join(I, I.id == S.indicator_id)
        .join(FrameworkRow, FrameworkRow.id == I.framework_id)
        .outerjoin(R, R.submission_id == S.id)
        .where(
            FrameworkRow.code == bindparam("framework"),
            _state() == ReviewStatus.PENDING,
            _in(count),
        )
        .group_by(S.indicator_id, S.period_id)
    )


# Past this many changes since the last read, `changes_since` names the sub-indices and periods
# only (each is read again whole).
CHANGES_NAMED = 500


@dataclass(frozen=True, slots=True)
class Change:
    """The values of one sub-index and period stored (`inserted`) and decided (`reviewed`)
    since a revision; `whole` when a change does not say which (an UPDATE, a row older than
    migration 0015, too many changes): then the pair is read again whole."""

    inserted: frozenset[int] = frozenset()
    reviewed: frozenset[int] = frozenset()
    whole: bool = False


async def changes_since(session: AsyncSession, revision: int) -> dict[Group, Change] | None:
    """The sub-indices and periods that got a value or a review after `revision` of "values"
    (counted by triggers in commit order, migration 0013) and which values, or None when the
    rows of the revisions after it are gone (only the newest are kept, migration 0014): then
    nobody can tell. Callers ask only when the revision changed since, so at least one row
    follows."""
    rows = (await session.execute(_changes_statement(), {"revision": revision})).all()
    if not rows or rows[0].revision != revision + 1:
        return None
    if len(rows) > CHANGES_NAMED:
        touched = await changed_since(session, revision)
        return None if touched is None else {g: Change(whole=True) for g in touched}
    named: dict[Group, tuple[set[int], set[int]]] = {}
    whole: set[Group] = set()
    for r in rows:
        group = (r.indicator_id, r.period_id)
        inserted, reviewed = named.setdefault(group, (set(), set()))
        if r.submission_id is None or r.kind not in ("value", "review"):
            whole.add(group)
        else:
            (inserted if r.kind == "value" else reviewed).add(r.submission_id)
    return {g: Change(frozenset(i), frozenset(v), whole=g in whole) for g, (i, v) in named.items()}


@cache
def _changes_statement() -> Query:
    V = ValueChangeRow  # noqa: N806 - a table's short name, as S, I and R
    return (
        select(V.revision, V.indicator_id, V.period_id, V.submission_id, V.kind)
        .where(V.revision > bindparam("revision"))
        .order_by(V.revision)
        .limit(CHANGES_NAMED + 1)
    )


async def changed_since(session: AsyncSession, revision: int) -> set[Group] | None:
    """The sub-indices and periods that got a value or a review after `revision` of "values",
    or None when the rows of the revisions after it are gone (`changes_since`)."""
    found = (await session.execute(_changed_statement(), {"revision": revision})).all()
    if min((first for _, _, first in found), default=None) != revision + 1:
        return None
    return {(i, p) for i, p, _ in found}


@cache
def _changed_statement() -> Query:
    V = ValueChangeRow  # noqa: N806 - a table's short name, as S, I and R
    return (
        select(V.indicator_id, V.period_id, func.min(V.revision))
        .where(V.revision > bindparam("revision"))
        .group_by(V.indicator_id, V.period_id)
    )


async def reported_codes(session: AsyncSession, framework_code: str, period_code: str) -> set[str]:
    """Sub-indices of a framework with a value for a period that was not returned."""
    bound = {"framework": framework_code, "period": period_code}
    return set(await session.scalars(_reported_statement(), bound))


@cache
def _reported_statement() -> Query:
    return (
        select(I.code)
        .distinct()
        .join(S, S.indicator_id == I.id)
        .join(FrameworkRow, FrameworkRow.id == I.framework_id)
        .join(PeriodRow, PeriodRow.id == S.period_id)
        .outerjoin(R, R.submission_id == S.id)
        .where(
            FrameworkRow.code == bindparam("framework"),
            PeriodRow.code == bindparam("period"),
            _state() != ReviewStatus.REJECTED,
        )
    )
