"""Administration from the server's command line: the same services as the chat commands."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from bot.commands import Command
from bot.settings import Settings
from domain.status import UserRole
from services.identity import Person, find_agency

SERVER = Person(
    user_id=0, telegram_id=0, name="server", role=UserRole.ADMIN, is_admin=True, agencies=()
)


def _invite_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("agency", help="agency code, name or alias, e.g. SKHCN")
    parser.add_argument("--uses", type=int, default=1, help="how many people may use it (1)")
    parser.add_argument("--days", type=int, default=7, help="days until it expires (7)")


async def _invite(settings: Settings, args: argparse.Namespace) -> int:
    return await create_invite(settings, args.agency, max(args.uses, 1), max(args.days, 1))


INVITE = Command("make an invite code for an agency (like /moi)", _invite_arguments, _invite)


async def create_invite(
    settings: Settings, agency: str, uses: int, days: int, out: TextIO = sys.stdout
) -> int:
    """Print a new invite code and link for an agency; exit status 2 for an unknown agency."""
    from bot.runtime import open_services  # the heavy part: services and storage

    async with open_services(settings) as services:
        t = services.texts.for_language(services.texts.default)
        _, directory = await services.scores.reference()
        code = find_agency(directory, agency)
        if code is None:
            examples = ", ".join(a.code for a in directory.agencies[:6])
            print(t("invite.unknown_agency", agency=agency, examples=examples), file=out)
            return 2
        invite = await services.identity.create_invite(SERVER, code, max_uses=uses, days=days)
        expires = t.date(services.calendar.local(invite.expires_at).date())
        agency_name = directory.name_of(code)
        text = t(
            "invite.created_server", agency=agency_name, code=invite.code, uses=uses, date=expires
        )
        print(text, file=out)
        return 0
