"""Administration of agencies and assignments: add, rename, aliases; who leads or coordinates a
sub-index. The same functions serve the chat commands and the server's command line; every
change is audited and makes every process reload the agencies and frameworks it keeps."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scoring.model import Agency, Directory, Framework, Role, SubIndex
from scoring.text import fold
from services.clock import Calendar
from services.identity import Person
from services.refusal import Refusal
from services.scores import ScoreService
from storage import agencies, repo, revisions

AGENCY_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{1,31}")
MAX_NAME = 255


@dataclass(frozen=True, slots=True)
class Renamed:
    agency: Agency
    before: str


@dataclass(frozen=True, slots=True)
class Assignment:
    """A change of who answers for a sub-index; `roles` are the roles added or taken away."""

    framework: str
    sub_index: SubIndex
    holder: str
    roles: tuple[Role, ...]


def find_holder(directory: Directory, text: str) -> str | None:
    """The code of an agency or group from its code, name or alias (case and diacritics
    ignored); an old name finds the old agency (Directory.current gives its successor)."""
    return directory.find(text.strip())


def kinds_of(directory: Directory) -> tuple[str, ...]:
    """The agency kinds in use: those of the agencies and those groups gather."""
    found = [a.kind for a in directory.agencies]
    found += [k for g in directory.groups for k in g.kinds]
    return tuple(dict.fromkeys(found))


class AgencyService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], scores: ScoreService, calendar: Calendar
    ) -> None:
        self._sessions = sessions
        self._scores = scores
        self._calendar = calendar

    async def directory(self) -> Directory:
        _, directory = await self._scores.reference()
        return directory

    async def agency(self, text: str) -> Agency:
        """The agency a code, name or alias names; a refusal listing some codes otherwise."""
        directory = await self.directory()
        code = find_holder(directory, text)
        found = directory.agency(code) if code else None
        if found is None:
            raise Refusal("agency.unknown", agency=text[:40], examples=_examples(directory))
        return found

    async def add(
        self, actor: Person, code: str, name: str, kind: str, aliases: tuple[str, ...] = ()
    ) -> Agency:
        """A new agency; its kind makes it a member of the groups that gather that kind."""
        code, name = code.strip().upper(), " ".join(name.split())
        directory = await self.directory()
        if not AGENCY_CODE.fullmatch(code):
            raise Refusal("agency.bad_code", code=code[:40])
        if not name or len(name) > MAX_NAME:
            raise Refusal("agency.usage")
        known = kinds_of(directory)
        if kind not in known:
            raise Refusal("agency.unknown_kind", kind=kind[:32], kinds=", ".join(known))
        for text in (code, name, *aliases):
            taken = find_holder(directory, text)
            if taken is not None:
                raise Refusal("agency.name_taken", name=text[:60], code=taken)
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            await agencies.add_agency(session, code, name, kind, list(aliases))
            repo.audit(
                session, now, actor.actor, "create", "agency", code,
                name=name, kind=kind, aliases=list(aliases),
            )  # fmt: skip
            await revisions.bump(session)
        self._scores.forget()
        return Agency(code, name, kind, tuple(aliases))

    async def rename(self, actor: Person, text: str, name: str) -> Renamed:
        """A new full name; the old one stays an alias, so people who type it still find it."""
        agency = await self.agency(text)
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise Refusal("agency.rename_usage")
        taken = find_holder(await self.directory(), name)
        if taken is not None and taken != agency.code:
            raise Refusal("agency.name_taken", name=name[:60], code=taken)
        # The old name goes last: the first alias is the short name lists show (views'
        # agency_label), and an agency without aliases gets its code first, which keeps the
        # new full name the one shown.
        aliases = list(agency.aliases) or [agency.code]
        if fold(agency.name) not in {fold(a) for a in aliases} and fold(agency.name) != fold(name):
            aliases.append(agency.name)
        aliases = [a for a in aliases if fold(a) != fold(name)]
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            await agencies.set_agency(session, agency.code, name=name, aliases=aliases)
            repo.audit(
                session, now, actor.actor, "rename", "agency", agency.code,
                before=agency.name, after=name,
            )  # fmt: skip
            await revisions.bump(session)
        self._scores.forget()
        return Renamed(Agency(agency.code, name, agency.kind, tuple(aliases)), agency.name)

    async def alias(self, actor: Person, text: str, alias: str, *, remove: bool = False) -> Agency:
        """Add another name people use for an agency, or (`remove`) take one away."""
        agency = await self.agency(text)
        alias = " ".join(alias.split())
        if not alias or len(alias) > 100:
            raise Refusal("agency.alias_usage")
        if remove:
            aliases = [a for a in agency.aliases if fold(a) != fold(alias)]
            if len(aliases) == len(agency.aliases):
                raise Refusal("agency.alias_missing", alias=alias[:60], code=agency.code)
        else:
            taken = find_holder(await self.directory(), alias)
            if taken is not None:
                raise Refusal("agency.name_taken", name=alias[:60], code=taken)
            aliases = [*agency.aliases, alias]
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            await agencies.set_agency(session, agency.code, aliases=aliases)
            repo.audit(
                session, now, actor.actor, "unalias" if remove else "alias", "agency",
                agency.code, alias=alias,
            )  # fmt: skip
            await revisions.bump(session)
        self._scores.forget()
        return Agency(agency.code, agency.name, agency.kind, tuple(aliases))

    async def assign(
        self, actor: Person, code: str, holder: str, role: Role, framework: str | None = None
    ) -> Assignment:
        """Make an agency or group lead or coordinate a sub-index (of the framework in use, or
        of `framework`)."""
        fw, sub, found = await self._target(code, holder, framework)
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            ids = await repo.indicator_ids(session, fw.code)
            if not await agencies.add_assignment(session, ids[sub.code], found, role.value):
                raise Refusal("assign.already", holder=found, code=sub.code, role=role.value)
            repo.audit(
                session, now, actor.actor, "assign", "assignment",
                f"{fw.code}:{sub.code}:{found}", role=role.value,
            )  # fmt: skip
            await revisions.bump(session)
        self._scores.forget()
        return Assignment(fw.code, sub, found, (role,))

    async def unassign(
        self,
        actor: Person,
        code: str,
        holder: str,
        role: Role | None = None,
        framework: str | None = None,
    ) -> Assignment:
        """Take an agency or group off a sub-index: in one role, or (no role) in both."""
        fw, sub, found = await self._target(code, holder, framework)
        roles = (role.value,) if role else tuple(r.value for r in Role)
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            ids = await repo.indicator_ids(session, fw.code)
            held = await agencies.remove_assignments(session, ids[sub.code], found, roles)
            if not held:
                raise Refusal("assign.not_held", holder=found, code=sub.code)
            repo.audit(
                session, now, actor.actor, "unassign", "assignment",
                f"{fw.code}:{sub.code}:{found}", roles=held,
            )  # fmt: skip
            await revisions.bump(session)
        self._scores.forget()
        return Assignment(fw.code, sub, found, tuple(Role(r) for r in held))

    async def _target(
        self, code: str, holder: str, framework: str | None
    ) -> tuple[Framework, SubIndex, str]:
        current, directory = await self._scores.reference()
        fw: Framework | None = current
        if framework is not None and framework != current.code:
            async with self._sessions() as session:
                fw = await repo.load_framework(session, framework)
            if fw is None:
                raise Refusal("assign.unknown_framework", framework=framework[:64])
        assert fw is not None  # noqa: S101 - the framework in use, or refused just above
        sub = fw.sub_index(code)
        if sub is None:
            raise Refusal("assign.unknown_sub_index", code=code[:16], framework=fw.code)
        found = find_holder(directory, holder)
        if found is None:
            raise Refusal("agency.unknown", agency=holder[:40], examples=_examples(directory))
        # An agency that ended answers through its successor: that is who gets the work.
        return fw, sub, directory.current(found)


def _examples(directory: Directory) -> str:
    return ", ".join(a.code for a in directory.agencies[:6])
