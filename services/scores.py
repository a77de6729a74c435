"""Score questions: the framework, the agencies and the current values, scored; for a chat
answered from a plan-targets or index framework, that framework's answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parsing.intents import Score, Subject, SubjectKind
from parsing.lexicon import Lexicon
from scoring.engine import Measurement, Scoreboard, SubIndexScore, evaluate
from scoring.insights import board_at, later_than
from scoring.model import Directory, Framework, FrameworkKind
from scoring.targets import evaluate_index, evaluate_targets
from services.clock import Calendar
from services.current import Current, CurrentValues
from services.frameworks import (
    FrameworkChoice,
    IndexAnswer,
    TargetsAnswer,
    find_framework,
)
from services.identity import Person
from services.lexicon_cache import cached_lexicon
from services.refusal import Refusal
from storage import frameworks as frameworks_repo
from storage import repo, revisions
from storage import values as values_repo
from storage.db import reading

# How often a process asks whether another one changed agencies, frameworks or assignments.
REVALIDATE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ScoreAnswer:
    subject: Subject
    board: Scoreboard
    directory: Directory
    provisional: bool = False  # values not yet reviewed are counted
    pending: int = 0  # values waiting for review
    notes: tuple[str, ...] = ()  # what documents say beside the values (a sub-index's card)
    as_of: str | None = None  # the period asked for, when later values were left out
    # Answers already rendered from the same values, by what else they depend on (the views are
    # pure): kept until a value, a review or the reference data change.
    rendered: dict[Hashable, str] = field(default_factory=dict, compare=False, repr=False)


class ScoreService:
    """Answers score questions. Frameworks and agencies are read once and kept: a framework
    version never changes once imported (a new one gets a new code). Agencies and assignments
    do change (administration): a change made here is forgotten at once; one made by another
    process (the command line, a second bot process) bumps the "reference" revision, which this
    process reads at most every `revalidate_seconds`.

    The router's lexicon (parsing.lexicon) is kept with them: built from every framework held,
    the agencies and the deployment's `province`, and forgotten with them; kept on disk in
    `cache_dir` too (services.lexicon_cache), so that a start with the same code and data
    loads it instead of building it again."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        framework_code: str | None = None,
        *,
        calendar: Calendar,
        province: str = "",
        revalidate_seconds: float = REVALIDATE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        cache_dir: Path | None = None,
    ) -> None:
        self._sessions = sessions
        self._framework_code = framework_code
        self._framework: Framework | None = None
        self._directory: Directory | None = None
        self._others: dict[str, Framework] = {}
        self._chosen: dict[int, str | None] = {}  # chat -> framework an administrator set
        self._calendar = calendar
        self._revalidate_seconds = revalidate_seconds
        self._monotonic = monotonic
        self._revision: int | None = None
        self._checked_at = float("-inf")
        self._current = CurrentValues(sessions)
        self._province = province
        self._lexicon: Lexicon | None = None
        self._cache_dir = cache_dir
        self._building = asyncio.Lock()

    async def reference(self) -> tuple[Framework, Directory]:
        """The default framework (the configured one, else the newest DTI set) and the agencies."""
        await self._revalidate()
        if self._framework is None or self._directory is None:
            async with reading(self._sessions) as session:
                code = self._framework_code or await _newest_dti(session)
                framework = await repo.load_framework(session, code)
                if framework is None:
                    raise LookupError(f"framework {code!r} is not in the database")
                self._directory = await repo.load_directory(session)
                self._framework = framework
        return self._framework, self._directory

    @property
    def configured_code(self) -> str | None:
        """The framework FRAMEWORK names; None: the newest DTI framework is answered."""
        return self._framework_code

    def forget(self) -> None:
        """Drop the cached frameworks, agencies and values (after an import or an agency
        change)."""
        self._framework = self._directory = None
        self._others.clear()
        self._chosen.clear()
        self._current.forget()
        self._lexicon = None

    async def lexicon(self) -> Lexicon:
        """What the router knows: every framework held, the agencies, the province; built once
        (in a thread: it takes a moment) and again after `forget`."""
        _, directory = await self.reference()
        async with self._building:
            if self._lexicon is None:
                frameworks = await self.frameworks()
                built = await asyncio.to_thread(
                    cached_lexicon, self._cache_dir, frameworks, directory, self._province
                )
                if self._directory is directory:  # not forgotten while it was built
                    self._lexicon = built
                return built
            return self._lexicon

    async def frameworks(self) -> tuple[Framework, ...]:
        """Every framework held: the default first, then by kind and year."""
        default, _ = await self.reference()
        async with self._sessions() as session:
            codes = [code for code, _kind, _year in await repo.framework_codes(session)]
        found = [default] + [await self.framework(c) for c in sorted(codes) if c != default.code]
        return tuple(found)

    async def framework(self, code: str) -> Framework:
        """A framework by code (kept once read: a framework never changes once imported)."""
        default, _ = await self.reference()
        if code == default.code:
            return default
        if code not in self._others:
            async with self._sessions() as session:
                found = await repo.load_framework(session, code)
            if found is None:
                raise LookupError(f"framework {code!r} is not in the database")
            self._others[code] = found
        return self._others[code]

    async def chat_framework(self, chat_id: int | None) -> str:
        """The framework a chat is answered from: the one an administrator set, else the
        default."""
        default, _ = await self.reference()
        if chat_id is None:
            return default.code
        if chat_id not in self._chosen:  # kept with the reference data: read once a chat
            async with reading(self._sessions) as session:
                self._chosen[chat_id] = await frameworks_repo.chat_framework(session, chat_id)
        return self._chosen[chat_id] or default.code

    async def asked_framework(self, code: str | None, chat_id: int | None) -> Framework:
        """The framework a question names (None: the chat's); a code no framework has (an old
        or forged button) is refused."""
        try:
            return await self.framework(code or await self.chat_framework(chat_id))
        except LookupError:
            raise Refusal("button.expired") from None

    async def choice(self, chat_id: int | None) -> FrameworkChoice:
        default, _ = await self.reference()
        frameworks = await self.frameworks()
        return FrameworkChoice(frameworks, await self.chat_framework(chat_id), default.code)

    async def choose(self, person: Person, chat_id: int, text: str) -> Framework | None:
        """Set the framework a chat is answered from (administrators only, in any chat: a
        group's from that group); None when `text` names none."""
        if not person.is_admin:
            raise Refusal("frameworks.not_admin")
        chosen = find_framework(await self.frameworks(), text)
        if chosen is None:
            return None
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            before = await frameworks_repo.set_chat_framework(
                session, chat_id, chosen.code, person.actor, now
            )
            repo.audit(
                session, now, person.actor, "choose", "chat_framework", str(chat_id),
                framework=chosen.code, before=before,
            )  # fmt: skip
            await revisions.bump(session)  # other processes read the choice again
        self._chosen[chat_id] = chosen.code
        return chosen

    async def _revalidate(self) -> None:
        """Forget what is kept when another process changed the reference data since."""
        now = self._monotonic()
        if now - self._checked_at < self._revalidate_seconds:
            return
        self._checked_at = now
        async with reading(self._sessions) as session:
            revision = await revisions.current(session)
        if revision != self._revision:
            self._revision = revision
            self.forget()

    async def measurements(self, *, include_pending: bool = False) -> list[Measurement]:
        """The values that count: approved ones, or also those not yet reviewed; of each
        sub-index and period only those scoring can pick (storage.current), oldest first, so
        any board scored from them (at any period's end, with changes added last) is the one
        every stored value gives."""
        framework, _ = await self.reference()
        held = await self._current.get(framework.code)
        return held.counted(include_pending=include_pending)

    async def board(self, values: list[Measurement]) -> Scoreboard:
        """The score when each sub-index takes its newest value among `values` (all of them
        count: callers pass what they want counted)."""
        framework, _ = await self.reference()
        return evaluate(framework, values, with_pending=True)

    async def scoreboard(self, *, include_pending: bool = False) -> Scoreboard:
        """The current score: for each sub-index its newest approved value, or with
        include_pending its newest value that was not returned. Kept until a value or a
        review is stored."""
        framework, _ = await self.reference()
        held = await self._current.get(framework.code)
        return held.board(framework, include_pending=include_pending, with_pending=True)

    async def answer(
        self, score: Score, chat_id: int | None = None
    ) -> ScoreAnswer | TargetsAnswer | IndexAnswer:
        """The answer for a `parsing.intents.Score`: its framework (None: the chat's), its subject
        and period (None: the newest), scored from approved values, or from every value not
        returned when it asks for the provisional view ("tạm tính")."""
        framework = await self.asked_framework(score.framework, chat_id)
        subject = score.subject
        held = {
            SubjectKind.TOTAL: True,
            SubjectKind.PILLAR: framework.pillar(subject.code) is not None,
            SubjectKind.SUB_INDEX: framework.sub_index(subject.code) is not None,
        }[subject.kind]
        if not held:  # a button or a command naming what this framework lacks
            raise Refusal("ask.not_in_framework", code=subject.code, framework=framework.name)
        return await self._answer(framework, subject, score.period, score.provisional)

    async def _notes(self, held: Current, framework_code: str, code: str) -> tuple[str, ...]:
        """A sub-index's source notes, read once per values revision (a read transaction and
        its statement were two thirds of a sub-index answer's CPU)."""
        notes = held.notes.get(code)
        if notes is None:
            async with reading(self._sessions) as session:
                notes = tuple(await values_repo.source_notes(session, framework_code, code))
            held.notes[code] = notes
        return notes

    async def _answer(
        self, framework: Framework, subject: Subject, period: str | None, provisional: bool
    ) -> ScoreAnswer | TargetsAnswer | IndexAnswer:
        _, directory = await self.reference()
        held = await self._current.get(framework.code)
        notes: tuple[str, ...] = ()
        if subject.kind is SubjectKind.SUB_INDEX:
            notes = await self._notes(held, framework.code, subject.code)
        if framework.kind == FrameworkKind.TARGETS:
            reviewed = held.counted(include_pending=False)
            return TargetsAnswer(
                subject, evaluate_targets(framework, reviewed, period), directory, notes
            )
        if framework.kind == FrameworkKind.INDEX:
            reviewed = held.counted(include_pending=False)
            return IndexAnswer(subject, evaluate_index(framework, reviewed, period), directory)
        if period is not None:  # every value listed only then (`counted`, once per revision)
            counted = held.counted(include_pending=True)
            if later_than(counted, period):
                # "điểm DTI năm 2024": the board at that period's end, not today's.
                scored = board_at(framework, counted, period, with_pending=provisional)
                if not any(s.has_data for s in _within(scored, subject)):
                    raise Refusal("ask.no_data_then", period=period)
                return ScoreAnswer(subject, scored, directory, provisional, 0, notes, period)
        scored = held.board(framework, include_pending=True, with_pending=provisional)
        return ScoreAnswer(
            subject, scored, directory, provisional, held.pending, notes, rendered=held.rendered
        )


def _within(board: Scoreboard, subject: Subject) -> tuple[SubIndexScore, ...]:
    """The sub-indices a subject covers."""
    if subject.kind is SubjectKind.PILLAR:
        pillar = board.pillar(subject.code)
        return pillar.sub_scores if pillar else ()
    if subject.kind is SubjectKind.SUB_INDEX:
        sub = board.sub_index(subject.code)
        return (sub,) if sub else ()
    return board.scores


async def _newest_dti(session: AsyncSession) -> str:
    codes = [
        (year, code) for code, kind, year in await repo.framework_codes(session) if kind == "dti"
    ]
    if not codes:
        raise LookupError("no DTI framework in the database")
    return max(codes)[1]
