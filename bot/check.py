"""`python -m bot check`: is this installation ready to run? One line per part, exit status 0
when every part is, 2 otherwise. Changes nothing: the data files are loaded into a scratch
database, the real database is only read."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from bot.commands import Command
from bot.logs import configure_logging
from bot.settings import Settings, describe_database
from bot.startup import EXIT_CONFIG, explain, fail


def _arguments(parser: argparse.ArgumentParser) -> None:
    return None


async def _run(_settings: None, _args: argparse.Namespace) -> int:
    return await run_checks(sys.stdout, own_process=True)


CHECK = Command(
    "check the configuration, the data files, the database and the token: one line each",
    _arguments,
    _run,
    needs_settings=False,
)


async def run_checks(out: TextIO, *, own_process: bool = False) -> int:
    """Print the line of each part; 0 when all are ready. `own_process`: the command owns the
    process and sets up its logging (errors only: the lines say what went wrong)."""
    try:
        settings = Settings()
    except Exception as exc:
        _report(out, "configuration", exc, None)
        return EXIT_CONFIG
    if own_process:
        configure_logging("ERROR", *settings.secrets())
    print(f"configuration: ok (database {describe_database(settings.database)})", file=out)
    ok = True
    for name, part in (("data", _data), ("database", _database), ("telegram", _telegram)):
        try:
            print(f"{name}: {await part(settings)}", file=out)
        except Exception as exc:
            _report(out, name, exc, settings)
            ok = False
    return 0 if ok else EXIT_CONFIG


def _report(out: TextIO, name: str, exc: Exception, settings: Settings | None) -> None:
    lines = explain(exc, settings)
    if lines is None:  # not a known problem: its type and message, still one line
        lines = [f"{type(exc).__name__}: {' '.join(str(exc).split())}"]
    print(f"{name}: {'; '.join(lines)}", file=out)


async def _data(settings: Settings) -> str:
    """The start-up path itself (migrate, seed, check the framework) on a scratch database."""
    from bot.runtime import open_services  # the heavy part: services and storage

    with tempfile.TemporaryDirectory(prefix="tro-ly-dti-check-") as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'check.sqlite3'}"
        trial = settings.model_copy(update={"database_url": url})
        async with open_services(trial) as services:
            framework, directory = await services.scores.reference()
    return (
        f"ok ({settings.data_dir}: framework {framework.code}, {len(directory.agencies)} agencies)"
    )


async def _database(settings: Settings) -> str:
    from bot.startup import open_database
    from storage.migrate import head_revisions, recorded_revisions

    url = settings.database
    path = Path(url.database or "")
    if url.get_backend_name() == "sqlite" and not await asyncio.to_thread(path.is_file):
        where = describe_database(url)
        return f"no database yet ({where}); the bot creates it on its first start"
    engine = await open_database(settings)
    try:
        async with engine.connect() as conn:
            revision = ", ".join(sorted(await conn.run_sync(recorded_revisions)))
    finally:
        await engine.dispose()
    newest = ", ".join(sorted(head_revisions()))
    if revision == newest:
        schema = f"schema {revision}, the newest"
    else:
        schema = f"schema {revision or 'not created'}, the bot migrates it to {newest} on start"
    return f"ok ({describe_database(url)}, {schema})"


async def _telegram(settings: Settings) -> str:
    from telegram import Bot
    from telegram.error import NetworkError

    if settings.token is None:
        return "no BOT_TOKEN: the bot would start the offline console"
    bot = Bot(
        settings.token,
        base_url=settings.bot_api_base_url,
        base_file_url=settings.bot_api_file_url,
    )
    try:
        async with bot:
            return f"ok (@{bot.username})"
    except NetworkError as exc:
        raise fail(
            f"BOT_API_BASE_URL={settings.bot_api_base_url!r}",
            f"Telegram cannot be reached ({exc})",
            "check the network and the proxy (the bot itself waits for Telegram at start)",
        ) from None
