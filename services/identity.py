"""Who is who: Telegram accounts, roles, and invite codes that link a focal point to an agency."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.status import UserRole
from scoring.model import Directory
from scoring.text import fold
from services.clock import Calendar
from services.refusal import Refusal
from storage import people, repo
from storage.db import as_utc
from storage.models import UserRow

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a phone
CODE_LENGTH = 8


@dataclass(frozen=True, slots=True)
class Caller:
    """The Telegram account behind a message, as the services need it."""

    telegram_id: int
    full_name: str
    username: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    telegram_id: int
    name: str
    role: UserRole
    is_admin: bool
    agencies: tuple[str, ...]
    label: str = ""  # who acts when it is not a Telegram user: "server" (the command line)

    @property
    def is_registered(self) -> bool:
        return self.is_admin or self.role is not UserRole.MEMBER or bool(self.agencies)

    @property
    def actor(self) -> str:
        """Who the audit log names."""
        return self.label or f"user:{self.telegram_id}"


@dataclass(frozen=True, slots=True)
class UserView:
    """A user as the administrators' list shows them."""

    telegram_id: int
    name: str
    username: str | None
    role: UserRole
    configured_admin: bool  # in ADMIN_IDS
    agencies: tuple[str, ...]
    blocked: bool


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    agency: str
    max_uses: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Redeemed:
    """The agency an invite linked its user to; `new` is False when they were linked already."""

    agency: str
    new: bool


def find_agency(directory: Directory, text: str) -> str | None:
    """An agency code from its code, name or alias, ignoring case and diacritics."""
    wanted = fold(text)
    for a in directory.agencies:
        if wanted in {fold(a.code), fold(a.name), *(fold(x) for x in a.aliases)}:
            return a.code
    return None


async def _upsert(session: AsyncSession, caller: Caller, now: datetime) -> UserRow:
    return await people.upsert_user(
        session, caller.telegram_id, caller.full_name, caller.username, caller.language, now
    )


