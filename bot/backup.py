"""`python -m bot backup PATH`: a consistent copy of the bot's data in a new folder.

SQLite is copied with SQLite's online backup API while the bot may be running: a plain file copy
of a database in WAL mode can miss the writes still in its -wal file, or catch a page half
written. The evidence archive (EVIDENCE_DIR) is copied after the database, so every file the
copied database refers to is in the copy (a file is stored before its row is committed).
PostgreSQL has its own tool: the command prints the pg_dump line to run."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import URL

from bot.commands import Command
from bot.settings import Settings, describe_database
from bot.startup import fail
from storage.archive import TEMPORARY

DATABASE_FILE = "dti.sqlite3"
DUMP_FILE = "dti.dump"
EVIDENCE_FOLDER = "evidence"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        type=Path,
        help="a new folder for the copy, e.g. /var/backups/tro-ly-dti/2025-12-01",
    )


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    await asyncio.to_thread(make_backup, settings, args.path)
    return 0


BACKUP = Command(
    "copy the database (SQLite online backup) and the evidence archive into a new folder;"
    " for PostgreSQL print the pg_dump command",
    _arguments,
    _run,
)


def make_backup(settings: Settings, target: Path, out: TextIO = sys.stdout) -> None:
    """Fill the new folder `target` with the database and the evidence archive, one line each.
    Raises StartupError (one line for the operator) when it cannot."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise fail(
            f"backup {target}",
            "it exists and is not an empty folder",
            "name a new folder: a backup never overwrites another one",
        )
    url = settings.database
    try:
        target.mkdir(parents=True, exist_ok=True)
        if url.get_backend_name() == "sqlite":
            print(f"database: {_copy_sqlite(url, target / DATABASE_FILE)}", file=out)
        else:
            print(f"database: run  {pg_dump_command(url, target / DUMP_FILE)}", file=out)
        print(
            f"evidence: {_copy_evidence(settings.evidence_folder, target / EVIDENCE_FOLDER)}",
            file=out,
        )
    except OSError as exc:
        raise fail(
            f"backup {target}",
            f"cannot write there ({exc.strerror or exc})",
            "choose a folder this user can write to",
        ) from None


def _copy_sqlite(url: URL, copy: Path) -> str:
    source = Path(url.database or "")
    if not source.is_file():
        raise fail(
            f"DATABASE_URL ({describe_database(url)})",
            "there is no database file to copy",
            "check DATABASE_URL (the bot prints its database at start)",
        )
    try:  # closing: sqlite3's own context manager commits but does not close
        with (
            closing(sqlite3.connect(source, timeout=30)) as db,
            closing(sqlite3.connect(copy)) as backup,
        ):
            db.backup(backup)
            verdict = backup.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise fail(
            f"DATABASE_URL ({describe_database(url)})",
            f"the database cannot be read ({exc})",
            "restore it from an earlier backup",
        ) from None
    if verdict != "ok":
        raise fail(f"backup {copy}", f"the copy fails its integrity check ({verdict})", "retry")
    return f"{copy} ({copy.stat().st_size / 2**20:.1f} MB, integrity ok)"


def pg_dump_command(url: URL, dump: Path) -> str:
    """pg_dump of the bot's database into `dump` (custom format: pg_restore reads it). The
    password is not in the command: pg_dump reads PGPASSWORD or ~/.pgpass."""
    words = [
        "pg_dump",
        "--format=custom",
        f"--file={dump}",
        f"--host={url.host or 'localhost'}",
        f"--port={url.port or 5432}",
        f"--username={url.username or 'postgres'}",
        str(url.database or ""),
    ]
    return " ".join(shlex.quote(word) for word in words)


def _copy_evidence(folder: Path, copy: Path) -> str:
    if not folder.is_dir():
        return f"{folder} does not exist yet, nothing to copy"
    # Files still being written (storage.archive) are not evidence yet.
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(TEMPORARY))
    count = sum(1 for p in copy.rglob("*") if p.is_file())
    return f"{count} file(s) copied to {copy}"
