"""Start-up checks and start-up failures in one line.

Every problem the operator can fix (a setting, a data file, the database, the token) ends the
process with exit status 2 and one line naming the setting or file, the problem and what to do;
the traceback is shown only with LOG_LEVEL=DEBUG. Telegram being unreachable is not such a
problem: the bot waits for the network, one line per attempt.

Telegram and the storage layer are imported inside the functions that use them, so that a bad
setting is reported before they are loaded."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.settings import Settings, SettingsInvalid, describe_database, setting_problems
from scoring.loading import FileError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
    from telegram.ext import Application

    from services.container import Services

log = logging.getLogger(__name__)
EXIT_CONFIG = 2  # the status of every problem the operator fixes in the configuration
SQLITE_HEADER = b"SQLite format 3\x00"
CONNECT_TIMEOUT = 10.0  # seconds for the database to answer at start
MAX_WAIT = 60.0  # longest pause between two attempts to reach Telegram
OLD_DEFAULT = Path("var/dti.sqlite3")  # the default database before it moved to the user's folder
MAX_LINE = 400  # a problem quoted from a library (a YAML parser's) is cut to this length


class StartupError(Exception):
    """A problem the operator fixes in the configuration or a file; str() is the one line."""


def fail(subject: str, problem: str, remedy: str) -> StartupError:
    return StartupError(f"{subject}: {_one_line(problem)}; {remedy}")


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_LINE else flat[: MAX_LINE - 1] + "…"


# ---------------------------------------------------------------------------- the one line
def explain(exc: BaseException, settings: Settings | None = None) -> list[str] | None:
    """The line(s) for a problem the operator can fix, or None for a bug (shown as one)."""
    if isinstance(exc, StartupError):
        return [str(exc)]
    if isinstance(exc, SettingsInvalid):
        problems = setting_problems(exc)
        lines = [problems[0][1]]
        if len(problems) > 1:  # two lines at most: the first in full, the others by name
            lines.append("also to fix: " + ", ".join(name for name, _ in problems[1:]))
        return lines
    if isinstance(exc, FileError):
        return [_data_file_line(exc, settings)]
    return _telegram_line(exc, settings)


def _data_file_line(exc: FileError, settings: Settings | None) -> str:
    path: Path | str = exc.source
    if settings is not None:
        path = next(iter(sorted(settings.data_dir.glob(f"*/{exc.source}"))), exc.source)
    where = f"{path}, line {exc.line}" if exc.line else str(path)
    problem = _one_line(exc.problem.replace(' in "<unicode string>"', ""))
    remedy = "fix the file, or point DATA_DIR at a folder of valid files"
    return f"data file {where}: {problem}; {remedy}"


def _telegram_line(exc: BaseException, settings: Settings | None) -> list[str] | None:
    from telegram.error import InvalidToken

    if not isinstance(exc, InvalidToken):
        return None
    # PTB's own message quotes the token: only the server's answer (the cause) is used here.
    answer = str(exc.__cause__ or "")
    if "unauthorized" in answer.lower():
        return [
            "BOT_TOKEN: Telegram refused the token (401 Unauthorized); copy it again from"
            " @BotFather (/mybots, API Token), or make a new one there"
        ]
    base = settings.bot_api_base_url if settings else "BOT_API_BASE_URL"
    return [
        f"BOT_API_BASE_URL={base!r} or BOT_TOKEN: the Bot API server answered 404 Not Found;"
        " the base URL must end in /bot (https://api.telegram.org/bot) and BOT_TOKEN must be"
        " the whole token from @BotFather"
    ]


def run_guarded(main: Callable[[], int], settings: Callable[[], Settings | None]) -> int:
    """Run `main`; a problem the operator can fix is one line on standard error and status 2,
    with the traceback only at DEBUG. `settings` gives the settings once they are known."""
    try:
        return main()
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        known = settings()
        lines = explain(exc, known)
        if lines is None:
            raise  # a bug: Python prints the traceback, through the redacting standard error
        level = known.log_level if known else os.environ.get("LOG_LEVEL", "").strip().upper()
        if level == "DEBUG":
            traceback.print_exception(exc)
        for line in lines:
            print(f"tro-ly-dti: {line}", file=sys.stderr)
        return EXIT_CONFIG


# ---------------------------------------------------------------------------- the database
async def open_database(settings: Settings) -> AsyncEngine:
    """An engine on a database that answers: its folder writable, its file an SQLite database,
    its server reachable. Logs where the data is."""
    from storage.db import make_engine

    url = settings.database
    where = describe_database(url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        await asyncio.to_thread(_check_sqlite_file, Path(url.database or ""), where)
    engine = make_engine(settings.database_url)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT), engine.connect() as conn:
            await conn.run_sync(_read_something)
    except Exception as exc:
        await engine.dispose()
        raise _database_problem(exc, settings) from exc
    log.info("database: %s", where)
    if "database_url" not in settings.model_fields_set:
        await asyncio.to_thread(_point_at_older_database, where)
    return engine


def _point_at_older_database(where: str) -> None:
    """Before the default moved to the user's folder it was var/ under the working folder: a
    database left there is not lost silently."""
    if OLD_DEFAULT.is_file():
        old = OLD_DEFAULT.resolve()
        log.warning(
            "a database from an earlier version is at %s; this start uses %s. To keep using the"
            " earlier one, set DATABASE_URL=sqlite+aiosqlite:///%s",
            old,
            where,
            old,
        )


def _check_sqlite_file(path: Path, where: str) -> None:
    folder = path.absolute().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # SQLite writes the journal next to the file: the folder itself must take new files.
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise fail(
            f"DATABASE_URL ({where})",
            f"the folder {folder} cannot be written ({exc.strerror or exc})",
            "create it with write access for this user, or point DATABASE_URL at another folder",
        ) from None
    if path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
        if header != SQLITE_HEADER:
            raise fail(
                f"DATABASE_URL ({where})",
                "the file is not an SQLite database",
                "restore it from a backup, or point DATABASE_URL at a new file",
            )


def _read_something(connection: Any) -> None:
    """A read that touches the file (SQLite reads its schema page) or the server."""
    from sqlalchemy import text

    if connection.dialect.name == "sqlite":
        connection.execute(text("SELECT count(*) FROM sqlite_master")).scalar()
    else:
        connection.execute(text("SELECT 1")).scalar()


def _database_problem(exc: BaseException, settings: Settings) -> StartupError:
    url = settings.database
    where = describe_database(url)
    subject = f"DATABASE_URL ({where})"
    orig = getattr(exc, "orig", None) or exc
    reason = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    if url.get_backend_name() == "sqlite":
        return fail(subject, reason, "restore the file from a backup, or fix DATABASE_URL")
    if isinstance(exc, TimeoutError):
        reason = f"no answer within {CONNECT_TIMEOUT:.0f} s"
    if isinstance(exc, OSError | TimeoutError):
        return fail(
            subject,
            f"PostgreSQL cannot be reached ({reason})",
            "start it, or check the host and port in DATABASE_URL",
        )
    if "does not exist" in reason and "database" in reason:
        return fail(
            subject,
            reason,
            f"create it (createdb -h {url.host or 'localhost'} -U {url.username or 'postgres'}"
            f" {url.database}), or fix the name in DATABASE_URL",
        )
    return fail(subject, reason, "check the user, password and database in DATABASE_URL")


async def check_reference(
    sessions: async_sessionmaker[AsyncSession], services: Services, settings: Settings
) -> None:
    """The configured framework and standing agency exist: a bot with no framework to answer
    for must not start "successfully"."""
    from storage import repo

    try:
        _, directory = await services.scores.reference()
    except LookupError:
        async with sessions() as session:
            codes = sorted(code for code, _kind, _year in await repo.framework_codes(session))
        known = ", ".join(codes) or "none"
        if settings.framework:
            raise fail(
                f"FRAMEWORK={settings.framework!r}",
                f"no such framework (loaded: {known})",
                "use one of those, or unset FRAMEWORK for the newest DTI framework",
            ) from None
        raise fail(
            f"DATA_DIR={str(settings.data_dir)!r}",
            f"no DTI framework in frameworks/ (loaded: {known})",
            "add the framework's file there, or unset DATA_DIR for the data shipped with the bot",
        ) from None
    if not directory.knows(settings.standing_agency):
        raise fail(
            f"STANDING_AGENCY={settings.standing_agency!r}",
            "no such agency in agencies/",
            "use the code of the steering committee's standing agency, e.g. SKHCN",
        )


# ---------------------------------------------------------------------------- Telegram
async def connect_to_telegram(
    app: Application,  # type: ignore[type-arg]
    stop: asyncio.Event,
    where: str,
    *,
    first_wait: float = 1.0,
) -> bool:
    """Initialise the Application (its getMe), waiting while Telegram cannot be reached: one
    warning line per attempt, no traceback, waits doubling up to a minute. False when told to
    stop meanwhile. A refused token is raised: waiting would not help."""
    from telegram.error import BadRequest, NetworkError, RetryAfter

    for attempt in itertools.count(1):
        try:
            await app.initialize()
            return True
        except RetryAfter as exc:
            after = exc.retry_after
            wait = after.total_seconds() if isinstance(after, timedelta) else float(after)
            reason = "flood control"
        except NetworkError as exc:  # TimedOut too; 5xx answers come as NetworkError
            if isinstance(exc, BadRequest):
                raise
            wait = min(first_wait * 2 ** (attempt - 1), MAX_WAIT)
            reason = str(exc) or type(exc).__name__
        log.warning(
            "Telegram is not reachable at %s (%s); attempt %d, next in %g s",
            where,
            _one_line(reason),
            attempt,
            wait,
        )
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
        if stop.is_set():
            return False
    raise AssertionError("unreachable")  # pragma: no cover - itertools.count never ends
