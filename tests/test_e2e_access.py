"""End to end: administrators' commands stay out of groups, invite codes are never posted in one,
the administrator model (ADMIN_IDS and granted roles, with revocation), commands addressed to
another bot, and buttons that no handler knows any more."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select
from telegram.ext import Application, CommandHandler

from bot.app import register
from domain.status import UserRole
from handlers.request import ACCESS, ADMIN, ANYONE, FOCAL_POINT, Access, Where, Who
from services.container import Services
from services.identity import Caller
from storage.models import InviteRow
from tests.botapi import FakeBotApi
from tests.chat import ADMIN_ID, Chat
from tests.test_e2e_updates import registered

GROUP = -100200300
MEMBER, OTHER = 4001, 4002
CODE = re.compile(r"\b[A-Z2-9]{8}\b")

# /moi is tested apart: asked for in a group, the code goes to the private chat.
ADMIN_COMMANDS = [
    "/capquyen 4001 admin",
    "/tralai 1 Thiếu minh chứng",
    "/thuhoi ABCD2345",
    "/duyet",
    "/themhan 15/12/2025 quý 4 Báo cáo bổ sung",
    "/doihan quarterly:2025-Q4 27/12/2025",
    "/huyhan quarterly:2025-Q4",
    "/nhacnho 18/12/2025",
    "/xephang 2025 15/34",
]


async def group_says(api: FakeBotApi, text: str, *, user_id: int, count: int) -> str:
    api.group_text(text, chat_id=GROUP, user_id=user_id)
    sent = await api.wait_for("sendMessage", count=count, chat_id=GROUP)
    return str(sent[count - 1]["text"])


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_an_administrators_command_in_a_group_only_says_it_works_in_private(
    api: FakeBotApi, bot: Application, services: Services, command: str
) -> None:
    await services.identity.person(Caller(MEMBER, "Thành viên"))
    reply = await group_says(api, command, user_id=ADMIN_ID, count=1)
    name = command.split()[0]
    assert f"Lệnh {name} chỉ dùng trong tin nhắn riêng" in reply
    assert "@TroLyDtiBot" in reply
    assert api.sent("sendMessage", chat_id=ADMIN_ID) == []
    member = await services.identity.person(Caller(MEMBER, "Thành viên"))
    assert member.role is UserRole.MEMBER  # /capquyen changed nothing
    due = {d.key: d.due for d in await services.deadlines.deadlines()}
    assert "custom:1" not in due  # /themhan added nothing
    assert due["quarterly:2025-Q4"] == date(2025, 12, 25)  # /doihan, /huyhan changed nothing
    assert all(r.year != 2025 for r in await services.insights.ranks())  # /xephang neither


async def test_an_invite_asked_for_in_a_group_goes_to_the_administrators_private_chat(
    api: FakeBotApi, bot: Application
) -> None:
    admin = Chat(api, ADMIN_ID)
    await admin.say("/start")  # the administrator has started the bot
    reply = await group_says(api, "/moi SKHCN 2", user_id=ADMIN_ID, count=1)
    assert "tin nhắn riêng" in reply
    assert not CODE.search(reply)
    private = await admin.next_message()
    code = CODE.search(private["text"])
    assert code, private["text"]
    assert "Dùng được 2 lần" in private["text"]
    focal = Chat(api, MEMBER, "Hoa")
    assert "đầu mối của" in (await focal.say(f"/start {code.group()}"))["text"]
    assert len(api.sent("sendMessage", chat_id=GROUP)) == 1


async def test_an_invite_asked_for_in_a_group_by_someone_who_never_started_the_bot_is_not_made(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    api.block_user(ADMIN_ID)  # Telegram answers 403: the bot may not write first
    reply = await group_says(api, "/moi SKHCN", user_id=ADMIN_ID, count=1)
    assert "Lệnh /moi chỉ dùng trong tin nhắn riêng" in reply
    assert not CODE.search(reply.replace("TroLyDtiBot", ""))
    async with services.identity._sessions() as session:
        invites = (await session.scalars(select(InviteRow))).all()
    assert all(i.revoked_at is not None for i in invites)  # a code nobody saw never works


async def test_someone_else_asking_for_an_invite_in_a_group_is_refused_without_a_code(
    api: FakeBotApi, bot: Application
) -> None:
    reply = await group_says(api, "/moi SKHCN", user_id=MEMBER, count=1)
    assert "Chỉ quản trị viên" in reply
    assert api.sent("sendMessage", chat_id=MEMBER) == []


async def test_a_granted_administrator_reviews_and_loses_the_role_when_set_back_to_member(
    api: FakeBotApi, bot: Application
) -> None:
    admin, member = Chat(api, ADMIN_ID), Chat(api, MEMBER, "Minh")
    assert "Chỉ quản trị viên" in (await member.say("/duyet"))["text"]
    assert (
        "Đã cấp quyền quản trị viên cho Minh"
        in (await admin.say(f"/capquyen {MEMBER} admin"))["text"]
    )
    assert "Không có số liệu nào chờ" in (await member.say("/duyet"))["text"]
    assert "Đã cấp quyền thành viên" in (await admin.say(f"/capquyen {MEMBER} member"))["text"]
    assert "Chỉ quản trị viên" in (await member.say("/duyet"))["text"]


async def test_an_administrator_named_in_admin_ids_is_changed_in_the_configuration_only(
    api: FakeBotApi, bot: Application, services: Services
) -> None:
    await services.identity.person(Caller(MEMBER, "Minh"))
    member = Chat(api, MEMBER, "Minh")
    await member.say("/start")
    admin = Chat(api, ADMIN_ID)
    await services.identity.grant(
        await services.identity.person(Caller(ADMIN_ID, "Quản trị")), MEMBER, UserRole.ADMIN
    )
    reply = await member.say(f"/capquyen {ADMIN_ID} member")
    assert "ADMIN_IDS" in reply["text"]
    assert (await services.identity.person(Caller(ADMIN_ID, "Quản trị"))).is_admin
    assert "ADMIN_IDS" in (await admin.say(f"/capquyen {ADMIN_ID} admin"))["text"]


async def test_commands_addressed_to_another_bot_are_ignored(
    api: FakeBotApi, bot: Application
) -> None:
    for text in ("/diem@OtherBot", "/xoasach@OtherBot", "/moi@OtherBot SKHCN", "/start@OtherBot"):
        api.group_text(text, chat_id=GROUP, user_id=ADMIN_ID)
    api.private_text("/help@OtherBot", user_id=MEMBER)
    api.group_text("/xoasach@TroLyDtiBot", chat_id=GROUP, user_id=ADMIN_ID)  # ours, unknown
    sent = await api.wait_for("sendMessage", chat_id=GROUP)
    assert "Không có lệnh /xoasach" in sent[0]["text"]
    api.group_text("/tomtat@trolydtibot", chat_id=GROUP, user_id=ADMIN_ID)  # ours, any case
    sent = await api.wait_for("sendMessage", count=2, chat_id=GROUP)
    assert "ước tính DTI ≈ 0,2692" in sent[1]["text"]
    assert len(api.sent("sendMessage", chat_id=GROUP)) == 2
    assert api.sent("sendMessage", chat_id=MEMBER) == []


@pytest.mark.parametrize(
    ("data", "user_id"),
    [
        ("no-such-button", MEMBER),
        ("upd:zap:1", MEMBER),
        ("rv:ok:abc", ADMIN_ID),
        ("rv:later:3", ADMIN_ID),
        ("diem", MEMBER),  # a suggestion prefix without its colon
    ],
)
async def test_a_button_no_handler_knows_is_answered_as_expired(
    api: FakeBotApi, bot: Application, data: str, user_id: int
) -> None:
    chat = Chat(api, user_id)
    message = await chat.say("/help")
    api.callback_query(data, message=message, user_id=user_id)
    answers = await api.wait_for("answerCallbackQuery")
    assert "hết hạn" in answers[0]["text"]
    assert answers[0]["show_alert"] is True


async def test_an_expired_preview_button_and_a_refused_review_button_are_answered(
    api: FakeBotApi, bot: Application
) -> None:
    focal = await registered(api, user_id=OTHER)
    preview = await focal.say("/capnhat 8.2 12,5")
    answer = await focal.press(preview, "✅")
    assert answer["text"] == "Đã lưu"
    queue = await Chat(api, ADMIN_ID).say("/duyet")
    refused = await focal.press(queue, "✅")  # not an administrator
    assert refused["show_alert"] is True
    assert "Chỉ quản trị viên" in refused["text"]


def test_every_administrators_command_declares_administrators_in_private_chats() -> None:
    """The registration map's commands carry the access their handler declares; the
    administrators' ones (but /nhomlanhdao, typed in the group it registers) answer in private."""
    app = Application.builder().token("1:x").build()
    register(app)
    declared = {
        command: getattr(handler.callback, ACCESS)
        for handler in app.handlers[0]
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    administrators = {"duyet", "tralai", "thuhoi", "capquyen", "themhan", "doihan", "huyhan"}
    for name in administrators | {"nhacnho"}:
        assert declared[name] == ADMIN, name
    assert declared["moi"].who is Who.ADMIN  # anywhere: in a group the code goes to private
    assert declared["nhomlanhdao"] == Access(Where.GROUP, Who.ADMIN)
    assert declared["dangkytomtat"] == Access(Where.GROUP, Who.LEADER)
    assert declared["minhchung"] == FOCAL_POINT
    # /bochiso lists for anyone; choosing a chat's framework is refused (by the service) to
    # anyone but an administrator, in any chat: a group's framework is chosen in that group.
    assert declared["bochiso"] == ANYONE
    assert all(isinstance(access, Access) for access in declared.values())
