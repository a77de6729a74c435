"""python -m bot: the bot with BOT_TOKEN set (long polling, or a webhook with WEBHOOK_URL),
else the offline console."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from bot.admin_cli import create_invite
from bot.console import run_console
from bot.logs import configure_logging
from bot.runtime import run
from bot.settings import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trợ lý DTI")
    parser.add_argument("--once", metavar="TEXT", help="answer one message offline and exit")
    parser.add_argument("--console", action="store_true", help="offline console even with a token")
    commands = parser.add_subparsers(dest="command")
    invite = commands.add_parser("invite", help="make an invite code for an agency (like /moi)")
    invite.add_argument("agency", help="agency code, name or alias, e.g. SKHCN")
    invite.add_argument("--uses", type=int, default=1, help="how many people may use it (1)")
    invite.add_argument("--days", type=int, default=7, help="days until it expires (7)")
    args = parser.parse_args(argv)
    # Opt in to PTB 22's timedelta durations (RetryAfter.retry_after); silences its deprecation.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings = Settings()
    if args.command == "invite":
        configure_logging("WARNING", settings.token)
        sys.exit(
            asyncio.run(create_invite(settings, args.agency, max(args.uses, 1), max(args.days, 1)))
        )
    offline = args.once is not None or args.console or settings.token is None
    configure_logging(settings.log_level if not offline else "WARNING", settings.token)
    if offline:
        asyncio.run(run_console(settings, args.once))
    else:
        asyncio.run(run(settings))


if __name__ == "__main__":
    main()
