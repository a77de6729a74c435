"""python -m bot (or tro-ly-dti): serve Telegram with BOT_TOKEN set, else the offline console;
with a subcommand, one administration task on the server.

A subcommand is a `bot.commands.Command` listed in `SUBCOMMANDS`; its module is imported only
when that subcommand is asked for (or `--help` lists them all), and it imports the heavy parts
(the services, Telegram) inside `run`, so `--help` and a bad setting answer at once."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import sys
from collections.abc import Collection, Iterator, Mapping
from typing import TYPE_CHECKING

from bot import collector
from bot.commands import Command
from bot.logs import configure_logging, protect_stderr

if TYPE_CHECKING:
    from bot.settings import Settings


class Subcommands(Mapping[str, Command]):
    """name -> Command, each imported from its module (bot.<module>.<NAME>) when first asked."""

    def __init__(self, where: dict[str, tuple[str, str]]) -> None:
        self._where = where

    def __getitem__(self, name: str) -> Command:
        module, attribute = self._where[name]
        command: Command = getattr(importlib.import_module(f"bot.{module}"), attribute)
        return command

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


SUBCOMMANDS = Subcommands(
    {
        "invite": ("admin_cli", "INVITE"),
        "agencies": ("admin_cli", "AGENCIES"),
        "users": ("admin_cli", "USERS"),
        "assign": ("admin_cli", "ASSIGN"),
        "unassign": ("admin_cli", "UNASSIGN"),
        "frameworks": ("framework_cli", "FRAMEWORKS"),
        "export": ("framework_cli", "EXPORT"),
        "broadcast": ("broadcast_cli", "BROADCAST"),
        "backup": ("backup", "BACKUP"),
        "check": ("check", "CHECK"),
    }
)


def parser(wanted: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The command line; `wanted`: the subcommands whose arguments and help are read (their
    modules imported), the others only named (None: every one)."""
    root = argparse.ArgumentParser(prog="tro-ly-dti", description="Trợ lý DTI")
    root.add_argument("--once", metavar="TEXT", help="answer one message offline and exit")
    root.add_argument("--console", action="store_true", help="offline console even with a token")
    commands = root.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        if wanted is not None and name not in wanted:
            commands.add_parser(name)  # not asked for: its module stays unloaded
            continue
        command = SUBCOMMANDS[name]
        command.arguments(commands.add_parser(name, help=command.help, description=command.help))
    return root


def _asked_for(argv: list[str]) -> Collection[str] | None:
    """The subcommands `argv` may name (a word that is one; None, all, when help is asked)."""
    if any(arg in ("-h", "--help") for arg in argv):
        return None
    return {arg for arg in argv if arg in SUBCOMMANDS}


def main(argv: list[str] | None = None) -> None:
    # Before the settings, the storage layer and Telegram are imported: see bot/collector.py.
    collector.pause()
    try:
        _main(argv)
    finally:
        collector.resume()


def _main(argv: list[str] | None) -> None:
    from bot.settings import Settings
    from bot.startup import run_guarded

    argv = sys.argv[1:] if argv is None else argv
    args = parser(_asked_for(argv)).parse_args(argv)
    # Opt in to PTB 22's timedelta durations (RetryAfter.retry_after); silences its deprecation.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # Before anything can fail: the secrets as the environment has them (the settings may
    # still be refused), hidden from standard error.
    protect_stderr(os.environ.get("BOT_TOKEN"), os.environ.get("WEBHOOK_SECRET"))
    loaded: list[Settings] = []

    def run() -> int:
        command = SUBCOMMANDS.get(args.command or "")
        if command is not None:
            collector.resume()  # a one-off task, of any size: the collector as usual
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
