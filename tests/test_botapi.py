"""The fake Bot API (tests/botapi.py) answers the real python-telegram-bot like Telegram does."""

from __future__ import annotations

import asyncio
import datetime as dtm
import hashlib
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.botapi import TOKEN, FakeBotApi


@pytest.fixture
async def plain_bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    """A bare telegram.Bot, no Application, talking to the local server."""
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as real_bot:
        yield real_bot


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Chọn", callback_data="pick:1")]])
    assert update.effective_message is not None
    await update.effective_message.reply_text("Xin chào!", reply_markup=keyboard)


async def _picked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("OK")
    await query.edit_message_text(f"Đã chọn {query.data}")


async def _echo_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    file = await message.document.get_file()
    content = await file.download_as_bytearray()
    await message.reply_text(f"{message.document.file_name}: {len(content)} bytes")


@pytest.fixture
async def app(api: FakeBotApi) -> AsyncIterator[Application]:
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_picked, pattern=r"^pick:"))
    application.add_handler(MessageHandler(filters.Document.ALL, _echo_document))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def test_a_bot_gets_itself_and_sends_a_message_that_the_fake_records(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    me = await plain_bot.get_me()
    assert isinstance(me, User)
    assert (me.id, me.is_bot, me.username) == (123456789, True, "TroLyDtiBot")

    message = await plain_bot.send_message(1001, "Chào bạn 👋 /help")

    assert isinstance(message, Message)
    assert (message.chat.id, message.chat.type) == (1001, "private")
    assert message.from_user == me
    assert isinstance(message.date, dtm.datetime)
    assert message.text == "Chào bạn 👋 /help"
    # entities count UTF-16 code units: the emoji is two of them
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bot_command", 12, 5)]
    assert api.sent("sendMessage") == [{"chat_id": 1001, "text": "Chào bạn 👋 /help"}]
    assert api.sent("sendmessage", chat_id=1001) == api.sent(chat_id=1001)
    assert api.sent(chat_id=42) == []
    # `async with Bot` already called getMe once (Bot.initialize)
    assert [c.method for c in api.calls] == ["getMe", "getMe", "sendMessage"]


async def test_message_ids_grow_per_chat_and_inline_keyboards_are_echoed(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    first = await plain_bot.send_message(1001, "một", reply_markup=keyboard)
    second = await plain_bot.send_message(1001, "hai", reply_to_message_id=first.message_id)
    other = await plain_bot.send_message(-100200300, "nhóm")

    assert second.message_id == first.message_id + 1
    assert other.chat.type == "supergroup"
    assert first.reply_markup == keyboard
    assert second.reply_to_message == first
    assert api.sent("sendMessage")[0]["reply_markup"] == keyboard.to_dict()
    assert [m["text"] for m in api.sent_messages(1001)] == ["một", "hai"]


async def test_html_parse_mode_yields_plain_text_with_entities_or_telegrams_parse_error(
    plain_bot: Bot,
) -> None:
    message = await plain_bot.send_message(1001, "<b>Điểm</b> &lt;5", parse_mode=ParseMode.HTML)
    assert message.text == "Điểm <5"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 4)]

    # PTB drops "Bad Request: " and str.capitalize()s the rest: match case-insensitively
    with pytest.raises(BadRequest, match='(?i)unsupported start tag "5" at byte offset 8'):
        await plain_bot.send_message(1001, "Điểm <5 và >3", parse_mode=ParseMode.HTML)


