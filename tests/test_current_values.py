"""The values SQL picks (storage.current) score exactly as every stored value does, and the
counts read in SQL are those of every stored value: over random histories of corrections,
reviews, units, parts and timestamps, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.status import ReviewStatus
from scoring.engine import Measurement, evaluate, scorable
from scoring.insights import board_at
from scoring.model import Framework, Provenance
from scoring.periods import parse_period
from scoring.targets import evaluate_index, evaluate_targets
from services.current import CurrentValues
from services.seeding import seed
from storage import current, repo, values
from storage.db import make_engine, make_sessions, reading
from storage.migrate import upgrade
from storage.models import IndicatorRow, ReviewRow, SubmissionRow
from storage.models import SubmissionRow as S
from tests.conftest import DATA, PG, PG_HOST, PG_PORT, POSTGRES, SKIP_PG
from tests.templates import Templates

NOW = datetime(2025, 10, 1, 1, 0, tzinfo=UTC)
DTI, TARGETS, INDEX = "dti-province-2025", "ninh-thuan-2314", "dti-ninh-thuan-2022"
# Sub-indices of every rule (boolean, assessed, ratio in % and in another unit), rows of a
# target, and an index's whole and pillars.
CODES = {
    DTI: ("1.2", "3.1", "3.3"),
    TARGETS: ("1.1", "1.3"),
    INDEX: ("*", "1", "2"),
}
PARTS = {TARGETS: ("", "ho", "thon", "all")}
PERIODS = ("2024", "2025-Q3", "2025")
NUMBERS = tuple(D(x) for x in ("-1", "0", "1", "2", "0.5", "9.2", "50", "100", "150"))


@dataclass(frozen=True, slots=True)
class Stored:
    """One row as a history stores it."""

    framework: str
    code: str
    period: str
    value: D | None
    points: D | None
    source_max: D | None
    unit: str
    status: ReviewStatus
    review: ReviewStatus | None
    provenance: str
    part: str
    minute: int  # created_at: ties and an order other than the ids' are common


# The strategies of `stored`, made once: made again at every draw (forty a history), working out
# each new strategy's properties took more of hypothesis' time than drawing from them.
_NUMBER = st.sampled_from(NUMBERS)
_FRAMEWORK = st.sampled_from(sorted(CODES))
_CODE = {framework: st.sampled_from(codes) for framework, codes in CODES.items()}
_PART = {framework: st.sampled_from(PARTS.get(framework, ("",))) for framework in CODES}
_FIELDS = (
    st.sampled_from(PERIODS),
    st.none() | _NUMBER,
    st.none() | st.none() | _NUMBER,
    st.sampled_from((None, None, D(20))),
    st.sampled_from(("", "%", "thuê bao/100 dân", "điểm")),
    st.sampled_from((ReviewStatus.APPROVED, ReviewStatus.PENDING)),
    st.sampled_from((None, None, ReviewStatus.APPROVED, ReviewStatus.REJECTED)),
    st.sampled_from(("official", "reported")),
)
_MINUTE = st.integers(0, 6)


@st.composite
def stored(draw: st.DrawFn, framework: str | None = None) -> Stored:
    framework = framework or draw(_FRAMEWORK)
    code = draw(_CODE[framework])
    period, value, points, source_max, unit, status, review, provenance = (
        draw(field) for field in _FIELDS
    )
    return Stored(framework, code, period, value, points, source_max, unit, status, review,
                  provenance, draw(_PART[framework]), draw(_MINUTE))  # fmt: skip


@st.composite
def histories(draw: st.DrawFn) -> list[Stored]:
    """Values of one framework: few sub-indices and periods, so corrections pile up."""
    framework = draw(_FRAMEWORK)
    return draw(st.lists(stored(framework), max_size=40))


def _row(code: str, value: str | None, points: str | None, unit: str, minute: int) -> Stored:
    """An approved value of DTI 2025 in 2025-Q3, stored as reported unless it has points."""
    official = "official" if points else "reported"
    number = D(value) if value else None
    return Stored(DTI, code, "2025-Q3", number, D(points) if points else None, None, unit,
                  ReviewStatus.APPROVED, None, official, "", minute)  # fmt: skip


# Histories the engine reads deep into one period: an older scorable value under three newer
# ones it cannot score (all three shown), and official points under a newer counted value
# (shown beside it).
UNSCORED_UNDER_NEWER = [_row("3.1", "50", None, "%", 0)] + [
    _row("3.1", "5", None, "điểm", minute) for minute in (1, 2, 3, 4)
]
OFFICIAL_UNDER_NEWER = [_row("1.2", None, "1.5", "", 0), _row("1.2", "1", None, "", 1)]
# Stored later, dated earlier (an import of an older document): the later date is the newer.
DATED_EARLIER = [_row("3.1", "50", None, "%", 5), _row("3.1", "10", None, "%", 0)]


T = TypeVar("T")


@dataclass(repr=False)
class Database:
    runner: asyncio.Runner
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    frameworks: dict[str, Framework]
    # The seeded rows every history refers to, looked up once: `_store` empties only the values
    # and their reviews, so indicators and periods keep their ids from one example to the next.
    indicators: dict[str, dict[str, int]]
    periods: dict[str, int]

    # What `kept` made during the example that `run` runs: closed after it.
    opened: list[CurrentValues] = field(default_factory=list)

    def __repr__(self) -> str:  # hypothesis prints it with every failing example
        return f"Database({self.engine.dialect.name})"

    def kept(self, sessions: async_sessionmaker[AsyncSession] | None = None) -> CurrentValues:
        """Current values on these sessions (the database's own unless given)."""
        self.opened.append(CurrentValues(sessions or self.sessions))
        return self.opened[-1]

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """`work` to its end, then every CurrentValues it made closed: one per hypothesis
        example would otherwise keep a PostgreSQL connection (its revision probe's) open until
        the module's engine is disposed, ~90 at once."""
        try:
            return self.runner.run(work)
        finally:
            for kept in self.opened:
                kept.close()
            self.opened.clear()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    templates: Templates,
) -> Iterator[Database]:
    """One migrated, seeded database per backend for every example (a copy of the session's
    template seeded at NOW, as tests/test_reads.py takes); each example empties the values and
    stores its own history."""
    if request.param == "postgresql" and not POSTGRES:
        pytest.skip(SKIP_PG)
    name = f"dti_test_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{Path(tmp_path_factory.mktemp('current')) / 'v.sqlite3'}"
    else:
        url = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    with asyncio.Runner() as runner:
        if request.param == "postgresql":
            runner.run(PG.create(name))
        engine = make_engine(url)
        sessions = make_sessions(engine)

        async def prepare() -> Database:
            if not await templates.copy(url, f"seeded {NOW.isoformat()}"):
                await upgrade(engine)
                await seed(sessions, DATA, lambda: NOW)
            async with sessions() as session, session.begin():
                found = {code: await repo.load_framework(session, code) for code in CODES}
                indicators = {code: await repo.indicator_ids(session, code) for code in CODES}
                periods = {period: await repo.period_id(session, period) for period in PERIODS}
            frameworks = {code: f for code, f in found.items() if f is not None}
            return Database(runner, engine, sessions, frameworks, indicators, periods)

        try:
            yield runner.run(prepare())
        finally:
            runner.run(engine.dispose())
            if request.param == "postgresql":
                runner.run(PG.drop(name))


