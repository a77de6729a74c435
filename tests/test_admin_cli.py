"""The server's administration commands (`python -m bot agencies|users|assign|unassign|
frameworks|export|broadcast`), run in process through the same table `python -m bot` uses; one
test runs the real entry point. Exit status 0 when done, 2 when refused (with what to type)."""

from __future__ import annotations

import argparse
import csv
import io
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.__main__ import SUBCOMMANDS, parser
from bot.admin_cli import SERVER as SERVER_PERSON
from bot.runtime import open_services
from bot.settings import SecretStr, Settings
from services.container import Services
from services.identity import Caller
from storage.models import AuditRow, BroadcastRow, FrameworkRow
from tests.botapi import TOKEN, FakeBotApi
from tests.conftest import DATA, MovableClock
from tests.process import run_bot
from tests.templates import Templates
from tests.test_admin_services import modified_framework
from tests.test_e2e_admin import SEEDED
from tests.test_framework_files import csv_bytes, table


@pytest.fixture
async def settings(settings: Settings, clock: MovableClock, templates: Templates) -> Settings:
    """The tests' settings on a copy of the seeded template: the commands find the database
    migrated and seeded, as on a server where the bot has run (the first start itself is
    tests/test_storage.py's)."""
    await templates.copy(settings.database_url, f"seeded {clock().isoformat()}")
    return settings


async def cli(
    settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str]:
    """Run one subcommand as `python -m bot` would; its exit status and what it printed."""
    args = parser().parse_args(list(argv))
    status = await SUBCOMMANDS[args.command].run(settings, args)
    return status, capsys.readouterr().out


@asynccontextmanager
async def fresh(settings: Settings) -> AsyncIterator[Services]:
    """Services opened after the command ran: what another process would see."""
    async with open_services(settings) as services:
        yield services


async def audit_actions(settings: Settings, entity: str) -> list[tuple[str, str]]:
    async with fresh(settings) as services, services.identity._sessions() as session:
        rows = await session.scalars(
            select(AuditRow).where(AuditRow.entity == entity, AuditRow.actor == "server")
        )
        return [(r.action, r.entity_key) for r in rows]


async def framework_codes(settings: Settings) -> list[str]:
    async with fresh(settings) as services, services.identity._sessions() as session:
        return list(await session.scalars(select(FrameworkRow.code).order_by(FrameworkRow.id)))


# ------------------------------------------------------------------------------ agencies
async def test_agencies_are_listed_added_renamed_and_named_from_the_server(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = await cli(settings, capsys, "agencies", "list")
    assert status == 0
    assert out.startswith("🏢 22 cơ quan, 4 nhóm:\n• SKHCN: Sở Khoa học và Công nghệ")
    status, out = await cli(
        settings, capsys, "agencies", "add", "XNHATRANG", "Phường", "Nha", "Trang",
        "--kind", "commune", "--alias", "Nha Trang",
    )  # fmt: skip
    assert (status, out) == (
        0,
        "✅ Đã thêm cơ quan XNHATRANG: Phường Nha Trang [commune]. Mời đầu mối: /moi XNHATRANG\n",
    )
    status, out = await cli(
        settings, capsys, "agencies", "rename", "Nha Trang", "Phường Nha Trang mới"
    )
    assert status == 0
    assert '"Phường Nha Trang" đổi thành "Phường Nha Trang mới"' in out
    status, out = await cli(settings, capsys, "agencies", "alias", "XNHATRANG", "NT")
    assert "có thêm tên gọi" in out
    status, out = await cli(settings, capsys, "agencies", "alias", "XNHATRANG", "NT", "--remove")
    assert "Đã bỏ tên gọi" in out
    assert await audit_actions(settings, "agency") == [
        ("create", "XNHATRANG"), ("rename", "XNHATRANG"), ("alias", "XNHATRANG"),
        ("unalias", "XNHATRANG"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "answer"),
    [
        (("agencies", "add", "SX", "Sở", "--kind", "ministry"), "Dùng một trong: department"),
        (("agencies", "rename", "SNX", "Sở X"), 'Không có cơ quan hay nhóm "SNX"'),
        (("users", "grant", "999", "leader"), "Chưa có người dùng Telegram 999"),
        (("users", "link", "999", "SKHCN"), "Chưa có người dùng Telegram 999"),
        (("assign", "8.9", "SNV", "--role", "lead"), "Không có chỉ số 8.9"),
        (("assign", "8.2", "SNV", "--role", "lead", "--framework", "dti-2030"), "dti-2030"),
        (("unassign", "8.2", "SNV"), "Sở Nội vụ không chủ trì hay phối hợp chỉ số 8.2"),
        (("broadcast", "--to", "ai do", "Xin chào"), "Gõ: /thongbao ĐÍCH nội dung"),
        (("broadcast", "--to", "focal", "Xin chào"), "Không có ai nhận"),
    ],
)
async def test_what_cannot_be_done_is_refused_with_status_2_and_changes_nothing(
    settings: Settings, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], answer: str
) -> None:
    status, out = await cli(settings, capsys, *argv)
    assert status == 2
    assert answer in out
    async with fresh(settings) as services, services.identity._sessions() as session:
        changes = await session.scalar(select(func.count()).where(AuditRow.actor == "server"))
    assert changes == 0


