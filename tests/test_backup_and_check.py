"""`python -m bot backup PATH` (an online SQLite copy, the evidence archive, the pg_dump line for
PostgreSQL) and `python -m bot check` (one line per part, exit status 0 or 2)."""

from __future__ import annotations

import io
import os
import sqlite3
from pathlib import Path

import pytest

from bot.admin_cli import SERVER
from bot.backup import make_backup, pg_dump_command
from bot.check import run_checks
from bot.runtime import open_services
from bot.settings import Settings
from bot.startup import StartupError
from services.container import Services
from tests.conftest import DATA
from tests.process import run_bot


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_URL"))}
    return env | {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dti.sqlite3'}", **extra}


async def test_the_backup_of_a_live_wal_database_holds_the_writes_not_yet_checkpointed(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    invite = await services.identity.create_invite(SERVER, "SKHCN")
    database = Path(settings.database.database or "")
    # The newest write is still in the -wal file: a copy of the main file alone would miss it.
    assert database.with_name(database.name + "-wal").stat().st_size > 0
    out = io.StringIO()
    make_backup(settings, tmp_path / "backup", out)
    copy = tmp_path / "backup" / "dti.sqlite3"
    with sqlite3.connect(copy) as db:
        codes = [row[0] for row in db.execute("SELECT code FROM invites")]
        frameworks = [row[0] for row in db.execute("SELECT code FROM frameworks ORDER BY code")]
    assert codes == [invite.code]
    # Every framework the data folder holds (the DTI points, Ninh Thuận's targets and DTI 2022).
    assert frameworks == ["dti-ninh-thuan-2022", "dti-province-2025", "ninh-thuan-2314"]
    assert f"database: {copy} (" in out.getvalue()
    assert "integrity ok" in out.getvalue()
    # The archive's default place is beside the database; nothing was archived yet.
    assert f"evidence: {tmp_path / 'evidence'} does not exist yet" in out.getvalue()


async def test_the_backup_copies_the_evidence_archive_and_never_overwrites_a_backup(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    archive = tmp_path / "evidence"
    (archive / "ab").mkdir(parents=True)
    (archive / "ab" / "abcdef.pdf").write_bytes(b"%PDF-1.4 minh chung")
    with_archive = settings.model_copy(update={"evidence_dir": archive})
    out = io.StringIO()
    make_backup(with_archive, tmp_path / "b1", out)
    assert (tmp_path / "b1" / "evidence" / "ab" / "abcdef.pdf").read_bytes().startswith(b"%PDF")
    assert "evidence: 1 file(s) copied" in out.getvalue()
    with pytest.raises(StartupError, match="name a new folder"):
        make_backup(with_archive, tmp_path / "b1", io.StringIO())


def test_for_postgresql_the_backup_prints_the_pg_dump_line_without_the_password(
    tmp_path: Path,
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url="postgresql+asyncpg://dti:s3cret-pw@db:5432/dti"
    )
    out = io.StringIO()
    make_backup(settings, tmp_path / "pg", out)
    dump = tmp_path / "pg" / "dti.dump"
    assert pg_dump_command(settings.database, dump) in out.getvalue()
    assert (
        f"pg_dump --format=custom --file={dump} --host=db --port=5432 --username=dti dti"
        in out.getvalue()
    )
    assert "s3cret-pw" not in out.getvalue()


async def test_the_backup_command_copies_the_database_of_the_settings(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert (await run_bot(env, tmp_path, "--once", "tổng điểm DTI"))[0] == 0
    status, output = await run_bot(env, tmp_path, "backup", str(tmp_path / "saved"))
    assert status == 0, output
    assert (tmp_path / "saved" / "dti.sqlite3").is_file()
    again, output = await run_bot(env, tmp_path, "backup", str(tmp_path / "saved"))
    assert again == 2
    assert output.startswith(f"tro-ly-dti: backup {tmp_path / 'saved'}: it exists")


async def test_check_prints_one_line_per_part_and_exits_0_when_all_are_ready(
    tmp_path: Path,
) -> None:
    status, output = await run_bot(_env(tmp_path), tmp_path, "check")
    lines = output.strip().splitlines()
    assert status == 0, output
    assert [line.split(":")[0] for line in lines] == [
        "configuration", "data", "database", "telegram",
    ]  # fmt: skip
    assert lines[1].startswith("data: ok (")
    assert "framework dti-province-2025" in lines[1]
    assert "no database yet" in lines[2]
    assert not (tmp_path / "dti.sqlite3").exists()  # check changes nothing
    assert lines[3] == "telegram: no BOT_TOKEN: the bot would start the offline console"


async def test_check_names_what_is_wrong_and_exits_2(tmp_path: Path) -> None:
    status, output = await run_bot(_env(tmp_path, FRAMEWORK="dti-2030"), tmp_path, "check")
    lines = output.strip().splitlines()
    assert status == 2, output
    assert len(lines) == 4
    assert lines[1].startswith("data: FRAMEWORK='dti-2030': no such framework")
    bad, output = await run_bot(_env(tmp_path, TIMEZONE="Hanoi"), tmp_path, "check")
    assert bad == 2
    assert output.strip() == (
        "configuration: TIMEZONE='Hanoi': not a time zone; use an IANA name such as"
        " Asia/Ho_Chi_Minh"
    )


async def test_check_reads_the_schema_of_a_migrated_database_of_either_kind(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(_env_file=None, database_url=database_url, data_dir=DATA)  # type: ignore[call-arg]
    async with open_services(settings):
        pass
    monkeypatch.chdir(tmp_path)  # no .env file here
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    out = io.StringIO()
    assert await run_checks(out) == 0, out.getvalue()
    database = out.getvalue().splitlines()[2]
    kind = "SQLite" if database_url.startswith("sqlite") else "PostgreSQL"
    assert database.startswith(f"database: ok ({kind} ")
    assert database.endswith(", the newest)")