async def _store(
    db: Database,
    history: list[Stored],
    *,
    fresh: bool = True,
    sessions: async_sessionmaker[AsyncSession] | None = None,
) -> None:
    """The history's values in one commit, in its order (ids ascend with it), and the reviews
    of those it has; `fresh`: the values and reviews stored before are removed first."""
    async with (sessions or db.sessions)() as session, session.begin():
        if fresh:
            await session.execute(delete(ReviewRow))
            await session.execute(delete(SubmissionRow))
        if not history:
            return
        # One INSERT of many rows, the ids returned in the rows' order, instead of a round trip
        # to the database for each row.
        ids = await session.scalars(
            insert(SubmissionRow).returning(SubmissionRow.id, sort_by_parameter_order=True),
            [
                {
                    "indicator_id": db.indicators[row.framework][row.code],
                    "period_id": db.periods[row.period],
                    "value": row.value,
                    "points": row.points,
                    "source_max": row.source_max,
                    "unit": row.unit,
                    "status": row.status,
                    "source": "test",
                    "note": "",
                    "provenance": row.provenance,
                    "part": row.part,
                    "created_at": NOW + timedelta(minutes=row.minute),
                }
                for row in history
            ],
        )
        for row, submission_id in zip(history, ids.all(), strict=True):
            if row.review is not None:
                await values.add_review(session, submission_id, row.review, "", None, NOW)