async def test_an_application_polling_the_fake_answers_start_through_a_command_handler(
    api: FakeBotApi, app: Application
) -> None:
    update = api.private_text("/start")

    replies = await api.wait_for("sendMessage", chat_id=1001)

    assert replies[0]["text"] == "Xin chào!"
    assert replies[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "pick:1"
    assert api.sent_messages(1001)[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Chọn"
    assert update["update_id"] > 0
    assert len(api.sent("getMe")) == len(api.sent("deleteWebhook")) == 1


async def test_a_button_press_on_a_sent_message_reaches_the_callback_query_handler(
    api: FakeBotApi, app: Application
) -> None:
    api.private_text("/start")
    await api.wait_for("sendMessage")
    sent = api.sent_messages(1001)[0]

    api.callback_query("pick:1", message=sent)
    await api.wait_for("editMessageText")

    assert api.sent("answerCallbackQuery")[0]["text"] == "OK"
    assert api.sent("editMessageText")[0]["text"] == "Đã chọn pick:1"
    # sent_messages() are live: the edit replaced the text and (no markup given) the keyboard
    assert (sent["text"], sent.get("reply_markup")) == ("Đã chọn pick:1", None)


async def test_callback_query_objects_parse_as_ptb_callback_queries(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    await plain_bot.send_message(1001, "chọn", reply_markup=keyboard)
    pushed = api.callback_query("a", message=api.sent_messages()[0])

    (update,) = await plain_bot.get_updates(timeout=0)

    assert isinstance(update.callback_query, CallbackQuery)
    assert update.update_id == pushed["update_id"]
    assert isinstance(update.callback_query.message, Message)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await update.callback_query.answer("x" * 201)  # Telegram shows at most 200 characters
    assert await update.callback_query.answer("x" * 200) is True
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await update.callback_query.answer()


async def test_get_updates_confirms_with_offset_and_long_polls_until_an_update_arrives(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    first = api.private_text("một")
    assert [u.update_id for u in await plain_bot.get_updates()] == [first["update_id"]]
    assert await plain_bot.get_updates(offset=first["update_id"] + 1, timeout=0) == ()

    loop = asyncio.get_running_loop()
    loop.call_later(0.2, lambda: api.group_text("@TroLyDtiBot giúp với", reply_to_bot=True))
    started = loop.time()
    (update,) = await plain_bot.get_updates(offset=first["update_id"] + 1, timeout=5)

    assert 0.15 < loop.time() - started < 1.0
    message = update.message
    assert message is not None
    assert message.chat.type == "supergroup"
    assert [e.type for e in message.entities] == ["mention"]
    assert message.reply_to_message is not None
    assert message.reply_to_message.from_user is not None
    assert message.reply_to_message.from_user.is_bot


async def test_incoming_photos_documents_and_stickers_parse_as_ptb_objects(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    api.private_photo("Ảnh /report", width=800, height=600)
    api.private_document("kế hoạch.docx", mime_type="application/msword", file_size=2048)
    api.private_sticker(user_id=2002)

    photo, document, sticker = (u.message for u in await plain_bot.get_updates())

    assert photo is not None
    assert [(p.width, p.height) for p in photo.photo] == [(90, 68), (800, 600)]
    assert [e.type for e in photo.caption_entities] == ["bot_command"]
    assert document is not None
    assert document.document is not None
    assert (document.document.file_name, document.document.file_size) == ("kế hoạch.docx", 2048)
    assert sticker is not None
    assert sticker.sticker is not None
    assert (sticker.chat.id, sticker.sticker.emoji) == (2002, "👍")
    thumb = await plain_bot.get_file(photo.photo[0].file_id)
    assert len(await thumb.download_as_bytearray()) == thumb.file_size


async def test_chats_commands_and_webhooks_behave_like_telegram(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    api.group_text("chào", chat_id=-100777, title="Tổ CĐS")
    chat = await plain_bot.get_chat(-100777)
    assert (chat.type, chat.title) == ("supergroup", "Tổ CĐS")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await plain_bot.get_chat(-100888)

    assert await plain_bot.set_my_commands([("diem", "Xem điểm DTI")], language_code="vi")
    assert [c.command for c in await plain_bot.get_my_commands(language_code="vi")] == ["diem"]
    assert await plain_bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await plain_bot.set_my_commands([("Điểm", "có dấu")])

    await plain_bot.set_webhook("https://example.invalid/hook")
    with pytest.raises(Conflict, match="(?i)webhook is active"):
        await plain_bot.get_updates()
    await plain_bot.delete_webhook()
    assert (await plain_bot.get_webhook_info()).url == ""


async def test_a_sent_document_can_be_fetched_with_get_file_and_downloaded(
    api: FakeBotApi, app: Application
) -> None:
    api.private_document("Báo cáo DTI.pdf", content=b"%PDF-1.7 test")

    (reply,) = await api.wait_for("sendMessage")

    assert reply["text"] == "Báo cáo DTI.pdf: 13 bytes"
    assert api.sent("getFile")


async def test_uploads_are_recorded_by_name_and_size_and_answered_with_media(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    document = await plain_bot.send_document(
        1001, b"a,b\n1,2\n", filename="Điểm DTI.csv", caption="x"
    )
    photo = await plain_bot.send_photo(
        1001, b"\x89PNG fake", caption="<i>ảnh</i>", parse_mode="HTML"
    )

    assert document.document is not None
    assert (document.document.file_name, document.caption) == ("Điểm DTI.csv", "x")
    assert api.sent("sendDocument")[0]["document"] == {
        "filename": "Điểm DTI.csv", "size": 8, "mime_type": "text/csv",
        "sha256": hashlib.sha256(b"a,b\n1,2\n").hexdigest(),
    }  # fmt: skip
    assert (photo.photo[-1].file_size, photo.caption) == (9, "ảnh")
    file = await plain_bot.get_file(document.document.file_id)
    assert str(file.file_path).startswith(api.base_file_url)
    assert (
        await plain_bot.send_document(1001, document.document.file_id)
    ).document == document.document


async def test_fail_next_429_raises_retry_after_with_the_given_delay(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    api.fail_next("sendMessage", status=429, retry_after=1)

    with pytest.raises(RetryAfter) as caught:
        await plain_bot.send_message(1001, "hi")

    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert api.calls[-1].status == 429
    await plain_bot.send_message(1001, "hi")  # only the next call fails
    assert len(api.sent()) == 1


async def test_server_errors_blocked_users_wrong_tokens_and_long_texts_raise_ptbs_errors(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    api.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await plain_bot.send_message(1001, "hi")

    api.block_user(2002)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await plain_bot.send_message(2002, "hi")

    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await plain_bot.send_message(1001, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await plain_bot.send_message(1001, "  ")
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await plain_bot.edit_message_text("mới", chat_id=1001, message_id=999)

    # Bot.initialize() (getMe) rewords the 401 "Unauthorized" into "...was rejected..."
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with Bot("123456789:wrong", base_url=api.base_url):
            pass
    assert (api.calls[-1].method, api.calls[-1].status) == ("getMe", 401)
    assert api.sent() == []


async def test_texts_are_refused_above_4096_characters_sent_or_edited(plain_bot: Bot) -> None:
    message = await plain_bot.send_message(1001, "x" * 4096)
    assert message.text == "x" * 4096
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await message.edit_text("y" * 4097)
    assert (await message.edit_text("y" * 4096)).text == "y" * 4096


async def test_editing_with_identical_content_is_rejected_as_not_modified(plain_bot: Bot) -> None:
    message = await plain_bot.send_message(1001, "cũ")
    edited = await message.edit_text("mới")
    assert isinstance(edited, Message)
    assert (edited.text, edited.edit_date is not None) == ("mới", True)

    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await message.edit_text("mới")


async def test_delay_next_holds_the_answer_for_at_least_that_long(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    api.delay_next("sendMessage", 0.3)
    loop = asyncio.get_running_loop()

    started = loop.time()
    await plain_bot.send_message(1001, "chậm")
    slow = loop.time() - started
    started = loop.time()
    await plain_bot.send_message(1001, "nhanh")

    assert slow >= 0.3
    assert loop.time() - started < 0.3


async def test_rate_limit_per_second_throttles_sends_beyond_the_rate(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    api.rate_limit_per_second = 3
    results = await asyncio.gather(
        *(plain_bot.send_message(1001, f"tin {i}") for i in range(5)), return_exceptions=True
    )

    assert sum(isinstance(r, Message) for r in results) == 3
    assert sum(isinstance(r, RetryAfter) for r in results) == 2
    assert api.throttled == 2
    assert len(api.sent()) == 3


async def test_wait_for_times_out_with_an_assertion_listing_what_was_called(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    await plain_bot.send_chat_action(1001, "typing")

    with pytest.raises(AssertionError, match=r"sendChatAction\[200\]\(chat_id=1001"):
        await api.wait_for("sendMessage", timeout=0.1)


async def test_unknown_methods_get_telegrams_404_envelope(api: FakeBotApi, plain_bot: Bot) -> None:
    # PTB maps 404 to InvalidToken, and re-raises it as EndPointNotFound in do_api_request
    with pytest.raises(EndPointNotFound, match="noSuchMethod"):
        await plain_bot.do_api_request("noSuchMethod")
    assert api.calls[-1].status == 404


async def test_forum_topics_carry_their_thread_and_sends_land_in_the_topic_asked_for(
    api: FakeBotApi, plain_bot: Bot
) -> None:
    group = -100200300
    thread = api.create_topic("Báo cáo quý", chat_id=group)
    incoming = Message.de_json(api.group_text("xin chào", thread_id=thread)["message"], plain_bot)
    assert incoming.chat.is_forum
    assert (incoming.is_topic_message, incoming.message_thread_id) == (True, thread)
    opening = incoming.reply_to_message  # like Telegram: the topic's first message
    assert opening is not None
    assert opening.forum_topic_created is not None
    assert opening.forum_topic_created.name == "Báo cáo quý"

    asked = await plain_bot.send_message(group, "trong chủ đề", message_thread_id=thread)
    assert (asked.is_topic_message, asked.message_thread_id) == (True, thread)
    replied = await incoming.reply_text("trả lời")  # PTB names the topic itself
    assert replied.message_thread_id == thread
    inherited = await plain_bot.send_message(
        group, "trả lời không nêu chủ đề", reply_to_message_id=incoming.message_id
    )
    assert inherited.message_thread_id == thread  # a reply goes where its message is
    general = await plain_bot.send_message(group, "chủ đề chung")
    assert (general.message_thread_id, general.is_topic_message) == (None, None)
    assert Message.de_json(api.group_text("chung")["message"], plain_bot).chat.is_forum

    with pytest.raises(BadRequest, match="[Mm]essage thread not found"):
        await plain_bot.send_message(group, "chủ đề không có", message_thread_id=thread + 99)
    with pytest.raises(BadRequest, match="[Mm]essage thread not found"):
        await plain_bot.send_message(1001, "chat riêng không có chủ đề", message_thread_id=thread)

    api.callback_query("pick:1", message=api.sent_messages(group)[0])
    update = Update.de_json(api._updates[-1], plain_bot)
    assert update.callback_query is not None
    under = update.callback_query.message
    assert isinstance(under, Message)
    assert (under.is_topic_message, under.message_thread_id) == (True, thread)
