"""A local fake of Telegram's Bot API server, for end-to-end tests of the real PTB Application.

    async with FakeBotApi() as api:
        app = (Application.builder().token(TOKEN)
               .base_url(api.base_url).base_file_url(api.base_file_url).build())
        api.private_text("/start")
        await api.wait_for("sendMessage", chat_id=1001)

It answers with the real envelope and HTTP status codes (``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": ...}``) so PTB raises the same exceptions it
raises in production. Object shapes and error wordings follow https://core.telegram.org/bots/api.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web

try:
    from . import botapi_factories as f
except ImportError:  # imported as a top-level module (tests/ on sys.path, no package)
    import botapi_factories as f  # type: ignore[no-redef]

JSON = dict[str, Any]
TOKEN = "123456789:TEST-token-for-the-local-bot-api"
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
_TRUE_METHODS = (
    "logOut", "close", "setChatMenuButton", "setMyDescription", "setMyShortDescription",
    "setMyName", "setMyDefaultAdministratorRights", "pinChatMessage", "unpinChatMessage",
    "unpinAllChatMessages", "leaveChat", "setMessageReaction",
)
_CHAT_ACTIONS = frozenset(
    ["typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"]
)
# form fields that are strings in the Bot API even when they look like numbers or JSON
_STRING_FIELDS = frozenset(
    ["text", "caption", "data", "parse_mode", "callback_query_id", "file_id", "url", "title", "description", "name", "query", "short_description", "emoji", "action", "language_code", "inline_message_id", "photo", "document", "sticker", "secret_token", "message_effect_id", "business_connection_id", "custom_emoji_id"]
)
_INT_RE = re.compile(r"-?[0-9]{1,19}")
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_log = logging.getLogger(__name__)


@dataclass
class Call:
    """One request the bot made. ``status`` is the HTTP status answered (0 while in flight)."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 0

    @property
    def ok(self) -> bool:
        return self.status == HTTPStatus.OK


class ApiError(Exception):
    """An error answer; ``status`` is both the HTTP status and ``error_code``, like Telegram."""

    def __init__(self, status: int, description: str | None = None, retry_after: Any = None):
        if description is None:
            description = {
                400: "Bad Request",
                403: "Forbidden: bot was blocked by the user",
                429: "Too Many Requests" + (f": retry after {retry_after}" if retry_after else ""),
            }.get(status) or _phrase(status)
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def payload(self) -> JSON:
        body = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _decode(key: str, value: str) -> Any:
    """Form fields arrive as strings; PTB JSON-encodes every non-string value."""
    if key in _STRING_FIELDS:
        return value
    if value[:1] in ("[", "{"):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    if _INT_RE.fullmatch(value):
        return int(value)
    return {"true": True, "false": False}.get(value, value)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and _INT_RE.fullmatch(value)):
        return int(value)
    return None