def _same_scores(framework: Framework, every: list[Measurement], kept: list[Measurement]) -> None:
    """Every board the services score from values is the same from both lists."""
    approved = [m for m in every if not m.pending]
    approved_kept = [m for m in kept if not m.pending]
    periods = sorted({m.period for m in every})
    if framework.kind == "targets":
        for period in (None, *periods):
            assert evaluate_targets(framework, approved_kept, period) == evaluate_targets(
                framework, approved, period
            )
        return
    if framework.kind == "index":
        for period in (None, *periods):
            assert evaluate_index(framework, approved_kept, period) == evaluate_index(
                framework, approved, period
            )
        return
    for with_pending in (False, True):
        assert evaluate(framework, kept, with_pending=with_pending) == evaluate(
            framework, every, with_pending=with_pending
        )
        assert evaluate(framework, approved_kept, with_pending=with_pending) == evaluate(
            framework, approved, with_pending=with_pending
        )
    for period in periods:
        assert board_at(framework, approved_kept, period) == board_at(framework, approved, period)
    # A preview or a what-if adds a value after all others.
    for code in CODES[DTI]:
        extra = Measurement(code, "2025-Q3", value=D(1), status=ReviewStatus.PENDING)
        assert evaluate(framework, [*approved_kept, extra], with_pending=True) == evaluate(
            framework, [*approved, extra], with_pending=True
        )


async def _check(db: Database, history: list[Stored]) -> None:
    await _store(db, history)
    async with reading(db.sessions) as session:
        for code, framework in db.frameworks.items():
            every = await values.measurements(session, code, include_pending=True)
            groups = await current.current_values(session, code)
            for group in groups.values():  # oldest first within a sub-index and period
                assert [m for m in every if m in set(group)] == group
            kept = [m for group in groups.values() for m in group]
            assert set(kept) <= set(every)
            _same_scores(framework, every, kept)
            pending = await current.pending_counts(session, code)
            assert sum(pending.values()) == sum(1 for m in every if m.pending)
            stored = await values.submissions(session, code)
            for period in PERIODS:
                assert await current.reported_codes(session, code, period) == {
                    v.code
                    for v in stored
                    if v.period == period and v.status is not ReviewStatus.REJECTED
                }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories())
@example(history=UNSCORED_UNDER_NEWER)
@example(history=OFFICIAL_UNDER_NEWER)
@example(history=DATED_EARLIER)
def test_the_values_sql_keeps_score_every_board_as_the_whole_history_does(
    database: Database, history: list[Stored]
) -> None:
    database.run(_check(database, history))


async def _review_waiting(
    db: Database,
    decisions: list[ReviewStatus],
    *,
    newest: bool = False,
    sessions: async_sessionmaker[AsyncSession] | None = None,
) -> None:
    """Decide the oldest (or newest) values still waiting, one decision each."""
    async with (sessions or db.sessions)() as session, session.begin():
        waiting = await session.scalars(
            select(S.id)
            .outerjoin(ReviewRow, ReviewRow.submission_id == S.id)
            .where(ReviewRow.id.is_(None), S.status == ReviewStatus.PENDING)
            .order_by(S.id.desc() if newest else S.id)
        )
        for submission_id, decision in zip(waiting.all(), decisions, strict=False):
            await values.add_review(session, submission_id, decision, "", None, NOW)


