"""Importing a framework file (YAML, CSV or Excel): first what it would change, then, only when
asked, the change.

Frameworks are versioned and never edited: a framework's values belong to the version they
were reported against. Applying an import therefore adds a new framework under the file's code
(or the code given instead). A file whose code is held already is answered with its differences
from the stored version and refused: send it again under a new code. The new framework is
answered by default when it is the newest DTI framework and no FRAMEWORK is configured."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scoring.diff import FrameworkDiff, diff
from scoring.framework_files import read_framework
from scoring.loading import FileError
from scoring.model import Framework
from services.clock import Calendar
from services.identity import Person
from services.refusal import Refusal
from services.scores import ScoreService
from storage import agencies, imports, repo, revisions
from storage.agencies import FrameworkSummary
from storage.archive import digest

MAX_BYTES = 2 * 1024 * 1024  # a framework of ~100 indicators is tens of kilobytes
FRAMEWORK_CODE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What importing `file_name` would do: `framework` as it would be stored, its `diff` from
    the framework it follows (or the stored one of the same code, when `exists`)."""

    file_name: str
    framework: Framework
    diff: FrameworkDiff
    exists: bool  # its code is held already: applying is refused
    default_after: bool  # it would be the framework answered by default
    import_id: int | None = None  # kept in chat until Apply / Cancel


class FrameworkImportService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], scores: ScoreService, calendar: Calendar
    ) -> None:
        self._sessions = sessions
        self._scores = scores
        self._calendar = calendar

    async def frameworks(self) -> tuple[list[FrameworkSummary], str]:
        """Every framework held, and the code of the one answered by default."""
        framework, _ = await self._scores.reference()
        async with self._sessions() as session:
            return await agencies.framework_summaries(session), framework.code

    async def plan(self, data: bytes, file_name: str, code: str | None = None) -> ImportPlan:
        """What the file would change; writes nothing."""
        framework = await self._read(data, file_name, code)
        current, _ = await self._scores.reference()  # before a session: SQLite locks on begin
        async with self._sessions() as session:
            held = await repo.framework_codes(session)
            codes = {c for c, _kind, _year in held}
            if framework.code in codes:
                base = await repo.load_framework(session, framework.code)
            elif framework.kind == "dti" and current.kind == "dti":
                base = current  # a new DTI version follows the one answered now
            else:
                same = [(year, c) for c, kind, year in held if kind == framework.kind]
                base = await repo.load_framework(session, max(same)[1]) if same else None
        default_after = (
            self._scores.configured_code is None
            and framework.kind == "dti"
            and framework.code not in codes
            and (framework.year, framework.code)
            > max(((y, c) for c, k, y in held if k == "dti"), default=(0, ""))
        )
        return ImportPlan(
            file_name, framework, diff(base, framework), framework.code in codes, default_after
        )

    async def apply(
        self, actor: Person, data: bytes, file_name: str, code: str | None = None
    ) -> ImportPlan:
        """Add the file's framework as a new version; refused when its code is held."""
        plan = await self.plan(data, file_name, code)
        await self._store(actor, plan, data)
        return plan

    async def stage(
        self, actor: Person, data: bytes, file_name: str, code: str | None = None
    ) -> ImportPlan:
        """The plan, with the file kept for Apply / Cancel (not kept when it cannot apply)."""
        plan = await self.plan(data, file_name, code)
        if plan.exists:
            return plan
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            import_id = await imports.add(
                session, file_name, data, plan.framework.code, actor.actor, now
            )
        return dataclasses.replace(plan, import_id=import_id)

    async def apply_staged(self, actor: Person, import_id: int) -> ImportPlan:
        """Apply a file kept by `stage`, once: a second press is refused."""
        async with self._sessions() as session:
            row = await imports.get(session, import_id)
        if row is None:
            raise Refusal("import.gone")
        if row.status != imports.PENDING:
            raise _decided(row.status)
        plan = await self.plan(row.content, row.file_name, row.code)
        await self._store(actor, plan, row.content, import_id=import_id)
        return plan

    async def cancel_staged(self, actor: Person, import_id: int) -> None:
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            row = await imports.get(session, import_id)
            if row is None:
                raise Refusal("import.gone")
            if not await imports.decide(session, import_id, imports.CANCELLED, now):
                raise _decided(row.status)
            repo.audit(
                session, now, actor.actor, "cancel", "framework_import", str(import_id),
                code=row.code, file=row.file_name,
            )  # fmt: skip

    async def _store(
        self, actor: Person, plan: ImportPlan, data: bytes, import_id: int | None = None
    ) -> None:
        framework = plan.framework
        if plan.exists:
            raise Refusal("import.exists", code=framework.code)
        now = self._calendar.now()
        try:
            async with self._sessions() as session, session.begin():
                if import_id is not None and not await imports.decide(
                    session, import_id, imports.APPLIED, now
                ):
                    raise _decided(imports.APPLIED)
                await repo.add_framework(session, framework, now)
                d = plan.diff
                repo.audit(
                    session, now, actor.actor, "import", "framework", framework.code,
                    file=plan.file_name, sha256=digest(data), base=d.base,
                    added=list(d.added), removed=list(d.removed), changes=d.count,
                    sub_indices=len(framework.sub_indices),
                )  # fmt: skip
                await revisions.bump(session)
        except IntegrityError:  # another import of the same code won the race
            raise Refusal("import.exists", code=framework.code) from None
        self._scores.forget()

    async def _read(self, data: bytes, file_name: str, code: str | None) -> Framework:
        if len(data) > MAX_BYTES:
            raise Refusal("import.too_large", max=MAX_BYTES // 1024)
        if code is not None and not FRAMEWORK_CODE.fullmatch(code):
            raise Refusal("import.bad_code", code=code[:64])
        _, directory = await self._scores.reference()
        try:
            # In a worker thread: a workbook takes a while to read (and openpyxl to import the
            # first time), and the other users' answers must not wait for it.
            framework = await asyncio.to_thread(read_framework, data, file_name, directory)
        except FileError as exc:
            raise Refusal("import.bad_file", problem=str(exc)[:600]) from None
        if code is not None:
            framework = dataclasses.replace(framework, code=code)
        elif not FRAMEWORK_CODE.fullmatch(framework.code):
            raise Refusal("import.bad_code", code=framework.code[:64])
        return framework


def _decided(status: str) -> Refusal:
    """A second press of Apply or Cancel."""
    if status == imports.CANCELLED:
        return Refusal("import.was_cancelled")
    return Refusal("import.was_applied")
