"""Score questions: the framework, the agencies and the current values, scored."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.status import ReviewStatus
from scoring.engine import Measurement, Scoreboard, newest, score
from scoring.lookup import Target, resolve
from scoring.model import Directory, Framework
from scoring.periods import rank
from scoring.text import fold
from storage import repo, revisions
from storage import values as values_repo

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
        revalidate_seconds: float = REVALIDATE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._framework_code = framework_code
        self._framework: Framework | None = None
        self._directory: Directory | None = None
        self._revalidate_seconds = revalidate_seconds
        self._monotonic = monotonic
        self._revision: int | None = None
        self._checked_at = float("-inf")

    async def reference(self) -> tuple[Framework, Directory]:
        """The default framework (the configured one, else the newest DTI set) and the agencies."""
        await self._revalidate()
        if self._framework is None or self._directory is None:
            async with self._sessions() as session:
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
        """Drop the cached framework and agencies (after an import or an agency change)."""
        self._framework = self._directory = None

    async def _revalidate(self) -> None:
        """Forget what is kept when another process changed the reference data since."""
        now = self._monotonic()
        if now - self._checked_at < self._revalidate_seconds:
            return
        self._checked_at = now
        async with self._sessions() as session:
            revision = await revisions.current(session)
        if revision != self._revision:
            self._revision = revision
            self.forget()

    async def measurements(self, *, include_pending: bool = False) -> list[Measurement]:
        """Every value that counts, oldest first: approved ones, or also those not yet reviewed."""
        framework, _ = await self.reference()
        async with self._sessions() as session:
            return await values_repo.measurements(
                session, framework.code, include_pending=include_pending
            )

    async def board(self, values: list[Measurement]) -> Scoreboard:
        """The score when each sub-index takes its newest value among `values`."""
        framework, _ = await self.reference()
        return score(framework, newest(values, rank([m.period for m in values])))

    async def scoreboard(self, *, include_pending: bool = False) -> Scoreboard:
        """The current score: for each sub-index its newest approved value, or with
        include_pending its newest value that was not returned."""
        return await self.board(await self.measurements(include_pending=include_pending))

    async def answer(self, question: str) -> ScoreAnswer:
        """What a question asks about, scored from approved values, or from every value not
        returned when it asks for the provisional view ("tạm tính")."""
        framework, directory = await self.reference()
        provisional = bool(PROVISIONAL.search(fold(question)))
        if provisional:
            question = PROVISIONAL.sub(" ", fold(question))
        values = await self.measurements(include_pending=True)
        pending = sum(1 for m in values if m.status != ReviewStatus.APPROVED)
        if not provisional:
            values = [m for m in values if m.status == ReviewStatus.APPROVED]
        board = await self.board(values)
        return ScoreAnswer(resolve(framework, question), board, directory, provisional, pending)


async def _newest_dti(session: AsyncSession) -> str:
    codes = [
        (year, code) for code, kind, year in await repo.framework_codes(session) if kind == "dti"
    ]
    if not codes:
        raise LookupError("no DTI framework in the database")
    return max(codes)[1]