async def _refresh(
    db: Database, before: list[Stored], after: list[Stored], decisions: list[ReviewStatus]
) -> None:
    await _store(db, before)
    kept = db.kept()
    for code in db.frameworks:
        await kept.get(code)
    await _review_waiting(db, decisions)
    await _store(db, after, fresh=False)
    async with reading(db.sessions) as session:
        for code in db.frameworks:
            refreshed = await kept.get(code)
            assert refreshed.groups == await current.current_values(session, code)
            assert refreshed.waiting == await current.pending_counts(session, code)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    before=histories(),
    after=st.lists(stored(), max_size=8),
    decisions=st.lists(st.sampled_from((ReviewStatus.APPROVED, ReviewStatus.REJECTED))),
)
def test_values_kept_and_refreshed_after_new_values_and_reviews_are_those_read_afresh(
    database: Database,
    before: list[Stored],
    after: list[Stored],
    decisions: list[ReviewStatus],
) -> None:
    """Only the sub-indices and periods touched since are read again; the result is the same."""
    database.run(_refresh(database, before, after, decisions))


BOARDS = [(counted, with_pending) for counted in (False, True) for with_pending in (False, True)]


async def _rescore(
    db: Database, before: list[Stored], after: list[Stored], decisions: list[ReviewStatus]
) -> None:
    framework = db.frameworks[DTI]
    await _store(db, before)
    kept = db.kept()
    held = await kept.get(DTI)
    for counted, with_pending in BOARDS:  # scored before the change: kept for the next ones
        held.board(framework, include_pending=counted, with_pending=with_pending)
    await _review_waiting(db, decisions)
    await _store(db, after, fresh=False)
    refreshed = await kept.get(DTI)
    async with reading(db.sessions) as session:
        every = await values.measurements(session, DTI, include_pending=True)
    for counted, with_pending in BOARDS:
        board = refreshed.board(framework, include_pending=counted, with_pending=with_pending)
        whole = [m for m in every if counted or not m.pending]
        assert board == evaluate(framework, whole, with_pending=with_pending)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    before=st.lists(stored(DTI), max_size=40),
    after=st.lists(stored(DTI), max_size=8),
    decisions=st.lists(st.sampled_from((ReviewStatus.APPROVED, ReviewStatus.REJECTED))),
)
def test_boards_kept_and_rescored_after_new_values_and_reviews_are_those_of_every_value(
    database: Database,
    before: list[Stored],
    after: list[Stored],
    decisions: list[ReviewStatus],
) -> None:
    """After a change only the sub-indices touched are scored again; every board is the one
    the whole history gives."""
    database.run(_rescore(database, before, after, decisions))


@settings(max_examples=60, deadline=None)
@given(row=stored())
def test_sql_and_python_agree_on_which_values_a_rule_can_score(
    database: Database, row: Stored
) -> None:
    """The SQL reading of `scorable` (storage.current) is the engine's, value by value."""
    database.run(_store(database, [row]))
    framework = database.frameworks[row.framework]
    sub = framework.sub_index(row.code)
    if sub is None or row.part:
        return
    m = Measurement(row.code, row.period, row.value, row.points, unit=row.unit)

    async def read() -> int | None:
        async with reading(database.sessions) as session:
            return await session.scalar(
                select(current.scorable()).join(IndicatorRow, IndicatorRow.id == S.indicator_id)
            )

    assert database.run(read()) == int(scorable(sub, m))


def test_a_history_of_corrections_keeps_a_few_values_per_sub_index_and_period(
    database: Database,
) -> None:
    """Sixty corrections of one sub-index in one period come back as the newest one."""
    corrections = [
        Stored(
            DTI,
            "3.1",
            "2025-Q3",
            D(i % 90),
            None,
            None,
            "%",
            ReviewStatus.APPROVED,
            None,
            "reported",
            "",
            i,
        )  # fmt: skip
        for i in range(60)
    ]
    database.run(_store(database, corrections))

    async def read() -> dict[current.Group, list[Measurement]]:
        async with reading(database.sessions) as session:
            return await current.current_values(session, DTI)

    kept = [m for group in database.run(read()).values() for m in group]
    assert [(m.value, m.provenance) for m in kept] == [(D(59), Provenance.REPORTED)]
    assert parse_period(kept[0].period).code == "2025-Q3"


