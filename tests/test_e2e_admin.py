"""End to end, administrators in chat: agencies (/coquan), assignments (/phancong, /bophancong),
a framework file with the caption "nhập bộ chỉ số" (the differences, then Apply / Cancel), and
announcements (/thongbao, previewed, sent once). Everyone else is refused; groups are told to use
a private chat; bad arguments get the usage line; every change is in the audit log."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.admin_cli import SERVER
from bot.app import build_application, publish_commands, register
from bot.settings import Settings
from handlers.broadcast import BroadcastReport, send_broadcast
from handlers.request import ACCESS, ADMIN
from services.container import Services
from services.identity import Caller
from storage.models import AuditRow, DeliveryRow, FrameworkRow
from tests import botapi_factories as f
from tests.botapi import TOKEN, FakeBotApi
from tests.chat import ADMIN_ID, Chat
from tests.test_admin_services import FRAMEWORK_FILE, modified_framework
from tests.test_e2e_updates import registered
from tests.test_framework_files import csv_bytes, table

GROUP = -100200300
MEMBER, FOCAL, OTHER, LEADER = 5001, 5002, 5003, 5004
NOT_ADMIN = "Chỉ quản trị viên"


async def audited(services: Services, entity: str) -> list[tuple[str, str, str]]:
    async with services.identity._sessions() as session:
        rows = await session.scalars(
            select(AuditRow).where(AuditRow.entity == entity).order_by(AuditRow.id)
        )
        return [(r.action, r.entity_key, r.actor) for r in rows if r.actor != "system:seed"]


SEEDED = ["dti-ninh-thuan-2022", "dti-province-2025", "ninh-thuan-2314"]


async def frameworks(services: Services) -> list[str]:
    """The frameworks held, those seeded from data/frameworks first."""
    async with services.identity._sessions() as session:
        return list(await session.scalars(select(FrameworkRow.code).order_by(FrameworkRow.id)))


def admin(api: FakeBotApi) -> Chat:
    return Chat(api, ADMIN_ID, "Quản trị")


# ------------------------------------------------------------------------------ agencies
async def test_an_administrator_lists_adds_renames_and_names_agencies(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    chat = admin(api)
    listing = (await chat.say("/coquan"))["text"]
    assert "🏢 22 cơ quan, 4 nhóm:" in listing
    assert "• SKHCN: Sở Khoa học và Công nghệ [department] — còn gọi: Sở KH&CN" in listing
    assert "• Nhóm DNVT: Các doanh nghiệp viễn thông → VNPT, VIETTEL, FPT" in listing
    stttt = next(line for line in listing.splitlines() if line.startswith("• STTTT:"))
    assert stttt.endswith("(đến 28/02/2025, nay là SKHCN)")
    added = await chat.say("/coquan them xcamranh commune Phường Cam Ranh")
    assert added["text"] == (
        "✅ Đã thêm cơ quan XCAMRANH: Phường Cam Ranh [commune]. Mời đầu mối: /moi XCAMRANH"
    )
    renamed = await chat.say("/coquan doiten XCAMRANH Phường Cam Ranh, Khánh Hòa")
    assert '"Phường Cam Ranh" đổi thành "Phường Cam Ranh, Khánh Hòa"' in renamed["text"]
    assert "có thêm tên gọi" in (await chat.say("/agencies alias XCAMRANH CR"))["text"]
    assert "Đã bỏ tên gọi" in (await chat.say("/coquan xoabidanh XCAMRANH CR"))["text"]
    # The old name still finds it, and an invite for the new agency works.
    assert (await services.agencies.agency("Phường Cam Ranh")).code == "XCAMRANH"
    invite = await chat.say("/moi XCAMRANH")
    assert "Phường Cam Ranh, Khánh Hòa" in invite["text"]
    assert "XCAMRANH" in (await chat.say("/coquan"))["text"]
    assert await audited(services, "agency") == [
        ("create", "XCAMRANH", f"user:{ADMIN_ID}"),
        ("rename", "XCAMRANH", f"user:{ADMIN_ID}"),
        ("alias", "XCAMRANH", f"user:{ADMIN_ID}"),
        ("unalias", "XCAMRANH", f"user:{ADMIN_ID}"),
    ]


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/coquan them XCR commune", "• /coquan them MÃ loại Tên đầy đủ"),
        ("/coquan sua SNV Tên", "• /coquan them MÃ loại Tên đầy đủ"),
        ("/coquan doiten SNV", "• /coquan doiten MÃ Tên mới"),
        ("/coquan them X commune Phường X", 'Mã "X" không dùng được'),
        (
            "/coquan them XCR province Phường X",
            "Dùng một trong: department, telecom, district, central, commune",
        ),
        ("/coquan doiten SNX Sở X", 'Không có cơ quan hay nhóm "SNX"'),
        ("/coquan bidanh SNV Sở KH&CN", '"Sở KH&CN" đã là tên hoặc mã của SKHCN'),
        ("/phancong", "Gõ: /phancong MÃ_CHỈ_SỐ MÃ_CƠ_QUAN chutri|phoihop"),
        ("/phancong 8.2 SNV", "Gõ: /phancong MÃ_CHỈ_SỐ MÃ_CƠ_QUAN chutri|phoihop"),
        ("/phancong 8.2 SNV sep", "Gõ: /phancong MÃ_CHỈ_SỐ MÃ_CƠ_QUAN chutri|phoihop"),
        ("/phancong 8.9 SNV chutri", "Không có chỉ số 8.9 trong bộ chỉ số dti-province-2025"),
        ("/phancong 8.2 SKHCN chutri", "Sở KH&CN đã chủ trì chỉ số 8.2 rồi"),
        ("/bophancong 8.2", "Gõ: /bophancong MÃ_CHỈ_SỐ MÃ_CƠ_QUAN [chutri|phoihop]"),
        ("/bophancong 8.2 SNV", "Sở Nội vụ không chủ trì hay phối hợp chỉ số 8.2"),
        ("/thongbao", "Gõ: /thongbao ĐÍCH nội dung"),
        ("/thongbao daumoi", "Gõ: /thongbao ĐÍCH nội dung"),
        ("/thongbao ai_do Xin chào", "Gõ: /thongbao ĐÍCH nội dung"),
        ("/thongbao daumoi Họp", "Không có ai nhận"),
    ],
)
async def test_bad_arguments_get_the_usage_or_what_to_type_and_change_nothing(
    api: FakeBotApi, bot: Application, services: Services, command: str, answer: str
) -> None:
    before = await services.agencies.directory()
    framework, _ = await services.scores.reference()
    reply = await admin(api).say(command)
    assert answer in reply["text"], reply["text"]
    assert await services.agencies.directory() == before
    assert (await services.scores.reference())[0] == framework
    assert await audited(services, "broadcast") == []


ADMIN_COMMANDS = [
    "/coquan",
    "/coquan them XCR commune Phường X",
    "/agencies rename SNV Sở Mới",
    "/phancong 8.2 SNV phoihop",
    "/bophancong 8.2 DNVT",
    "/thongbao tatca Xin chào",
    "/broadcast all Hello",
]


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_someone_who_is_not_an_administrator_is_refused(
    api: FakeBotApi, bot: Application, services: Services, command: str
) -> None:
    before = await services.agencies.directory()
    reply = await Chat(api, MEMBER, "Minh").say(command)
    assert NOT_ADMIN in reply["text"]
    assert await services.agencies.directory() == before


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_in_a_group_an_administrators_command_only_says_it_works_in_private(
    api: FakeBotApi, bot: Application, services: Services, command: str
) -> None:
    before = await services.agencies.directory()
    api.group_text(command, chat_id=GROUP, user_id=ADMIN_ID)
    sent = await api.wait_for("sendMessage", chat_id=GROUP)
    name = command.split()[0]
    assert f"Lệnh {name} chỉ dùng trong tin nhắn riêng" in sent[0]["text"]
    assert await services.agencies.directory() == before
    assert await audited(services, "broadcast") == []


# ------------------------------------------------------------------------------ assignments
async def test_an_assignment_gives_an_agency_the_right_to_update_and_taking_it_off_removes_it(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    focal = await registered(api, agency="SNV", user_id=FOCAL, name="Hoa")
    assert "không thuộc cơ quan của bạn" in (await focal.say("/capnhat 8.2 12,5"))["text"]
    done = await admin(api).say("/phancong 8.2 Sở Nội vụ phoihop")
    assert done["text"] == (
        "✅ Sở Nội vụ nay phối hợp chỉ số 8.2.\n"
        "Chủ trì: Sở KH&CN. Phối hợp: doanh nghiệp viễn thông, Sở Nội vụ."
    )
    assert (await focal.say("/capnhat 8.2 12,5"))["text"].startswith("📝")
    off = await admin(api).say("/unassign 8.2 SNV")
    assert off["text"].startswith("✅ Sở Nội vụ thôi phối hợp chỉ số 8.2.")
    assert "không thuộc cơ quan của bạn" in (await focal.say("/capnhat 8.2 12,5"))["text"]
    assert await audited(services, "assignment") == [
        ("assign", "dti-province-2025:8.2:SNV", f"user:{ADMIN_ID}"),
        ("unassign", "dti-province-2025:8.2:SNV", f"user:{ADMIN_ID}"),
    ]


# ------------------------------------------------------------------------------ imports
async def send_file(
    api: FakeBotApi, chat: Chat, name: str, content: bytes, caption: str = "nhập bộ chỉ số"
) -> dict[str, Any]:
    api.private_document(
        name, caption=caption, mime_type="text/plain", content=content, user_id=chat.user_id
    )
    return await chat.next_message()


async def test_a_framework_file_is_answered_with_its_differences_and_applied_only_on_apply(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    chat = admin(api)
    diff = await send_file(api, chat, "dti-2026.yaml", modified_framework())
    text = diff["text"]
    assert text.startswith(
        "📥 Tệp dti-2026.yaml: bộ chỉ số dti-province-2026, Bộ chỉ số DTI cấp tỉnh năm 2025"
        " (50 chỉ số thành phần).\nSo với dti-province-2025:\n"
    )
    assert "📏 Điểm tối đa (2): 8.2 50 → 40; 8.3 50 → 60" in text
    assert "⚖️ Cách chấm (1): 4.2 tỷ lệ ≥ 10 → tỷ lệ ≥ 15" in text
    assert "🏢 Cơ quan (1): 8.2 chủ trì +SNV" in text
    assert "✏️ Trường khác (1): bộ chỉ số year" in text
    assert "Sau khi nhập, bot trả lời theo bộ chỉ số này." in text
    assert "Chưa thay đổi gì. Bấm Áp dụng" in text
    assert await frameworks(services) == SEEDED
    stale = copy.deepcopy(diff)
    answer = await chat.press(diff, "✅ Áp dụng")
    assert answer["text"] == "Đã nhập"
    applied = chat.current(diff)["text"]
    assert applied == "✅ Đã nhập bộ chỉ số dti-province-2026 (50 chỉ số thành phần)."
    assert await frameworks(services) == [*SEEDED, "dti-province-2026"]
    # Answered from the new version (which has no values yet: they belong to the old one).
    assert "tối đa 40 điểm" in (await chat.say("/diem 8.2"))["text"]
    again = await chat.press(stale, "✅ Áp dụng")
    assert again["show_alert"]
    assert "đã được nhập rồi" in again["text"]
    imports = [a for a in await audited(services, "framework") if a[0] == "import"]
    assert imports == [("import", "dti-province-2026", f"user:{ADMIN_ID}")]


async def test_cancel_imports_nothing(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    chat = admin(api)
    diff = await send_file(api, chat, "dti-2026.yaml", modified_framework())
    await chat.press(diff, "✖️")
    assert chat.current(diff)["text"] == "Đã hủy, không nhập gì."
    assert await frameworks(services) == SEEDED
    assert [a[0] for a in await audited(services, "framework_import")] == ["cancel"]


async def test_a_table_imports_under_the_code_typed_after_the_caption(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    framework, _ = await services.scores.reference()
    content = csv_bytes(table(), ";")
    chat = admin(api)
    diff = await send_file(api, chat, "bo-chi-so.csv", content, "Nhập bộ chỉ số dti-2025-bang")
    assert "bộ chỉ số dti-2025-bang" in diff["text"]
    assert "So với dti-province-2025:\nKhông khác gì." in diff["text"]
    await chat.press(diff, "✅")
    assert await frameworks(services) == [*SEEDED, "dti-2025-bang"]


async def test_a_file_with_a_code_held_already_shows_the_differences_without_an_apply_button(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    reply = await send_file(api, admin(api), "sua.yaml", modified_framework("dti-province-2025"))
    assert "Mã dti-province-2025 đã có; khác với bản đang lưu:" in reply["text"]
    assert "📏 Điểm tối đa (2)" in reply["text"]
    assert 'chú thích "nhập bộ chỉ số dti-province-2025-2"' in reply["text"]
    assert "reply_markup" not in reply
    same = await send_file(api, admin(api), "same.yaml", FRAMEWORK_FILE.read_bytes())
    assert "Không khác gì." in same["text"]
    assert await frameworks(services) == SEEDED


async def test_a_broken_framework_file_is_refused_with_the_line_to_fix(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    broken = FRAMEWORK_FILE.read_text("utf-8").replace("lead: [SNV]", "lead: [SXX]", 1)
    reply = await send_file(api, admin(api), "x.yaml", broken.encode())
    assert "Tệp chưa dùng được: x.yaml, dòng" in reply["text"]
    assert "không có cơ quan hay nhóm 'SXX'" in reply["text"]
    reply = await send_file(api, admin(api), "x.docx", b"PK")
    assert "chỉ nhận tệp .yaml, .csv hoặc .xlsx" in reply["text"]
    assert await frameworks(services) == SEEDED


async def test_a_framework_file_from_someone_else_is_refused_and_not_taken_as_evidence(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    focal = await registered(api, user_id=FOCAL)
    reply = await send_file(api, focal, "dti-2026.yaml", modified_framework())
    assert NOT_ADMIN in reply["text"]
    assert await services.evidence.files("8.2") == []
    # In a group the administrator is told to send it in private; nothing is imported.
    file_id = api._new_file("documents", ".yaml", 10, file_name="dti.yaml", content=b"code: x")
    sender = f.user(ADMIN_ID, "Quản trị")
    api._incoming(
        f.supergroup_chat(GROUP, "BCĐ"),
        sender,
        document=api._document(file_id),
        **f.text_fields("nhập bộ chỉ số", "caption", "caption_entities"),
    )
    sent = await api.wait_for("sendMessage", chat_id=GROUP)
    assert "chỉ làm trong tin nhắn riêng" in sent[0]["text"]
    assert await frameworks(services) == SEEDED


# ------------------------------------------------------------------------------ broadcasts
async def test_an_announcement_is_previewed_confirmed_and_reaches_each_focal_point_once(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    one = await registered(api, agency="SKHCN", user_id=FOCAL, name="Hoa")
    two = await registered(api, agency="SNV", user_id=OTHER, name="Minh")
    chat = admin(api)
    preview = await chat.say("/thongbao daumoi Hạn báo cáo quý 4 là 25/12.\nXin cảm ơn.")
    assert preview["text"] == (
        "📢 Xem trước thông báo gửi đầu mối các cơ quan (2 người):\n\n"
        "Hạn báo cáo quý 4 là 25/12.\nXin cảm ơn."
    )
    assert api.sent("sendMessage", chat_id=FOCAL)[-1]["text"] != preview["text"]
    stale = copy.deepcopy(preview)
    answer = await chat.press(preview, "📤 Gửi")
    assert answer["text"] == "Đang gửi"
    report = await chat.next_message()
    assert (
        report["text"]
        == "📢 Thông báo #1 đã gửi: 2 người nhận, 0 đã chặn bot, 0 lỗi, 0 chưa xác nhận."
    )
    for person in (one, two):
        got = await person.next_message()
        assert got["text"] == "📢 Thông báo:\n\nHạn báo cáo quý 4 là 25/12.\nXin cảm ơn."
    again = await chat.press(stale, "📤 Gửi")
    assert again["show_alert"]
    assert "đã được gửi" in again["text"]
    async with services.identity._sessions() as session:
        deliveries = await session.scalar(
            select(func.count()).where(DeliveryRow.run_key == "broadcast:1")
        )
    assert deliveries == 2
    assert [a[0] for a in await audited(services, "broadcast")] == ["create", "confirm", "sent"]


async def test_an_announcement_to_an_agency_by_its_name_and_a_cancelled_one(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    await registered(api, agency="SKHCN", user_id=FOCAL, name="Hoa")
    await registered(api, agency="SNV", user_id=OTHER, name="Minh")
    api.block_user(OTHER)
    chat = admin(api)
    preview = await chat.say("/broadcast Sở Nội vụ Nộp báo cáo")
    assert "gửi đầu mối của Sở Nội vụ (1 người)" in preview["text"]
    await chat.press(preview, "📤")
    report = await chat.next_message()
    assert "0 người nhận, 1 đã chặn bot" in report["text"]
    cancelled = await chat.say("/thongbao tatca Không gửi")
    await chat.press(cancelled, "✖️")
    assert chat.current(cancelled)["text"] == "Đã hủy, không gửi gì."
    assert not any("Không gửi" in m["text"] for m in api.sent("sendMessage", chat_id=FOCAL))


async def test_the_administrators_menu_lists_the_new_commands(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    await publish_commands(bot, services)
    menus = [c["command"] for key, cs in api.commands.items() if '"chat"' in key for c in cs]
    for name in ("coquan", "phancong", "bophancong", "thongbao"):
        assert name in menus
    everyone = [
        c["command"] for key, cs in api.commands.items() if "all_private" in key for c in cs
    ]
    assert "thongbao" not in everyone


def test_every_new_administrators_command_and_button_declares_administrators_in_private() -> None:
    app = Application.builder().token("1:x").build()
    register(app)
    handlers = app.handlers[0]
    declared = {
        command: getattr(h.callback, ACCESS)
        for h in handlers
        if isinstance(h, CommandHandler)
        for command in h.commands
    }
    for name in ("coquan", "agencies", "phancong", "assign", "bophancong", "unassign"):
        assert declared[name] == ADMIN, name
    assert declared["thongbao"] == declared["broadcast"] == ADMIN
    others = [h for h in handlers if isinstance(h, CallbackQueryHandler | MessageHandler)]
    names = {h.callback.__name__: getattr(h.callback, ACCESS, None) for h in others}
    for name in ("import_button", "broadcast_button", "framework_file"):
        assert names[name] == ADMIN, name


async def test_a_broadcast_cut_short_by_a_long_429_is_given_back_and_finished_once_on_resume(
    api: FakeBotApi, services: Services, settings: Settings
) -> None:
    """Telegram asks the bot to wait an hour: the run stops and gives back what it did not
    send; a later run (another process) sends it, and nobody gets two copies."""
    for telegram_id in (FOCAL, OTHER):
        await services.identity.person(Caller(telegram_id, "Đầu mối"))
        await services.identity.link(SERVER, telegram_id, "SKHCN", on=True)
    draft = await services.broadcasts.prepare(SERVER, "focal", "Họp lúc 8 giờ")
    await services.broadcasts.confirm(SERVER, draft.id)
    local = settings.model_copy(
        update={"bot_api_base_url": api.base_url, "bot_api_file_url": api.base_file_url}
    )

    async def run() -> BroadcastReport:
        app = build_application(local, services, token=TOKEN)  # a new process, a new path
        async with app.bot:
            return await send_broadcast(app.bot, services, draft.id, "server")

    api.fail_next("sendMessage", status=429, retry_after=3600)
    stopped = await run()
    assert (stopped.stopped, stopped.sent) == (True, 0)
    assert (await services.broadcasts.get(draft.id)).status == "sending"
    finished = await run()
    assert (finished.stopped, finished.sent, finished.skipped) == (False, 2, 0)
    assert (await services.broadcasts.get(draft.id)).status == "sent"
    for chat_id in (FOCAL, OTHER):
        assert [m["text"] for m in api.sent("sendMessage", chat_id=chat_id)] == [
            "📢 Thông báo:\n\nHọp lúc 8 giờ"
        ]
    again = await run()
    assert (again.sent, again.skipped) == (0, 2)
