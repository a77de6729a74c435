"""Score questions: the framework, the agencies and the current values, scored."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scoring.engine import Scoreboard, newest, score
from scoring.lookup import Target, resolve
from scoring.model import Directory, Framework
from scoring.periods import rank
from storage import repo

OFFICIAL = ("approved",)


@dataclass(frozen=True, slots=True)
class ScoreAnswer:
    target: Target
    board: Scoreboard
    directory: Directory


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

    async def scoreboard(self) -> Scoreboard:
        """The current score: for each sub-index its newest official value."""
        framework, _ = await self.reference()
        async with self._sessions() as session:
            values = await repo.measurements(session, framework.code, OFFICIAL)
        order = rank([m.period for m in values])
        return score(framework, newest(values, order))

    async def answer(self, question: str) -> ScoreAnswer:
        framework, directory = await self.reference()
        return ScoreAnswer(resolve(framework, question), await self.scoreboard(), directory)


async def _newest_dti(session: AsyncSession) -> str:
    codes = [
        (year, code) for code, kind, year in await repo.framework_codes(session) if kind == "dti"
    ]
    if not codes:
        raise LookupError("no DTI framework in the database")
    return max(codes)[1]