@dataclass(frozen=True, slots=True)
class Step:
    """One commit of a history that goes on after values were kept: values stored, or values
    waiting decided (the newest first: those kept), by this process or another one."""

    stored: list[Stored]
    decisions: list[ReviewStatus]
    newest: bool
    other: bool


steps = st.builds(
    Step,
    st.lists(stored(DTI), max_size=4),
    st.lists(st.sampled_from((ReviewStatus.APPROVED, ReviewStatus.REJECTED)), max_size=3),
    st.booleans(),
    st.booleans(),
)


async def _refresh_steps(db: Database, before: list[Stored], history: list[Step]) -> None:
    await _store(db, before)
    other = make_engine(db.engine.url.render_as_string(hide_password=False))
    try:
        theirs = make_sessions(other)
        mine, yours = db.kept(), db.kept(theirs)
        for code in db.frameworks:
            await mine.get(code)
            await yours.get(code)
        for step in history:
            writer = theirs if step.other else db.sessions
            if step.stored:
                await _store(db, step.stored, fresh=False, sessions=writer)
            if step.decisions:
                await _review_waiting(db, step.decisions, newest=step.newest, sessions=writer)
            async with reading(db.sessions) as session:
                for code in db.frameworks:
                    fresh = await current.current_values(session, code)
                    pending = await current.pending_counts(session, code)
                    for kept in (mine, yours):
                        refreshed = await kept.get(code)
                        assert refreshed.groups == fresh
                        assert refreshed.waiting == pending
    finally:
        await other.dispose()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=st.lists(stored(DTI), max_size=40), history=st.lists(steps, max_size=6))
def test_values_kept_through_many_changes_by_two_processes_are_those_read_afresh(
    database: Database, before: list[Stored], history: list[Step]
) -> None:
    """Values stored and decided one commit after another, by this process and another one,
    the newest waiting (kept) values decided as well as older ones: after each commit both
    processes keep what a fresh read gives, values waiting included."""
    database.run(_refresh_steps(database, before, history))


def _correction(minute: int, status: ReviewStatus = ReviewStatus.APPROVED) -> Stored:
    return Stored(DTI, "3.1", "2025-Q3", D(minute % 90), None, None, "%", status, None,
                  "reported", "", minute)  # fmt: skip


