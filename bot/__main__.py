"""python -m bot (or tro-ly-dti): serve Telegram with BOT_TOKEN set, else the offline console;
with a subcommand, one administration task on the server.

A subcommand is a `bot.commands.Command` listed in `SUBCOMMANDS`; its module imports the heavy
parts (the services, Telegram) inside `run`, so `--help` and a bad setting answer at once."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from bot import admin_cli, backup, broadcast_cli, check, framework_cli
from bot.commands import Command
from bot.logs import configure_logging, protect_stderr
from bot.settings import Settings
from bot.startup import run_guarded

SUBCOMMANDS: dict[str, Command] = {
    "invite": admin_cli.INVITE,
    "agencies": admin_cli.AGENCIES,
    "users": admin_cli.USERS,
    "assign": admin_cli.ASSIGN,
    "unassign": admin_cli.UNASSIGN,
    "frameworks": framework_cli.FRAMEWORKS,
    "export": framework_cli.EXPORT,
    "broadcast": broadcast_cli.BROADCAST,
    "backup": backup.BACKUP,
    "check": check.CHECK,
}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="tro-ly-dti", description="Trợ lý DTI")
    root.add_argument("--once", metavar="TEXT", help="answer one message offline and exit")
    root.add_argument("--console", action="store_true", help="offline console even with a token")
    commands = root.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in SUBCOMMANDS.items():
        command.arguments(commands.add_parser(name, help=command.help, description=command.help))
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    # Opt in to PTB 22's timedelta durations (RetryAfter.retry_after); silences its deprecation.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # Before anything can fail: the secrets as the environment has them (the settings may
    # still be refused), hidden from standard error.
    protect_stderr(os.environ.get("BOT_TOKEN"), os.environ.get("WEBHOOK_SECRET"))
    loaded: list[Settings] = []

    def run() -> int:
        command = SUBCOMMANDS.get(args.command or "")
        if command is not None and not command.needs_settings:
            return asyncio.run(command.run(None, args))
        settings = Settings()
        loaded.append(settings)
        if command is not None:
            configure_logging("WARNING", *settings.secrets())
            return asyncio.run(command.run(settings, args))
        return serve(settings, args)

    sys.exit(run_guarded(run, lambda: loaded[0] if loaded else None))


def serve(settings: Settings, args: argparse.Namespace) -> int:
    """The bot with a token (long polling, or a webhook with WEBHOOK_URL: bot.runtime); the
    offline console without one, or when asked for."""
    offline = args.once is not None or args.console or settings.token is None
    configure_logging("WARNING" if offline else settings.log_level, *settings.secrets())
    logging.getLogger(__name__).debug("settings: %s", settings.summary())
    if offline:
        from bot.console import run_console  # the heavy part: services and handlers

        asyncio.run(run_console(settings, args.once))
    else:
        from bot.runtime import run

        asyncio.run(run(settings))
    return 0


if __name__ == "__main__":
    main()
