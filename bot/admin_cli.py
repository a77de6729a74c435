"""Administration from the server's command line, through the same services as the chat
commands: invite, agencies, users, assign, unassign (frameworks and export: bot/framework_cli.py;
broadcast: bot/broadcast_cli.py).

Each command prints what it did in DEFAULT_LANGUAGE, the chat's own texts, and exits 0; a
refusal (an unknown agency, a sub-index that does not exist …) is printed with what to type
instead, and exits 2. Every change is in the audit log, its actor "server"."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TextIO

from bot.commands import Command
from bot.settings import Settings
from domain.status import UserRole
from services.identity import Person, find_agency

SERVER = Person(
    user_id=0,
    telegram_id=0,
    name="server",
    role=UserRole.ADMIN,
    is_admin=True,
    agencies=(),
    label="server",
)
EXIT_REFUSED = 2

if TYPE_CHECKING:  # the services are imported when a command runs, not at start
    from locales import Text
    from services.container import Services

Work = Callable[["Services", "Text"], Awaitable[str]]


async def run_with_services(settings: Settings, work: Work, out: TextIO | None = None) -> int:
    """Open the database and the services, do `work`, print its text: exit status 0; a
    refusal printed as the chat would say it: exit status 2."""
    from bot.runtime import open_services  # the heavy part: services and storage
    from handlers.refusals import refusal_text
    from services.refusal import Refusal

    out = out or sys.stdout
    async with open_services(settings) as services:
        t = services.texts.for_language(services.texts.default)
        try:
            print(await work(services, t), file=out)
        except Refusal as refusal:
            _, directory = await services.scores.reference()
            print(refusal_text(t, refusal, directory, "…"), file=out)
            return EXIT_REFUSED
    return 0


# ------------------------------------------------------------------------------ invite
def _invite_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("agency", help="agency code, name or alias, e.g. SKHCN")
    parser.add_argument("--uses", type=int, default=1, help="how many people may use it (1)")
    parser.add_argument("--days", type=int, default=7, help="days until it expires (7)")


async def _invite(settings: Settings, args: argparse.Namespace) -> int:
    return await create_invite(settings, args.agency, max(args.uses, 1), max(args.days, 1))


INVITE = Command("make an invite code for an agency (like /moi)", _invite_arguments, _invite)


async def create_invite(
    settings: Settings, agency: str, uses: int, days: int, out: TextIO | None = None
) -> int:
    """Print a new invite code and link for an agency; exit status 2 for an unknown agency."""

    async def work(services: Services, t: Text) -> str:
        from services.refusal import Refusal

        _, directory = await services.scores.reference()
        code = find_agency(directory, agency)
        if code is None:
            examples = ", ".join(a.code for a in directory.agencies[:6])
            raise Refusal("invite.unknown_agency", agency=agency, examples=examples)
        invite = await services.identity.create_invite(SERVER, code, max_uses=uses, days=days)
        expires = t.date(services.calendar.local(invite.expires_at).date())
        return t(
            "invite.created_server",
            agency=directory.name_of(code),
            code=invite.code,
            uses=uses,
            date=expires,
        )

    return await run_with_services(settings, work, out)


# ------------------------------------------------------------------------------ agencies
def _agencies_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="agencies and groups (like /coquan)")
    add = actions.add_parser("add", help="add an agency")
    add.add_argument("code", help="new code: capitals, digits, - or _, e.g. SNNMT")
    add.add_argument("name", nargs="+", help="full name")
    add.add_argument("--kind", required=True, help="department, commune, telecom …")
    add.add_argument("--alias", action="append", default=[], help="another name (repeatable)")
    rename = actions.add_parser("rename", help="a new full name; the old one stays an alias")
    rename.add_argument("agency", help="code, name or alias")
    rename.add_argument("name", nargs="+", help="the new full name")
    alias = actions.add_parser("alias", help="add (or --remove) another name of an agency")
    alias.add_argument("agency", help="code, name or alias")
    alias.add_argument("alias", nargs="+", help="the other name")
    alias.add_argument("--remove", action="store_true", help="take the name away instead")


async def _agencies(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.admin_views import agencies_text

    async def work(services: Services, t: Text) -> str:
        svc = services.agencies
        if args.action == "add":
            a = await svc.add(SERVER, args.code, " ".join(args.name), args.kind, tuple(args.alias))
            return t("agency.added", code=a.code, name=a.name, kind=a.kind)
        if args.action == "rename":
            renamed = await svc.rename(SERVER, args.agency, " ".join(args.name))
            a = renamed.agency
            return t("agency.renamed", code=a.code, before=renamed.before, name=a.name)
        if args.action == "alias":
            alias = " ".join(args.alias)
            a = await svc.alias(SERVER, args.agency, alias, remove=args.remove)
            return t(
                "agency.unaliased" if args.remove else "agency.aliased", code=a.code, alias=alias
            )
        return agencies_text(t, await svc.directory())

    return await run_with_services(settings, work)


AGENCIES = Command(
    "list, add, rename agencies and their other names (like /coquan)",
    _agencies_arguments,
    _agencies,
)


# ------------------------------------------------------------------------------ users
def _users_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="everyone who has written to the bot")
    grant = actions.add_parser("grant", help="give a role (like /capquyen)")
    grant.add_argument("telegram_id", type=int)
    grant.add_argument("role", choices=[r.value for r in UserRole])
    revoke = actions.add_parser("revoke", help="take a granted role back (to member)")
    revoke.add_argument("telegram_id", type=int)
    for name, help_text in (("link", "make a focal point of an agency"), ("unlink", "no longer")):
        link = actions.add_parser(name, help=help_text)
        link.add_argument("telegram_id", type=int)
        link.add_argument("agency", help="agency code, name or alias")


async def _users(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.admin_views import users_text
    from services.refusal import Refusal

    async def work(services: Services, t: Text) -> str:
        identity = services.identity
        if args.action in ("grant", "revoke"):
            role = UserRole(args.role) if args.action == "grant" else UserRole.MEMBER
            name = await identity.grant(SERVER, args.telegram_id, role)
            return t("grant.done", name=name, role=t(f"role.{role}"))
        if args.action in ("link", "unlink"):
            _, directory = await services.scores.reference()
            code = find_agency(directory, args.agency)
            if code is None:
                raise Refusal("agency.unknown", agency=args.agency, examples="")
            on = args.action == "link"
            name = await identity.link(SERVER, args.telegram_id, code, on=on)
            return t("users.linked" if on else "users.unlinked", name=name, agency=code)
        return users_text(t, await identity.users())

    return await run_with_services(settings, work)


USERS = Command(
    "list users, grant or revoke a role, link a focal point to an agency", _users_arguments, _users
)


# ------------------------------------------------------------------------------ assign
def _assign_arguments(parser: argparse.ArgumentParser, *, role_required: bool) -> None:
    parser.add_argument("sub_index", help="sub-index code, e.g. 8.2")
    parser.add_argument("agency", nargs="+", help="agency or group: code, name or alias")
    parser.add_argument(
        "--role",
        choices=["lead", "coordinate"],
        required=role_required,
        help="lead (chủ trì) or coordinate (phối hợp)" + ("" if role_required else "; both"),
    )
    parser.add_argument("--framework", help="framework code (default: the one answered)")


async def _assign(settings: Settings, args: argparse.Namespace, *, on: bool) -> int:
    from handlers.admin_views import holders_line
    from handlers.views import agency_label
    from scoring.model import Role

    async def work(services: Services, t: Text) -> str:
        svc = services.agencies
        role = Role(args.role) if args.role else None
        holder = " ".join(args.agency)
        if on:
            assert role is not None  # noqa: S101 - argparse requires it
            done = await svc.assign(SERVER, args.sub_index, holder, role, args.framework)
        else:
            done = await svc.unassign(SERVER, args.sub_index, holder, role, args.framework)
        directory = await svc.directory()
        text = t(
            "assign.done" if on else "assign.removed",
            holder=agency_label(directory, done.holder),
            roles=", ".join(t(f"role.{r.value}") for r in done.roles),
            code=done.sub_index.code,
        )
        framework, _ = await services.scores.reference()
        sub = (
            framework.sub_index(done.sub_index.code) if framework.code == done.framework else None
        )
        if sub is not None:
            text += "\n" + holders_line(t, directory, sub.lead, sub.coordinate)
        return text

    return await run_with_services(settings, work)


async def _assign_on(settings: Settings, args: argparse.Namespace) -> int:
    return await _assign(settings, args, on=True)


async def _assign_off(settings: Settings, args: argparse.Namespace) -> int:
    return await _assign(settings, args, on=False)


ASSIGN = Command(
    "make an agency or group lead or coordinate a sub-index (like /phancong)",
    lambda parser: _assign_arguments(parser, role_required=True),
    _assign_on,
)
UNASSIGN = Command(
    "take an agency or group off a sub-index (like /bophancong)",
    lambda parser: _assign_arguments(parser, role_required=False),
    _assign_off,
)