async def _ranked_reads(db: Database) -> list[int]:
    """Store and decide values in one sub-index and period of many corrections, one commit at
    a time; after each, how many statements the refresh ranked values in (row_number)."""
    await _store(db, [_correction(i) for i in range(60)])
    kept = db.kept()
    await kept.get(DTI)
    ranked: list[int] = []
    statements: list[str] = []

    def seen(_c: object, _cur: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        for minute in range(60, 66):
            await _store(db, [_correction(minute, ReviewStatus.PENDING)], fresh=False)
            for step in range(2):  # the value stored, then its decision (kept: it was newest)
                statements.clear()
                refreshed = await kept.get(DTI)
                ranked.append(sum("row_number" in s.lower() for s in statements))
                async with reading(db.sessions) as session:
                    assert refreshed.groups == await current.current_values(session, DTI)
                    assert refreshed.waiting == await current.pending_counts(session, DTI)
                if step == 0:
                    decision = [ReviewStatus.APPROVED, ReviewStatus.REJECTED][minute % 2]
                    await _review_waiting(db, [decision], newest=True)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
    return ranked


def test_a_refresh_reads_the_values_changed_not_the_corrections_of_their_sub_index(
    database: Database,
) -> None:
    """Sixty corrections of one sub-index and period, then values stored and decided there:
    each refresh reads the values changed by their ids and merges them into those kept; none
    ranks the corrections of the sub-index and period again."""
    assert database.run(_ranked_reads(database)) == [0] * 12


async def _taken_over(db: Database) -> None:
    await _store(
        db, [_row(code, "50", None, "%", i) for i, code in enumerate(("3.1", "3.2", "4.1"))]
    )
    kept = db.kept()
    before = await kept.get(DTI)
    await _store(db, [_correction(10)], fresh=False)  # 3.1 in 2025-Q3 again
    after = await kept.get(DTI)
    touched = [g for g in after.groups if any(m.code == "3.1" for m in after.groups[g])]
    assert len(touched) == 1
    assert [m.value for m in after.groups[touched[0]]] == [D(10)]
    others = [g for g in before.groups if g not in touched]
    assert len(others) >= 2
    for g in others:  # the very lists kept before: not listed again
        assert after.groups[g] is before.groups[g]
        assert after.kept[g] is before.kept[g]
    async with reading(db.sessions) as session:
        assert after.groups == await current.current_values(session, DTI)


def test_a_refresh_takes_over_the_pairs_it_did_not_read_again_as_they_are(
    database: Database,
) -> None:
    """After one value is stored, the values of every other sub-index and period are those
    kept before, not copies made again: a refresh's work grows with the pairs changed, not with
    the hundreds kept."""
    database.run(_taken_over(database))


async def _updated(db: Database) -> None:
    await _store(db, [_correction(i) for i in range(5)])
    kept = db.kept()
    await kept.get(DTI)
    async with db.sessions() as session, session.begin():
        newest = await session.scalar(select(func.max(S.id)))
        await session.execute(update(S).where(S.id == newest).values(value=D(7)))
    refreshed = await kept.get(DTI)
    async with reading(db.sessions) as session:
        assert refreshed.groups == await current.current_values(session, DTI)
    assert [m.value for m in refreshed.values] == [D(7)]


def test_a_value_repaired_by_an_update_is_read_again(database: Database) -> None:
    """An UPDATE does not say which value it changed in value_changes: its sub-index and period
    is read again whole, and the repaired value is the one kept."""
    database.run(_updated(database))


async def _asked_at_once(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await _store(db, [_row("3.1", "80", None, "%", 0)])
    reads: list[str] = []
    whole = current.kept_values

    async def counted(session: AsyncSession, code: str, *args: Any) -> Any:
        reads.append(code)
        return await whole(session, code, *args)

    monkeypatch.setattr(current, "kept_values", counted)
    kept = db.kept()
    answers = await asyncio.gather(*(kept.get(DTI) for _ in range(12)))
    assert reads == [DTI]  # not one read a question
    assert all(answer is answers[0] for answer in answers)


def test_questions_asked_at_once_after_a_start_read_the_values_once(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    database.run(_asked_at_once(database, monkeypatch))


async def _asked_during_a_read(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await _store(db, [_row("3.1", "80", None, "%", 0)])
    started, go_on = asyncio.Event(), asyncio.Event()
    whole = current.kept_values

    async def slow(session: AsyncSession, code: str, *args: Any) -> Any:
        found = await whole(session, code, *args)
        started.set()
        await go_on.wait()
        return found

    monkeypatch.setattr(current, "kept_values", slow)
    kept = db.kept()
    first = asyncio.ensure_future(kept.get(DTI))
    await started.wait()  # the first question's read has read, and not finished
    await _store(db, [_row("3.1", "90", None, "%", 1)], fresh=False)
    second = asyncio.ensure_future(kept.get(DTI))  # asked after the commit
    await asyncio.sleep(0)
    go_on.set()
    await first
    async with reading(db.sessions) as session:
        assert (await second).groups == await current.current_values(session, DTI)


def test_a_question_asked_during_a_read_sees_a_commit_made_before_it(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It waits for the read running, then checks the revision again: the read began before
    the commit, so it reads again (the changed sub-index and period)."""
    database.run(_asked_during_a_read(database, monkeypatch))
