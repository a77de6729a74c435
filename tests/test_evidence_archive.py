"""The evidence archive: every evidence file downloaded as it arrives, stored once under its
SHA-256, written whole or not at all; /minhchung sends the archived copy when Telegram's file id
no longer works; the backup carries the archive."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.backup import make_backup
from bot.settings import Settings
from services.container import Services
from storage.archive import TEMPORARY, Archive
from tests import botapi_factories as f
from tests.botapi import FakeBotApi
from tests.test_e2e_updates import FOCAL, registered

REPORT = b"%PDF-1.4 bao cao so lieu 8.2 quy 4 " * 100


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archived_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and TEMPORARY not in p.parts)


def send_document(
    api: FakeBotApi, name: str, content: bytes, *, claimed_size: int | None = None
) -> dict[str, Any]:
    """A focal point sends a document captioned for 8.2; Telegram reports `claimed_size`
    (default: the real size) in the message."""
    size = len(content) if claimed_size is None else claimed_size
    file_id = api._new_file(
        "documents", ".pdf", size, file_name=name, mime_type="application/pdf", content=content
    )
    sender = f.user(FOCAL, "Hoa")
    return api._incoming(
        f.private_chat(sender),
        sender,
        document=api._document(file_id),
        **f.text_fields("minh chứng 8.2", "caption", "caption_entities"),
    )


# ------------------------------------------------------------------------------ the archive
def test_a_file_is_stored_once_under_its_digest_and_read_back_whole(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "evidence")
    digest, new = archive.put(REPORT)
    assert (digest, new) == (sha(REPORT), True)
    assert archive.path(digest) == tmp_path / "evidence" / digest[:2] / digest
    assert archive.put(REPORT) == (digest, False)
    assert archived_files(tmp_path / "evidence") == [archive.path(digest)]
    assert list((tmp_path / "evidence" / TEMPORARY).iterdir()) == []  # nothing half written
    assert archive.get(digest) == REPORT
    assert archive.get(sha(b"never stored")) is None


def test_a_damaged_copy_is_never_handed_out_and_is_written_again(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    digest, _ = archive.put(REPORT)
    archive.path(digest).write_bytes(b"truncated")
    assert archive.get(digest) is None
    assert archive.put(REPORT) == (digest, True)
    assert archive.get(digest) == REPORT


# ------------------------------------------------------------------------------ on arrival
async def test_evidence_is_downloaded_into_the_archive_as_it_arrives(
    api: FakeBotApi, bot: Application, services: Services, settings: Settings
) -> None:
    chat = await registered(api)
    send_document(api, "bao-cao.pdf", REPORT)
    assert "Đã nhận minh chứng" in (await chat.next_message())["text"]
    [row] = await services.evidence.files("8.2")
    assert row.sha256 == sha(REPORT)
    assert settings.evidence_folder == Path(settings.database.database or "").parent / "evidence"
    assert Archive(settings.evidence_folder).get(sha(REPORT)) == REPORT
    assert len(api.sent("getFile")) == 1


async def test_the_same_file_sent_twice_is_archived_once(
    api: FakeBotApi, bot: Application, services: Services, settings: Settings
) -> None:
    chat = await registered(api)
    send_document(api, "bao-cao.pdf", REPORT)
    await chat.next_message()
    send_document(api, "ban-sao.pdf", REPORT)
    assert "có 2 tệp trong kỳ" in (await chat.next_message())["text"]
    rows = await services.evidence.files("8.2")
    assert [r.file_name for r in rows] == ["bao-cao.pdf", "ban-sao.pdf"]
    assert {r.sha256 for r in rows} == {sha(REPORT)}
    assert archived_files(settings.evidence_folder) == [
        Archive(settings.evidence_folder).path(sha(REPORT))
    ]


async def test_a_file_larger_than_the_limit_is_refused_even_when_telegram_said_it_was_small(
    api: FakeBotApi, bot: Application, services: Services, settings: Settings
) -> None:
    services.evidence.max_bytes = 1000
    chat = await registered(api)
    send_document(api, "lon.pdf", REPORT, claimed_size=2000)
    assert "vượt giới hạn" in (await chat.next_message())["text"]
    send_document(api, "nho.pdf", REPORT, claimed_size=500)  # the download shows 3500 bytes
    assert "vượt giới hạn" in (await chat.next_message())["text"]
    assert await services.evidence.files("8.2") == []
    assert archived_files(settings.evidence_folder) == []
    assert len(api.sent("getFile")) == 1  # the first was refused before any download


async def test_a_file_telegram_will_not_give_is_still_recorded_without_a_copy(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    chat = await registered(api)
    api.fail_next("getFile", status=400, description="Bad Request: file is too big")
    send_document(api, "bao-cao.pdf", REPORT)
    assert "Đã nhận minh chứng" in (await chat.next_message())["text"]
    [row] = await services.evidence.files("8.2")
    assert row.sha256 is None


# ------------------------------------------------------------------------------ sending back
async def test_when_the_file_id_no_longer_works_the_archived_copy_is_sent(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    chat = await registered(api)
    send_document(api, "bao-cao.pdf", REPORT)
    await chat.next_message()
    api.private_photo(caption="minh chứng 8.2", user_id=FOCAL, file_size=4321)
    await chat.next_message()
    listing = await chat.say("/minhchung 8.2")
    api.files.clear()  # another bot token: Telegram knows none of the old file ids
    await chat.press(listing, "📎 2.")  # newest first: the photo is 1, the report 2
    [document] = await api.wait_for("sendDocument", chat_id=FOCAL)
    upload = document["document"]
    assert (upload["filename"], upload["size"], upload["sha256"]) == (
        "bao-cao.pdf",
        len(REPORT),
        sha(REPORT),
    )
    await chat.press(listing, "📎 1.")
    [photo] = await api.wait_for("sendPhoto", chat_id=FOCAL)
    assert photo["photo"]["sha256"] == sha(bytes(4321))


async def test_a_file_neither_telegram_nor_the_archive_has_is_answered_with_what_to_do(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    chat = await registered(api)
    api.fail_next("getFile", status=400, description="Bad Request: file is too big")
    send_document(api, "bao-cao.pdf", REPORT)
    await chat.next_message()
    listing = await chat.say("/minhchung 8.2")
    api.files.clear()
    answer = await chat.press(listing, "📎 1.")
    assert answer["show_alert"] is True
    assert 'Không gửi lại được tệp "bao-cao.pdf"' in answer["text"]
    assert api.sent("sendDocument", chat_id=FOCAL) == []


# ------------------------------------------------------------------------------ backup
async def test_the_backup_holds_every_archived_file_its_database_names(
    api: FakeBotApi, bot: Application, services: Services, settings: Settings, tmp_path: Path
) -> None:
    chat = await registered(api)
    for name, content in (("a.pdf", REPORT), ("b.pdf", REPORT + b"v2"), ("c.pdf", REPORT)):
        send_document(api, name, content)
        await chat.next_message()
    out = io.StringIO()
    make_backup(settings, tmp_path / "backup", out)
    assert "evidence: 2 file(s) copied" in out.getvalue()
    with sqlite3.connect(tmp_path / "backup" / "dti.sqlite3") as db:
        digests = [row[0] for row in db.execute("SELECT sha256 FROM evidence ORDER BY id")]
    assert digests == [sha(REPORT), sha(REPORT + b"v2"), sha(REPORT)]
    copy = Archive(tmp_path / "backup" / "evidence")
    assert all(copy.get(d) is not None for d in digests)