@pytest.mark.parametrize(
    "argv",
    [
        ("assign", "8.2", "SNV"),  # no --role
        ("agencies", "add", "SX", "Sở X"),  # no --kind
        ("users", "grant", "12", "boss"),
        ("frameworks", "import"),
        ("agencies",),
    ],
)
def test_bad_arguments_get_the_usage_and_status_2(argv: tuple[str, ...]) -> None:
    with pytest.raises(SystemExit) as stopped:
        parser().parse_args(list(argv))
    assert stopped.value.code == 2


# ------------------------------------------------------------------------------ users, assign
async def test_users_are_listed_granted_revoked_and_linked(
    settings: Settings, services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    await services.identity.person(Caller(701, "Hoa", "hoa"))
    assert (await cli(settings, capsys, "users", "grant", "701", "leader"))[0] == 0
    status, out = await cli(settings, capsys, "users", "link", "701", "Sở Nội vụ")
    assert (status, out) == (0, "✅ Hoa là đầu mối của SNV.\n")
    status, out = await cli(settings, capsys, "users", "list")
    assert "• 701 Hoa @hoa: lãnh đạo, đầu mối SNV" in out
    assert (await cli(settings, capsys, "users", "revoke", "701"))[1] == (
        "Đã cấp quyền thành viên cho Hoa.\n"
    )
    assert (await cli(settings, capsys, "users", "unlink", "701", "SNV"))[0] == 0
    assert await audit_actions(settings, "user") == [
        ("grant", "701"), ("link", "701"), ("grant", "701"), ("unlink", "701"),
    ]  # fmt: skip


async def test_an_assignment_from_the_server_is_what_the_bot_then_answers(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = await cli(settings, capsys, "assign", "8.2", "Sở", "Nội", "vụ", "--role", "lead")
    assert status == 0
    assert out == (
        "✅ Sở Nội vụ nay chủ trì chỉ số 8.2.\n"
        "Chủ trì: Sở KH&CN, Sở Nội vụ. Phối hợp: doanh nghiệp viễn thông.\n"
    )
    async with fresh(settings) as services:
        framework, _ = await services.scores.reference()
    sub = framework.sub_index("8.2")
    assert sub is not None
    assert sub.lead == ("SKHCN", "SNV")
    status, out = await cli(settings, capsys, "unassign", "8.2", "SNV", "--role", "lead")
    assert out.startswith("✅ Sở Nội vụ thôi chủ trì chỉ số 8.2.")
    assert await audit_actions(settings, "assignment") == [
        ("assign", "dti-province-2025:8.2:SNV"),
        ("unassign", "dti-province-2025:8.2:SNV"),
    ]


# ------------------------------------------------------------------------------ frameworks
async def test_an_import_is_a_dry_run_until_apply_then_adds_exactly_the_new_version(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out = await cli(settings, capsys, "frameworks", "list")
    assert "★ dti-province-2025 [dti 2025] Bộ chỉ số DTI cấp tỉnh năm 2025: 50 chỉ số" in out
    new = tmp_path / "dti-2026.yaml"
    new.write_bytes(modified_framework())
    status, out = await cli(settings, capsys, "frameworks", "import", str(new))
    assert status == 0
    assert "So với dti-province-2025:" in out
    assert "📏 Điểm tối đa (2): 8.2 50 → 40; 8.3 50 → 60" in out
    assert out.endswith(
        "Chưa thay đổi gì (chạy thử). Thêm --apply để thêm bộ chỉ số dti-province-2026.\n"
    )
    assert await framework_codes(settings) == SEEDED
    status, out = await cli(settings, capsys, "frameworks", "import", str(new), "--apply")
    assert status == 0
    assert out.endswith("✅ Đã nhập bộ chỉ số dti-province-2026 (50 chỉ số thành phần).\n")
    assert await framework_codes(settings) == [*SEEDED, "dti-province-2026"]
    status, out = await cli(settings, capsys, "frameworks", "import", str(new), "--apply")
    assert status == 2
    assert "Mã dti-province-2026 đã có; khác với bản đang lưu:\nKhông khác gì." in out
    assert "--code dti-province-2026-2" in out
    assert await audit_actions(settings, "framework") == [("import", "dti-province-2026")]


async def test_a_table_file_imports_under_another_code(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bo-chi-so.csv"
    path.write_bytes(csv_bytes(table(), ";"))
    argv = ("frameworks", "import", str(path), "--code", "dti-bang", "--apply")
    status, out = await cli(settings, capsys, *argv)
    assert status == 0, out
    assert await framework_codes(settings) == [*SEEDED, "dti-bang"]
    status, out = await cli(settings, capsys, "frameworks", "import", str(tmp_path / "none.yaml"))
    assert status == 2
    assert "No such file" in out


# ------------------------------------------------------------------------------ export
async def test_the_export_is_written_as_a_workbook_or_a_csv_and_never_over_a_file(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out = await cli(settings, capsys, "export", str(tmp_path / "dti.xlsx"))
    assert (status, out) == (0, f"Đã ghi {tmp_path / 'dti.xlsx'}: 50 chỉ số thành phần.\n")
    book = load_workbook(tmp_path / "dti.xlsx", read_only=True)
    assert [ws.title for ws in book.worksheets] == ["Tổng hợp", "Chỉ số thành phần"]
    book.close()
    status, _ = await cli(settings, capsys, "export", str(tmp_path / "dti.csv"), "--lang", "en")
    assert status == 0
    rows = list(csv.reader(io.StringIO((tmp_path / "dti.csv").read_text("utf-8-sig"))))
    assert rows[0][:2] == ["Code", "Sub-index"]
    assert len(rows) == 51
    status, out = await cli(settings, capsys, "export", str(tmp_path / "dti.csv"))
    assert status == 2
    assert "never overwrites" in out


# ------------------------------------------------------------------------------ broadcast
def with_bot(settings: Settings, api: FakeBotApi) -> Settings:
    return settings.model_copy(
        update={
            "bot_token": SecretStr(TOKEN),
            "bot_api_base_url": api.base_url,
            "bot_api_file_url": api.base_file_url,
        }
    )


async def test_a_broadcast_is_only_previewed_without_send(
    settings: Settings, services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    await services.identity.person(Caller(801, "A"))
    status, out = await cli(settings, capsys, "broadcast", "--to", "all", "Họp", "lúc", "8", "giờ")
    assert status == 0
    assert out == (
        "📢 Xem trước thông báo gửi mọi người (1 người):\n\nHọp lúc 8 giờ\n"
        "Chưa gửi (chạy thử). Thêm --send để gửi.\n"
    )
    async with services.identity._sessions() as session:
        statuses = list(await session.scalars(select(BroadcastRow.status)))
    assert statuses == ["cancelled"]
    status, out = await cli(settings, capsys, "broadcast", "--to", "all", "Họp", "--send")
    assert status == 2
    assert "BOT_TOKEN is not set" in out


async def test_a_broadcast_is_sent_through_the_bot_once_and_a_cut_run_is_finished(
    settings: Settings, services: Services, api: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    for telegram_id, agency in ((801, "SKHCN"), (802, "SKHCN"), (803, "SNV")):
        await services.identity.person(Caller(telegram_id, f"Người {telegram_id}"))
        await services.identity.link(SERVER_PERSON, telegram_id, agency, on=True)
    live = with_bot(settings, api)
    status, out = await cli(
        live, capsys, "broadcast", "--to", "Sở KH&CN", "--send", "Nộp", "báo", "cáo"
    )
    assert status == 0, out
    assert "gửi đầu mối của Sở KH&CN (2 người)" in out
    assert out.endswith(
        "📢 Thông báo #1 đã gửi: 2 người nhận, 0 đã chặn bot, 0 lỗi, 0 chưa xác nhận.\n"
    )
    for chat_id in (801, 802):
        [message] = api.sent("sendMessage", chat_id=chat_id)
        assert message["text"] == "📢 Thông báo:\n\nNộp báo cáo"
    assert api.sent("sendMessage", chat_id=803) == []
    status, out = await cli(live, capsys, "broadcast", "--resume", "1")
    assert status == 2
    assert "đã được gửi" in out
    # A run cut short: one of the two was sent before the process died.
    draft = await services.broadcasts.prepare(SERVER_PERSON, "focal", "Lần hai")
    await services.broadcasts.confirm(SERVER_PERSON, draft.id)
    key = f"broadcast:{draft.id}"
    delivery = await services.deliveries.claim(f"{key}|801", key, 801, "broadcast")
    assert delivery is not None
    await services.deliveries.finish(delivery, 801, "sent", 1)
    status, out = await cli(live, capsys, "broadcast", "--resume", str(draft.id))
    assert status == 0, out
    assert out == (
        f"📢 Thông báo #{draft.id} đã gửi: 2 người nhận, 0 đã chặn bot, 0 lỗi, 0 chưa xác nhận.\n"
    )
    assert [m["text"] for m in api.sent("sendMessage", chat_id=801)] == [
        "📢 Thông báo:\n\nNộp báo cáo"
    ]
    assert len(api.sent("sendMessage", chat_id=803)) == 1


# ------------------------------------------------------------------------------ entry point
async def test_the_entry_point_prints_an_imports_differences_and_changes_nothing_without_apply(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dti.sqlite3'}",
        "DATA_DIR": str(DATA),
    }
    new = tmp_path / "dti-2026.yaml"
    new.write_bytes(modified_framework())
    status, out = await run_bot(env, tmp_path, "frameworks", "import", str(new))
    assert status == 0, out
    assert "⚖️ Cách chấm (1): 4.2 tỷ lệ ≥ 10 → tỷ lệ ≥ 15" in out
    assert "chạy thử" in out
    status, out = await run_bot(env, tmp_path, "frameworks", "list")
    assert status == 0, out
    assert "dti-province-2026" not in out


def test_every_subcommand_has_help() -> None:
    root = parser()
    actions = [a for a in root._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(actions[0].choices) == {
        "invite", "agencies", "users", "assign", "unassign", "frameworks", "export",
        "broadcast", "backup", "check",
    }  # fmt: skip