class FakeBotApi:
    """The fake server. All state is public-ish for tests; see the module docstring."""

    long_poll_cap: float = 1.0  # getUpdates never holds a request longer than this

    def __init__(self, token: str = TOKEN, bot_username: str = "TroLyDtiBot") -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": int(token.split(":")[0]), "is_bot": True, "first_name": "Trợ lý DTI",
            "username": bot_username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False,
        }
        self.base_url = self.base_file_url = ""
        self.calls: list[Call] = []
        self.throttled = 0
        self.rate_limit_per_second: float | None = None
        self.blocked: set[int] = set()
        self.files: dict[str, JSON] = {}  # file_id -> File fields (+ file_name, mime_type)
        self.chats: dict[int, JSON] = {}  # chats seen in incoming updates
        self.messages: dict[tuple[int, int], JSON] = {}  # live copies, edits update them
        self.webhook_url = ""
        self.commands: dict[str, list[JSON]] = {}
        self.internal_errors: list[BaseException] = []  # bugs in this fake, not in the bot
        self._sent: list[JSON] = []
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(100_000_001)
        self._ids = itertools.count(1)  # callback query ids, file ids
        self._message_ids: dict[int, int] = {}
        self._open_queries: set[str] = set()
        self._faults: dict[str, deque[ApiError]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._send_window: deque[float] = deque()
        self._poll_generation = 0
        self._wakeup = asyncio.Event()  # replaced after every set(): new update or new poll
        self._changed = asyncio.Event()  # replaced after every set(): a call finished
        self._closed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        handlers: dict[str, Callable[[JSON], Awaitable[Any]]] = {
            "getMe": self._get_me, "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info, "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands, "deleteMyCommands": self._delete_my_commands,
            "getChatMenuButton": self._get_chat_menu_button, "sendMessage": self._send_message,
            "sendPhoto": self._send_photo, "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action, "editMessageText": self._edit_text,
            "editMessageReplyMarkup": self._edit_markup, "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback, "getFile": self._get_file,
            "getChat": self._get_chat,
        }
        handlers.update(dict.fromkeys(_TRUE_METHODS, self._true))
        self._handlers = {name.lower(): (name, fn) for name, fn in handlers.items()}

    # ---------------------------------------------------------------- server lifecycle
    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._closed = asyncio.Event()
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.base_file_url = f"http://127.0.0.1:{port}/file/bot"

    async def stop(self) -> None:
        self._closed.set()
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- what the bot did
    def canonical(self, method: str) -> str:
        return self._handlers.get(method.lower(), (method, None))[0]

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[JSON]:
        name = self.canonical(method)
        return [
            c.params
            for c in self.calls
            if c.method == name
            and c.ok
            and (chat_id is None or _as_int(c.params.get("chat_id")) == int(chat_id))
        ]

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """Messages returned for sendMessage/Photo/Document (live: edits show up here)."""
        return [m for m in self._sent if chat_id is None or m["chat"]["id"] == int(chat_id)]

    async def wait_for(
        self,
        method: str = "sendMessage",
        *,
        count: int = 1,
        chat_id: int | None = None,
        timeout: float = 5.0,
    ) -> list[JSON]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found := self.sent(method, chat_id)) < count:
            if (remaining := deadline - loop.time()) <= 0:
                where = "" if chat_id is None else f" to chat {chat_id}"
                raise AssertionError(
                    f"expected {count} successful {method} call(s){where} within {timeout}s,"
                    f" got {len(found)}. Calls made: {self.describe_calls() or 'none'}"
                )
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
        return found

    def describe_calls(self) -> str:
        def brief(c: Call) -> str:
            keys = [k for k in ("chat_id", "text", "data", "callback_query_id") if k in c.params]
            shown = ", ".join(f"{k}={str(c.params[k])[:40]!r}" for k in keys)
            return f"{c.method}[{c.status}]({shown})"

        return "; ".join(brief(c) for c in self.calls if c.method != "getUpdates")

    def clear(self) -> None:
        self.calls.clear()
        self._sent.clear()

    # ---------------------------------------------------------------- fault injection
    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        error = ApiError(status, description, retry_after if status == 429 else None)
        self._faults.setdefault(method.lower(), deque()).extend([error] * times)

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        self._delays.setdefault(method.lower(), deque()).extend([seconds] * times)

    def block_user(self, chat_id: int) -> None:
        self.blocked.add(int(chat_id))

    # ---------------------------------------------------------------- incoming updates
    def push_update(self, update: JSON) -> JSON:
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._wake()
        return update

    def private_text(
        self, text: str, *, user_id: int = 1001, first_name: str = "Lan",
        language_code: str = "vi", username: str | None = None,
    ) -> JSON:
        sender = f.user(user_id, first_name, language_code, username)
        return self._incoming(f.private_chat(sender), sender, **self._text_fields(text))

    def group_text(
        self, text: str, *, chat_id: int = -100200300, title: str = "BCĐ CĐS",
        user_id: int = 1001, first_name: str = "Lan", language_code: str = "vi",
        reply_to_bot: bool = False, username: str | None = None,
    ) -> JSON:
        chat = f.supergroup_chat(chat_id, title)
        content = self._text_fields(text)
        if reply_to_bot:
            mine = [m for m in self.messages.values() if m["chat"]["id"] == chat_id
                    and m["from"]["id"] == self.bot_user["id"]]
            target = mine[-1] if mine else self._store(chat, self.bot_user, text="…")
            content["reply_to_message"] = {k: v for k, v in target.items()
                                           if k != "reply_to_message"}
        sender = f.user(user_id, first_name, language_code, username)
        return self._incoming(chat, sender, **content)

    def private_photo(
        self, caption: str | None = None, *, user_id: int = 1001, first_name: str = "Lan",
        language_code: str = "vi", username: str | None = None, width: int = 1280,
        height: int = 960, file_size: int = 50_000,
    ) -> JSON:
        file_id = self._register_file("photos", ".jpg", file_size)
        content: JSON = {"photo": f.photo_sizes(file_id, width, height, file_size)}
        self._register_file("photos", ".jpg", content["photo"][0]["file_size"],
                            file_id=content["photo"][0]["file_id"])
        sender = f.user(user_id, first_name, language_code, username)
        return self._incoming(f.private_chat(sender), sender, **content, **self._caption(caption))

    def private_document(
        self, file_name: str, *, caption: str | None = None,
        mime_type: str = "application/pdf", file_size: int = 1000, user_id: int = 1001,
        first_name: str = "Lan", language_code: str = "vi", username: str | None = None,
        content: bytes | None = None,
    ) -> JSON:
        """``content`` (else ``file_size`` zero bytes) is what downloading the file returns."""
        size = len(content) if content is not None else file_size
        file_id = self._register_file("documents", "." + file_name.rsplit(".", 1)[-1], size,
                                      file_name=file_name, mime_type=mime_type, content=content)
        document = {k: self.files[file_id][k] for k in
                    ("file_id", "file_unique_id", "file_name", "mime_type", "file_size")}
        sender = f.user(user_id, first_name, language_code, username)
        return self._incoming(f.private_chat(sender), sender, document=document,
                              **self._caption(caption))

    def private_sticker(
        self, *, user_id: int = 1001, first_name: str = "Lan", language_code: str = "vi",
        emoji: str = "👍",
    ) -> JSON:
        file_id = self._register_file("stickers", ".webp", 20_000)
        sticker = {"file_id": file_id, "file_unique_id": self.files[file_id]["file_unique_id"],
                   "type": "regular", "width": 512, "height": 512, "is_animated": False,
                   "is_video": False, "emoji": emoji, "set_name": "TestPack", "file_size": 20_000}
        sender = f.user(user_id, first_name, language_code)
        return self._incoming(f.private_chat(sender), sender, sticker=sticker)

    def callback_query(
        self, data: str, *, message: JSON, user_id: int = 1001, first_name: str = "Lan",
        language_code: str = "vi", username: str | None = None,
    ) -> JSON:
        """A user presses a button with ``data`` on ``message`` (its current, edited version)."""
        chat_id = message["chat"]["id"]
        current = self.messages.get((chat_id, message["message_id"]), message)
        query_id = str(next(self._ids) + 4_200_000_000_000_000)
        self._open_queries.add(query_id)
        query = {"id": query_id, "from": f.user(user_id, first_name, language_code, username),
                 "message": copy.deepcopy(current), "chat_instance": str(abs(chat_id) * 7 + 13),
                 "data": data}
        return self.push_update({"callback_query": query})

    # ---------------------------------------------------------------- internals
    def _wake(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _text_fields(self, text: str) -> JSON:
        entities = f.auto_entities(text)
        return {"text": text, "entities": entities} if entities else {"text": text}

    def _caption(self, caption: str | None) -> JSON:
        if caption is None:
            return {}
        entities = f.auto_entities(caption)
        return {"caption": caption, "caption_entities": entities} if entities else {"caption": caption}

    def _store(self, chat: JSON, sender: JSON, **content: Any) -> JSON:
        chat_id = chat["id"]
        self._message_ids[chat_id] = message_id = self._message_ids.get(chat_id, 0) + 1
        message = {"message_id": message_id, "from": sender, "chat": chat, "date": f.now()}
        message.update(content)
        self.messages[(chat_id, message_id)] = message
        return message

    def _incoming(self, chat: JSON, sender: JSON, **content: Any) -> JSON:
        self.chats[chat["id"]] = chat
        message = self._store(chat, sender, **content)
        return self.push_update({"message": copy.deepcopy(message)})

    def _register_file(self, folder: str, suffix: str, size: int, file_id: str | None = None,
                       content: bytes | None = None, **extra: Any) -> str:
        n = next(self._ids)
        file_id = file_id or f"BQACAgIAAxkBAAI{n:06d}{folder[:3]}"
        self.files[file_id] = {"file_id": file_id, "file_unique_id": f"AgAD{n:06d}",
                               "file_size": size, "file_path": f"{folder}/file_{n}{suffix}",
                               "content": content, **extra}
        return file_id

    # ---------------------------------------------------------------- HTTP layer
    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404).payload(), status=404)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401).payload(), status=401)
        path = request.match_info["path"]
        for info in self.files.values():
            if info["file_path"] == path:
                content = info["content"]
                return web.Response(body=bytes(info["file_size"]) if content is None else content)
        return web.json_response(ApiError(404).payload(), status=404)

    async def _dispatch(self, request: web.Request) -> web.Response:
        name, handler = self._handlers.get(request.match_info["method"].lower(), (None, None))
        call = Call(name or request.match_info["method"], {}, asyncio.get_running_loop().time())
        self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401)
            if handler is None:
                raise ApiError(404)
            call.params = await _read_params(request)
            await self._inject_faults(call)
            body, call.status = {"ok": True, "result": await handler(call.params)}, 200
        except ApiError as err:
            body, call.status = err.payload(), err.status
        except asyncio.CancelledError:  # the client went away (e.g. PTB stopped polling)
            call.status = 499
            raise
        except Exception as exc:
            _log.exception("FakeBotApi failed on %s", call.method)
            self.internal_errors.append(exc)
            body, call.status = ApiError(500, f"Internal Server Error: {exc!r}").payload(), 500
        finally:
            self._notify()
        return web.json_response(body, status=call.status)

    async def _inject_faults(self, call: Call) -> None:
        key = call.method.lower()
        if delays := self._delays.get(key):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), delays.popleft())
        if faults := self._faults.get(key):
            raise faults.popleft()
        if call.method not in SEND_METHODS:
            return
        if _as_int(call.params.get("chat_id")) in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.rate_limit_per_second is not None:
            now, window = asyncio.get_running_loop().time(), self._send_window
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= self.rate_limit_per_second:
                self.throttled += 1
                raise ApiError(429, retry_after=1)
            window.append(now)

    # ---------------------------------------------------------------- methods
    async def _true(self, p: JSON) -> bool:
        return True

    async def _get_me(self, p: JSON) -> JSON:
        return self.bot_user

    async def _get_updates(self, p: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active;"
                                " use deleteWebhook to delete the webhook first")
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older long poll still waiting is terminated, as on Telegram
        self._confirm(p.get("offset"))
        timeout = min(float(p.get("timeout") or 0), self.long_poll_cap)
        if not self._updates and timeout > 0 and not self._closed.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout)
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request;"
                                    " make sure that only one bot instance is running")
        return self._updates[: max(1, min(int(p.get("limit") or 100), 100))]

    def _confirm(self, offset: Any) -> None:
        if isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]

    async def _set_webhook(self, p: JSON) -> bool:
        self.webhook_url = str(p.get("url") or "")
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, p: JSON) -> bool:
        return await self._set_webhook({**p, "url": ""})

    async def _get_webhook_info(self, p: JSON) -> JSON:
        return {"url": self.webhook_url, "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    @staticmethod
    def _commands_key(p: JSON) -> str:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps([scope, p.get("language_code") or ""], sort_keys=True)

    async def _set_my_commands(self, p: JSON) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: parameter \"commands\" is required")
        for command in commands:
            if not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(p)] = commands
        return True

    async def _get_my_commands(self, p: JSON) -> list[JSON]:
        return self.commands.get(self._commands_key(p), [])

    async def _delete_my_commands(self, p: JSON) -> bool:
        self.commands.pop(self._commands_key(p), None)
        return True

    async def _get_chat_menu_button(self, p: JSON) -> JSON:
        return {"type": "commands"}

    async def _get_chat(self, p: JSON) -> JSON:
        chat_id = self._chat_id(p)
        if chat_id not in self.chats and chat_id not in self._message_ids:
            raise ApiError(400, "Bad Request: chat not found")
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts",
                               "premium_subscription", "gifts_from_channels"), True)
        return {**self._chat(chat_id), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": gifts}

    async def _send_chat_action(self, p: JSON) -> bool:
        self._chat_id(p)
        if p.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _send_message(self, p: JSON) -> JSON:
        text, entities = self._formatted(p, "text", "entities")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._send(p, text=text, entities=entities)

    async def _send_photo(self, p: JSON) -> JSON:
        info = self._media(p, "photo", "photos", ".jpg")
        sizes = f.photo_sizes(info["file_id"], 1280, 960, info["file_size"])
        return self._send(p, photo=sizes, **self._send_caption(p))

    async def _send_document(self, p: JSON) -> JSON:
        info = self._media(p, "document", "documents", "")
        fields = ("file_id", "file_unique_id", "file_name", "mime_type", "file_size")
        document = {k: info[k] for k in fields if info.get(k) is not None}
        return self._send(p, document=document, **self._send_caption(p))

    async def _edit_text(self, p: JSON) -> JSON:
        message = self._editable(p)
        text, entities = self._formatted(p, "text", "entities")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        markup = _inline_markup(p)
        new = {"text": text, "entities": entities or None, "reply_markup": markup}
        return self._apply_edit(message, new)

    async def _edit_markup(self, p: JSON) -> JSON:
        return self._apply_edit(self._editable(p), {"reply_markup": _inline_markup(p)})

    async def _delete_message(self, p: JSON) -> bool:
        key = (self._chat_id(p), _as_int(p.get("message_id")) or 0)
        if self.messages.pop(key, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _answer_callback(self, p: JSON) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired"
                                " or query ID is invalid")
        self._open_queries.discard(query_id)
        return True

    async def _get_file(self, p: JSON) -> JSON:
        info = self.files.get(str(p.get("file_id") or ""))
        if info is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {k: info[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    # ---------------------------------------------------------------- method helpers
    def _chat_id(self, p: JSON) -> int:
        chat_id = _as_int(p.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty" if p.get("chat_id") in (None, "")
                           else "Bad Request: chat not found")
        return chat_id

    def _chat(self, chat_id: int) -> JSON:
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        return f.supergroup_chat(chat_id, "Group")

    def _formatted(self, p: JSON, key: str, entities_key: str) -> tuple[str, list[JSON]]:
        text, mode = str(p.get(key) or ""), str(p.get("parse_mode") or "").lower()
        entities = p.get(entities_key) if isinstance(p.get(entities_key), list) else []
        if mode == "html":
            try:
                text, entities = f.parse_html(text)
            except f.ParseError as err:
                raise ApiError(400, f"Bad Request: can't parse entities: {err}") from None
        elif mode not in ("", "markdown", "markdownv2"):  # Markdown is passed through as-is
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        return text, f.auto_entities(text, entities)

    def _send_caption(self, p: JSON) -> JSON:
        if p.get("caption") in (None, ""):
            return {}
        caption, entities = self._formatted(p, "caption", "caption_entities")
        if len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return {"caption": caption, "caption_entities": entities}

    def _media(self, p: JSON, field: str, folder: str, suffix: str) -> JSON:
        value = p.get(field)
        if isinstance(value, dict):  # a multipart upload, recorded by _read_params
            if not value.get("size"):
                raise ApiError(400, "Bad Request: file must be non-empty")
            name = value["filename"]
            return self.files[self._register_file(
                folder, suffix or "." + name.rsplit(".", 1)[-1], value["size"],
                file_name=name, mime_type=value.get("mime_type"))]
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and re.match(r"https?://", value):
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            return self.files[self._register_file(folder, suffix or ".bin", 1, file_name=name)]
        if not value:
            raise ApiError(400, f"Bad Request: there is no {field} in the request")
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _send(self, p: JSON, **content: Any) -> JSON:
        chat_id = self._chat_id(p)
        markup = _inline_markup(p)
        reply = p.get("reply_parameters")
        quoted = None
        if isinstance(reply, dict):
            quoted = self.messages.get((_as_int(reply.get("chat_id")) or chat_id,
                                        _as_int(reply.get("message_id")) or 0))
            if quoted is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        fields = {k: v for k, v in content.items() if v not in (None, [], "")}
        if quoted is not None:
            fields["reply_to_message"] = {k: v for k, v in quoted.items()
                                          if k != "reply_to_message"}
        if markup:
            fields["reply_markup"] = markup
        message = self._store(self._chat(chat_id), self.bot_user, **fields)
        self._sent.append(message)
        return message

    def _editable(self, p: JSON) -> JSON:
        if p.get("inline_message_id"):
            raise ApiError(400, "Bad Request: message to edit not found")
        message = self.messages.get((self._chat_id(p), _as_int(p.get("message_id")) or 0))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _apply_edit(self, message: JSON, new: JSON) -> JSON:
        if all(message.get(k) == v for k, v in new.items()):
            raise ApiError(400, NOT_MODIFIED)
        for key, value in new.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = f.now()
        return message


def _inline_markup(p: JSON) -> JSON | None:
    """Only inline keyboards are part of a Message; reply keyboards are not echoed back."""
    markup = p.get("reply_markup")
    if isinstance(markup, str):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


async def _read_params(request: web.Request) -> JSON:
    """Query string + JSON body, urlencoded or multipart form (what PTB sends).

    Uploaded files are recorded as ``{"filename", "size", "mime_type"}``, not their bytes.
    """
    params: JSON = {k: _decode(k, v) for k, v in request.query.items()}
    if request.content_type == "application/json":
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON") from None
        params.update(body if isinstance(body, dict) else {})
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                size = len(value.file.read())
                params[key] = {"filename": value.filename, "size": size,
                               "mime_type": value.content_type}
            else:
                params[key] = _decode(key, str(value))
    return params
