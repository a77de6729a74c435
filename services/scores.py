"""Score questions: the framework, the agencies and the current values, scored; for a chat
answered from a plan-targets or index framework, that framework's answer."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parsing.intents import Subject, SubjectKind
from parsing.period_text import PeriodTextError, find_period
from scoring.engine import Measurement, Scoreboard, evaluate
from scoring.lookup import Target, resolve
from scoring.model import Directory, Framework, FrameworkKind
from scoring.targets import evaluate_index, evaluate_targets
from scoring.text import fold
from services.clock import Calendar
from services.current import CurrentValues
from services.frameworks import (
    FrameworkChoice,
    IndexAnswer,
    TargetsAnswer,
    find_framework,
    without_names,
)
from services.identity import Person
from services.refusal import Refusal
from storage import frameworks as frameworks_repo
from storage import repo, revisions
from storage import values as values_repo
from storage.db import reading

# A year alone ("... Ninh Thuận 2023") names a plan year in a targets or index framework.
_YEAR = re.compile(r"(?<![\d.,/])(20\d\d)(?![\d.,/])")
# How often a process asks whether another one changed agencies, frameworks or assignments.
REVALIDATE_SECONDS = 30.0

# Words asking for the provisional view, folded (no diacritics).
PROVISIONAL = re.compile(
    r"\b(?:tam tinh|ke ca chua duyet|chua duyet|chua tham dinh|provisional|pending)\b"
)


@dataclass(frozen=True, slots=True)
class ScoreAnswer:
    target: Target
    board: Scoreboard
    directory: Directory
    provisional: bool = False  # values not yet reviewed are counted
    pending: int = 0  # values waiting for review
    notes: tuple[str, ...] = ()  # what documents say beside the values (a sub-index's card)


class ScoreService:
    """Answers score questions. Frameworks and agencies are read once and kept: a framework
    version never changes once imported (a new one gets a new code). Agencies and assignments
    do change (administration): a change made here is forgotten at once; one made by another
    process (the command line, a second bot process) bumps the "reference" revision, which this
    process reads at most every `revalidate_seconds`."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        framework_code: str | None = None,
        *,
        calendar: Calendar,
        revalidate_seconds: float = REVALIDATE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._framework_code = framework_code
        self._framework: Framework | None = None
        self._directory: Directory | None = None
        self._others: dict[str, Framework] = {}
        self._calendar = calendar
        self._revalidate_seconds = revalidate_seconds
        self._monotonic = monotonic
        self._revision: int | None = None
        self._checked_at = float("-inf")
        self._current = CurrentValues(sessions)

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
        self._current.forget()

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
        async with reading(self._sessions) as session:
            chosen = await frameworks_repo.chat_framework(session, chat_id)
        return chosen or default.code

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
        self, question: str, chat_id: int | None = None
    ) -> ScoreAnswer | TargetsAnswer | IndexAnswer:
        """A free-text score question, answered from the chat's framework: what it asks about,
        scored from approved values, or from every value not returned when it asks for the
        provisional view ("tạm tính"). A targets or index framework reads a period (or a year)
        in the question."""
        framework = await self.framework(await self.chat_framework(chat_id))
        provisional = bool(PROVISIONAL.search(fold(question)))
        if provisional:
            question = PROVISIONAL.sub(" ", fold(question))
        period = None
        if not framework.scored:
            question, period = self._period_in(question)
            question = without_names(framework, question)
        target = resolve(framework, question)
        return await self._answer(framework, target, period, provisional)

    async def answer_for(
        self,
        framework_code: str | None,
        subject: Subject,
        period: str | None = None,
        *,
        provisional: bool = False,
        chat_id: int | None = None,
    ) -> ScoreAnswer | TargetsAnswer | IndexAnswer:
        """The answer for framework X (None: the chat's), subject Y, period Z (None: the
        newest): the fields of a `parsing.intents.Score`, for the router's wiring."""
        code = framework_code or await self.chat_framework(chat_id)
        framework = await self.framework(code)
        kinds = {SubjectKind.TOTAL: "total", SubjectKind.PILLAR: "pillar"}
        target = Target(kinds.get(subject.kind, "sub_index"), subject.code)
        if target.kind == "pillar" and framework.pillar(target.code) is None:
            target = Target("unknown", target.code, tuple(p.code for p in framework.pillars[:3]))
        if target.kind == "sub_index" and framework.sub_index(target.code) is None:
            target = resolve(framework, target.code)
        return await self._answer(framework, target, period, provisional)

    async def _answer(
        self, framework: Framework, target: Target, period: str | None, provisional: bool
    ) -> ScoreAnswer | TargetsAnswer | IndexAnswer:
        _, directory = await self.reference()
        held = await self._current.get(framework.code)
        notes: tuple[str, ...] = ()
        if target.kind == "sub_index":
            async with reading(self._sessions) as session:
                notes = tuple(await values_repo.source_notes(session, framework.code, target.code))
        if framework.kind == FrameworkKind.TARGETS:
            reviewed = held.counted(include_pending=False)
            return TargetsAnswer(
                target, evaluate_targets(framework, reviewed, period), directory, notes
            )
        if framework.kind == FrameworkKind.INDEX:
            reviewed = held.counted(include_pending=False)
            return IndexAnswer(target, evaluate_index(framework, reviewed, period), directory)
        scored = held.board(framework, include_pending=True, with_pending=provisional)
        return ScoreAnswer(target, scored, directory, provisional, held.pending, notes)

    def _period_in(self, question: str) -> tuple[str, str | None]:
        """(question without its period, the period) for a targets or index framework."""
        today: date = self._calendar.today()
        try:
            period, rest = find_period(question, today)
        except PeriodTextError:
            return question, None
        if period is not None:
            return rest, period
        year = _YEAR.search(question)
        if year is None:
            return question, None
        return f"{question[: year.start()]} {question[year.end() :]}", year[1]


async def _newest_dti(session: AsyncSession) -> str:
    codes = [
        (year, code) for code, kind, year in await repo.framework_codes(session) if kind == "dti"
    ]
    if not codes:
        raise LookupError("no DTI framework in the database")
    return max(codes)[1]
