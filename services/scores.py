"""Score questions: the framework, the agencies and the current values, scored."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scoring.engine import Measurement, Scoreboard, evaluate
from scoring.lookup import Target, resolve
from scoring.model import Directory, Framework
from scoring.text import fold
from storage import repo
from storage import values as values_repo

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
    version never changes once imported (a new one gets a new code)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], framework_code: str | None = None
    ) -> None:
        self._sessions = sessions
        self._framework_code = framework_code
        self._framework: Framework | None = None
        self._directory: Directory | None = None

    async def reference(self) -> tuple[Framework, Directory]:
        """The default framework (the configured one, else the newest DTI set) and the agencies."""
        if self._framework is None or self._directory is None:
            async with self._sessions() as session:
                code = self._framework_code or await _newest_dti(session)
                framework = await repo.load_framework(session, code)
                if framework is None:
                    raise LookupError(f"framework {code!r} is not in the database")
                self._directory = await repo.load_directory(session)
                self._framework = framework
        return self._framework, self._directory

    def forget(self) -> None:
        """Drop the cached framework and agencies (after an import or an agency change)."""
        self._framework = self._directory = None

    async def measurements(self, *, include_pending: bool = False) -> list[Measurement]:
        """Every value that counts, oldest first: approved ones, or also those not yet reviewed."""
        framework, _ = await self.reference()
        async with self._sessions() as session:
            return await values_repo.measurements(
                session, framework.code, include_pending=include_pending
            )

    async def board(self, values: list[Measurement]) -> Scoreboard:
        """The score when each sub-index takes its newest value among `values` (all of them
        count: callers pass what they want counted)."""
        framework, _ = await self.reference()
        return evaluate(framework, values, with_pending=True)

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
        pending = sum(1 for m in values if m.status != "approved")
        board = evaluate(framework, values, with_pending=provisional)
        target = resolve(framework, question)
        notes: tuple[str, ...] = ()
        if target.kind == "sub_index":
            async with self._sessions() as session:
                notes = tuple(await values_repo.source_notes(session, framework.code, target.code))
        return ScoreAnswer(target, board, directory, provisional, pending, notes)


async def _newest_dti(session: AsyncSession) -> str:
    codes = [
        (year, code) for code, kind, year in await repo.framework_codes(session) if kind == "dti"
    ]
    if not codes:
        raise LookupError("no DTI framework in the database")
    return max(codes)[1]