class IdentityService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        calendar: Calendar,
        admin_ids: frozenset[int],
    ) -> None:
        self._sessions = sessions
        self._calendar = calendar
        self._admin_ids = admin_ids

    @property
    def admin_ids(self) -> frozenset[int]:
        """Administrators named in the configuration (others hold the role in the database)."""
        return self._admin_ids

    async def person(self, caller: Caller) -> Person:
        """The caller as a user of the bot, recorded on first contact."""
        async with self._sessions() as session, session.begin():
            user = await _upsert(session, caller, self._calendar.now())
            return await self._person(
                session, user.id, user.telegram_id, user.full_name, user.role
            )

    async def _person(
        self, session: AsyncSession, user_id: int, telegram_id: int, name: str, role: UserRole
    ) -> Person:
        agencies = tuple(await people.agency_codes(session, user_id))
        is_admin = telegram_id in self._admin_ids or role is UserRole.ADMIN
        return Person(
            user_id, telegram_id, name, UserRole.ADMIN if is_admin else role, is_admin, agencies
        )

    async def language_of(self, telegram_id: int) -> str | None:
        """The language a user chose, or had in Telegram when first seen; None for a stranger."""
        async with self._sessions() as session:
            user = await people.user_by_telegram(session, telegram_id)
            return user.language if user else None

    async def set_language(self, caller: Caller, language: str) -> None:
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            user = await _upsert(session, caller, now)
            previous = user.language
            await people.set_language(session, user.id, language)
            repo.audit(
                session,
                now,
                f"user:{caller.telegram_id}",
                "language",
                "user",
                str(caller.telegram_id),
                language=language,
                previous=previous,
            )

    async def create_invite(
        self, actor: Person, agency_code: str, *, max_uses: int = 1, days: int = 7
    ) -> Invite:
        """A new code for an agency; only administrators may (the handler checks first)."""
        now = self._calendar.now()
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        expires = now + timedelta(days=days)
        async with self._sessions() as session, session.begin():
            agency = await people.agency(session, agency_code)
            if agency is None:
                raise Refusal("invite.unknown_agency", agency=agency_code, examples="")
            await people.add_invite(session, code, agency.id, max_uses, expires, actor.actor, now)
            repo.audit(
                session,
                now,
                actor.actor,
                "create",
                "invite",
                code,
                agency=agency_code,
                max_uses=max_uses,
                days=days,
            )
        return Invite(code, agency_code, max_uses, expires)

    async def redeem(self, caller: Caller, code: str) -> Redeemed:
        """Link the caller to the invite's agency, once per use the code allows."""
        now = self._calendar.now()
        shown = code[:16]  # as typed, cut so a pasted essay does not come back
        async with self._sessions() as session, session.begin():
            invite = await people.invite(session, code.strip().upper())
            if invite is None:
                raise Refusal("invite.unknown", code=shown)
            if invite.revoked_at is not None:
                raise Refusal("invite.revoked", code=shown)
            if as_utc(invite.expires_at) <= now:
                raise Refusal("invite.expired", code=shown)
            user = await _upsert(session, caller, now)
            if not await people.use_invite(session, invite.id):
                raise Refusal("invite.used_up", code=shown)
            linked = await people.link_agency(session, user.id, invite.agency_id)
            repo.audit(
                session,
                now,
                f"user:{caller.telegram_id}",
                "redeem",
                "invite",
                invite.code,
                agency_id=invite.agency_id,
                new_link=linked,
            )
            agency_code = await people.agency_code(session, invite.agency_id)
        return Redeemed(agency_code, linked)

    async def revoke(self, actor: Person, code: str) -> None:
        """Stop an invite code from working (already revoked: nothing changes)."""
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            invite = await people.invite(session, code.strip().upper())
            if invite is None:
                raise Refusal("invite.unknown", code=code[:16])
            if await people.revoke_invite(session, invite.id, now):
                repo.audit(session, now, actor.actor, "revoke", "invite", invite.code)

    async def grant(self, actor: Person, telegram_id: int, role: UserRole) -> str:
        """Give a known user a role (member, leader, admin); granting "member" revokes what
        was granted before. Administrators named in ADMIN_IDS are left to the configuration.
        Returns the user's name."""
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            user = await people.user_by_telegram(session, telegram_id)
            if user is None:
                raise Refusal("grant.unknown_user", id=telegram_id)
            name = user.full_name or str(telegram_id)
            if telegram_id in self._admin_ids:
                raise Refusal("grant.configured_admin", id=telegram_id, name=name)
            previous = user.role
            await people.set_role(session, user.id, role)
            repo.audit(
                session,
                now,
                actor.actor,
                "grant",
                "user",
                str(telegram_id),
                role=role,
                previous=previous,
            )
        return name

    async def users(self) -> list[UserView]:
        """Everyone who has written to the bot, with role and agencies, first comers first."""
        async with self._sessions() as session:
            rows = await people.users(session)
        return [
            UserView(
                u.telegram_id,
                u.full_name,
                u.username,
                u.role,
                u.telegram_id in self._admin_ids,
                tuple(codes),
                u.blocked_at is not None,
            )
            for u, codes in rows
        ]

    async def link(self, actor: Person, telegram_id: int, agency_code: str, *, on: bool) -> str:
        """Make a known user a focal point of an agency (`on`), or no longer one. Returns the
        user's name; refuses when nothing would change."""
        now = self._calendar.now()
        async with self._sessions() as session, session.begin():
            user = await people.user_by_telegram(session, telegram_id)
            if user is None:
                raise Refusal("grant.unknown_user", id=telegram_id)
            agency = await people.agency(session, agency_code)
            if agency is None:
                raise Refusal("invite.unknown_agency", agency=agency_code, examples="")
            name = user.full_name or str(telegram_id)
            if on:
                changed = await people.link_agency(session, user.id, agency.id)
            else:
                changed = await people.unlink_agency(session, user.id, agency.id)
            if not changed and on:
                raise Refusal("users.already_linked", name=name, agency=agency_code)
            if not changed:
                raise Refusal("users.not_linked", name=name, agency=agency_code)
            repo.audit(
                session,
                now,
                actor.actor,
                "link" if on else "unlink",
                "user",
                str(telegram_id),
                agency=agency_code,
            )
        return name
