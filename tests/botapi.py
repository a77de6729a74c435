"""A local fake of Telegram's Bot API server, for end-to-end tests of the real PTB Application.

    async with FakeBotApi() as api:
        app = (Application.builder().token(TOKEN)
               .base_url(api.base_url).base_file_url(api.base_file_url).build())
        ...
        api.private_text("/start")
        await api.wait_for("sendMessage", chat_id=1001)

Answers use Telegram's envelope and HTTP status codes, so PTB raises what it raises in production
(429 -> RetryAfter, 403 -> Forbidden, 400 -> BadRequest, 401/404 -> InvalidToken, 5xx ->
NetworkError, a migrated group -> ChatMigrated). Faults: `fail_next`, `fail_every`,
`delay_next` (late answers, with or without the work done), `migrate_group`, and a sliding-window
send limit (`rate_limit_per_second`, with `peak_sends` to check any limit).
Wire format, JSON builders and the HTML parse mode are in botapi_factories.py.
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
except ImportError:  # imported as top-level `botapi` (pytest puts tests/ on sys.path)
    import botapi_factories as f  # type: ignore[no-redef,import-not-found]

JSON = dict[str, Any]
ApiError = f.ApiError
TOKEN = "123456789:TEST-token-for-the-local-bot-api"
# How long a test waits for the bot's calls before it fails: only a failing test waits it out,
# and a chart's first render (matplotlib imported in a worker thread) on a busy 2-core machine
# takes several seconds.
WAIT = 20.0
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
TEXT_LIMIT, CAPTION_LIMIT, ANSWER_LIMIT = 4096, 1024, 200  # characters, as Telegram counts them
_TRUE_METHODS = (
    "logOut", "close", "setChatMenuButton", "setMyDescription", "setMyShortDescription",
    "setMyName", "setMyDefaultAdministratorRights", "pinChatMessage", "unpinChatMessage",
    "unpinAllChatMessages", "leaveChat", "setMessageReaction",
)  # fmt: skip
_log = logging.getLogger(__name__)


@dataclass
class _Every:
    """Every `every`-th call of a method fails, with the statuses taken in turn."""

    every: int
    statuses: tuple[int, ...]
    seen: int = 0
    failed: int = 0


@dataclass
class Call:
    """One request the bot made; ``status`` is the HTTP status answered (0 while in flight)."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 0
    answered: float = 0.0  # when the answer left (loop time), 0 while in flight

    @property
    def ok(self) -> bool:
        return self.status == HTTPStatus.OK


class FakeBotApi:
    long_poll_cap = 1.0  # seconds; getUpdates never holds a request longer than this

    def __init__(self, token: str = TOKEN, bot_username: str = "TroLyDtiBot") -> None:
        self.token = token
        self.bot_user: JSON = f.bot_user(token, bot_username)
        # a Message's "from" has only these fields, getMe's extra flags are not in it
        self._bot_from = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        self.base_url = self.base_file_url = ""
        self.calls: list[Call] = []
        self.rate_limit_per_second: float | None = None
        self.throttled = 0
        self.blocked: set[int] = set()
        self.files: dict[str, JSON] = {}  # file_id -> File fields + file_name, mime_type, content
        self.chats: dict[int, JSON] = {}  # chats seen in incoming updates
        self.messages: dict[tuple[int, int], JSON] = {}  # every message, edits update in place
        # forum chat -> topic id (message_thread_id) -> the topic's forum_topic_created message
        self.topics: dict[int, dict[int, JSON]] = {}
        self.commands: dict[str, list[JSON]] = {}
        self.webhook_url = ""
        self.internal_errors: list[Exception] = []  # bugs of this fake (answered with 500)
        self._sent: list[JSON] = []
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(100_000_001)
        self._ids = itertools.count(1)
        self._message_ids: dict[int, int] = {}
        self._open_queries: set[str] = set()
        self._faults: dict[str, deque[f.ApiError]] = {}
        self._every: dict[str, _Every] = {}
        self._delays: dict[str, deque[float]] = {}
        self._late: dict[str, deque[float]] = {}  # answers held back after the work is done
        self.migrated: dict[int, int] = {}  # group id -> the supergroup that replaced it
        self._send_window: deque[float] = deque()
        self.send_times: list[float] = []  # when each send was counted (loop time)
        self._poll_generation = 0
        self._wakeup = asyncio.Event()  # set (then replaced) on a new update or a new poll
        self._changed = asyncio.Event()  # set (then replaced) whenever a call is answered
        self._closed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        handlers: dict[str, Callable[[JSON], Awaitable[Any]]] = {
            "getMe": self._get_me, "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info, "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands, "deleteMyCommands": self._delete_commands,
            "getChatMenuButton": self._get_menu_button, "getChat": self._get_chat,
            "sendMessage": self._send_message, "sendPhoto": self._send_photo,
            "sendDocument": self._send_document, "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_text, "editMessageReplyMarkup": self._edit_markup,
            "deleteMessage": self._delete_message, "answerCallbackQuery": self._answer_query,
            "getFile": self._get_file, **dict.fromkeys(_TRUE_METHODS, self._true),
        }  # fmt: skip
        self._handlers = {name.lower(): (name, fn) for name, fn in handlers.items()}

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._closed = asyncio.Event()
        # handler_cancellation: a long poll whose client went away (PTB stopping) ends at once
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

    # ------------------------------------------------------------------ what the bot did
    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[JSON]:
        """Params of the successful calls of ``method`` (any case), optionally to one chat."""
        name = self._handlers.get(method.lower(), (method,))[0]
        want = None if chat_id is None else int(chat_id)
        return [c.params for c in self.calls if c.method == name and c.ok
                and (want is None or f.as_int(c.params.get("chat_id")) == want)]  # fmt: skip

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """Messages answered to sendMessage/Photo/Document; live: edits show up in them."""
        return [m for m in self._sent if chat_id is None or m["chat"]["id"] == int(chat_id)]

    async def wait_for(
        self,
        method: str = "sendMessage",
        *,
        count: int = 1,
        chat_id: int | None = None,
        timeout: float = WAIT,  # noqa: ASYNC109 - part of the interface tests are written to
    ) -> list[JSON]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found := self.sent(method, chat_id)) < count:
            if (remaining := deadline - loop.time()) <= 0:
                where = "" if chat_id is None else f" to chat {chat_id}"
                raise AssertionError(
                    f"expected {count} successful {method} call(s){where} within {timeout}s,"
                    f" got {len(found)}. Calls: {self.describe_calls() or 'none'}"
                )
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
        return found

    async def wait_for_calls(
        self,
        method: str = "sendMessage",
        *,
        count: int = 1,
        timeout: float = WAIT,  # noqa: ASYNC109 - the same interface as wait_for
    ) -> list[Call]:
        """Wait until `count` calls of `method` have arrived, answered or not."""
        name = self._handlers.get(method.lower(), (method,))[0]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found := [c for c in self.calls if c.method == name]) < count:
            if (remaining := deadline - loop.time()) <= 0:
                raise AssertionError(f"expected {count} {method} call(s), got {len(found)}")
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
        return found

    def describe_calls(self) -> str:
        """``method[status](chat_id=..., text=...)`` for each call but getUpdates."""

        def brief(call: Call) -> str:
            shown = [(k, call.params[k]) for k in ("chat_id", "text", "data") if k in call.params]
            args = ", ".join(f"{k}={v[:40] if isinstance(v, str) else v!r}" for k, v in shown)
            return f"{call.method}[{call.status}]({args})"

        return "; ".join(brief(c) for c in self.calls if c.method != "getUpdates")

    def clear(self) -> None:
        self.calls.clear()
        self._sent.clear()
        self.send_times.clear()

    # ------------------------------------------------------------------ fault injection
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

    def fail_every(self, method: str, every: int, statuses: tuple[int, ...] = (500, 502)) -> None:
        """Every `every`-th call of `method` fails (before any work), with `statuses` in turn."""
        self._every[method.lower()] = _Every(every, statuses)

    def clear_faults(self) -> None:
        """Forget every injected error and delay not yet used."""
        self._faults.clear()
        self._every.clear()
        self._delays.clear()
        self._late.clear()

    def delay_next(
        self, method: str, seconds: float, *, times: int = 1, work_done: bool = False
    ) -> None:
        """The next `times` calls answer `seconds` late. By default nothing is done until then
        (a client that gives up first leaves nothing done); with `work_done` the call is carried
        out at once and only its answer is late, even if the client stops waiting — a slow
        Telegram that has delivered the message."""
        delays = self._late if work_done else self._delays
        delays.setdefault(method.lower(), deque()).extend([seconds] * times)

    def migrate_group(
        self, chat_id: int, new_chat_id: int, *, title: str = "BCĐ CĐS", announce: bool = False,
        user_id: int = 1001,
    ) -> None:  # fmt: skip
        """The group becomes a supergroup: from now on every request to the old id answers 400
        with ``migrate_to_chat_id`` (PTB: ChatMigrated). With `announce`, the bot also gets the
        two service messages Telegram sends (``migrate_to_chat_id`` in the group,
        ``migrate_from_chat_id`` in the supergroup)."""
        self.migrated[int(chat_id)] = int(new_chat_id)
        if announce:
            sender = f.user(user_id, "Lan")
            self._incoming(f.group_chat(chat_id, title), sender, migrate_to_chat_id=new_chat_id)
            new = f.supergroup_chat(new_chat_id, title)
            self._incoming(new, sender, migrate_from_chat_id=chat_id)

    def peak_sends(self, period: float = 1.0) -> int:
        """The most sends counted in any sliding `period`, as Telegram's limit counts them."""
        times, peak, first = self.send_times, 0, 0
        for last, at in enumerate(times):
            while times[first] <= at - period:
                first += 1
            peak = max(peak, last - first + 1)
        return peak

    def block_user(self, chat_id: int) -> None:
        self.blocked.add(int(chat_id))

    # ------------------------------------------------------------------ incoming updates
    def push_update(self, update: JSON) -> JSON:
        update.setdefault("update_id", next(self._update_ids))
        if "callback_query" in update:  # it may be answered once
            self._open_queries.add(update["callback_query"]["id"])
        self._updates.append(update)
        self._wake()
        return update

    def private_text(
        self, text: str, *, user_id: int = 1001, first_name: str = "Lan",
        language_code: str = "vi", username: str | None = None,
    ) -> JSON:  # fmt: skip
        sender = f.user(user_id, first_name, language_code, username)
        return self._incoming(f.private_chat(sender), sender, **f.text_fields(text))

    def group_text(
        self, text: str, *, chat_id: int = -100200300, title: str = "BCĐ CĐS",
        user_id: int = 1001, first_name: str = "Lan", language_code: str = "vi",
        reply_to_bot: bool = False, username: str | None = None, thread_id: int | None = None,
    ) -> JSON:  # fmt: skip
        """A message in a group; with `thread_id`, in that forum topic (see create_topic)."""
        chat = f.supergroup_chat(chat_id, title, forum=chat_id in self.topics)
        content = f.text_fields(text)
        if thread_id is not None:  # like Telegram: a topic's messages reply to its first one
            content |= self._in_topic(chat_id, thread_id)
        if reply_to_bot:  # the bot's latest message in the chat (and topic), or a new one
            mine = [m for m in self.messages.values()
                    if m["chat"]["id"] == chat_id and m["from"] == self._bot_from
                    and m.get("message_thread_id") == thread_id]  # fmt: skip
            greeting = {"text": "Xin chào!", **self._in_topic(chat_id, thread_id)}
            target = mine[-1] if mine else self._store(chat, self._bot_from, **greeting)
            content["reply_to_message"] = _without_reply(target)
        sender = f.user(user_id, first_name, language_code, username)
        return self._incoming(chat, sender, **content)

    def create_topic(
        self, name: str, *, chat_id: int = -100200300, title: str = "BCĐ CĐS",
        user_id: int = 1001, first_name: str = "Lan",
    ) -> int:  # fmt: skip
        """Someone creates a forum topic: the group becomes a forum (``is_forum``) and gets the
        service message that opens the topic; its message id is the topic's message_thread_id."""
        self.topics.setdefault(chat_id, {})
        chat = f.supergroup_chat(chat_id, title, forum=True)
        self.chats[chat_id] = chat
        created = {"name": name, "icon_color": 7322096}
        opening = self._store(chat, f.user(user_id, first_name), forum_topic_created=created)
        thread_id = opening["message_id"]
        opening |= {"message_thread_id": thread_id, "is_topic_message": True}
        self.topics[chat_id][thread_id] = opening
        return thread_id

    def _in_topic(self, chat_id: int, thread_id: int | None) -> JSON:
        """The fields a message in a forum topic carries; none for the General topic (None)."""
        if thread_id is None:
            return {}
        opening = self.topics.get(chat_id, {}).get(thread_id)
        if opening is None:
            raise ApiError(400, "Bad Request: message thread not found")
        return {"message_thread_id": thread_id, "is_topic_message": True,
                "reply_to_message": _without_reply(opening)}  # fmt: skip

    def private_photo(
        self, caption: str | None = None, *, user_id: int = 1001, first_name: str = "Lan",
        language_code: str = "vi", username: str | None = None, width: int = 1280,
        height: int = 960, file_size: int = 50_000,
    ) -> JSON:  # fmt: skip
        photo = self._photo(self._new_file("photos", ".jpg", file_size), width, height)
        sender = f.user(user_id, first_name, language_code, username)
        return self._incoming(f.private_chat(sender), sender, photo=photo, **_caption(caption))

    def private_document(
        self, file_name: str, *, caption: str | None = None,
        mime_type: str = "application/pdf", file_size: int = 1000, user_id: int = 1001,
        first_name: str = "Lan", language_code: str = "vi", username: str | None = None,
        content: bytes | None = None,
    ) -> JSON:  # fmt: skip
        """Downloading the file returns ``content``, else ``file_size`` zero bytes."""
        size = file_size if content is None else len(content)
        suffix = "." + file_name.rsplit(".", 1)[-1]
        file_id = self._new_file("documents", suffix, size, file_name=file_name,
                                 mime_type=mime_type, content=content)  # fmt: skip
        sender = f.user(user_id, first_name, language_code, username)
        return self._incoming(f.private_chat(sender), sender, document=self._document(file_id),
                              **_caption(caption))  # fmt: skip

    def private_sticker(
        self, *, user_id: int = 1001, first_name: str = "Lan", language_code: str = "vi",
        emoji: str = "👍",
    ) -> JSON:  # fmt: skip
        file_id = self._new_file("stickers", ".webp", 20_000)
        sticker = {**self._document(file_id), "type": "regular", "width": 512, "height": 512,
                   "is_animated": False, "is_video": False, "emoji": emoji}  # fmt: skip
        sender = f.user(user_id, first_name, language_code)
        return self._incoming(f.private_chat(sender), sender, sticker=sticker)

    def callback_query(
        self, data: str, *, message: JSON, user_id: int = 1001, first_name: str = "Lan",
        language_code: str = "vi", username: str | None = None,
    ) -> JSON:  # fmt: skip
        """The user presses a button sending ``data`` under ``message`` (as it is now)."""
        chat_id = message["chat"]["id"]
        current = self.messages.get((chat_id, message["message_id"]), message)
        query_id = str(4_200_000_000_000_000 + next(self._ids))
        query = {"id": query_id, "from": f.user(user_id, first_name, language_code, username),
                 "message": copy.deepcopy(current), "chat_instance": str(abs(chat_id) * 7 + 13),
                 "data": data}  # fmt: skip
        return self.push_update({"callback_query": query})

    def bot_message(self, chat_id: int, text: str, *, reply_markup: JSON | None = None) -> JSON:
        """A message the bot sent to a chat earlier (say, the one under a button a test
        presses), without a call being recorded."""
        content: JSON = {"text": text}
        if reply_markup:
            content["reply_markup"] = reply_markup
        return self._store(self._chat(chat_id), self._bot_from, **content)

    def answered(self, query_id: str) -> bool:
        """Whether a pushed callback query has been answered (it can be answered once)."""
        return query_id not in self._open_queries

    def _incoming(self, chat: JSON, sender: JSON, **content: Any) -> JSON:
        self.chats[chat["id"]] = chat
        message = self._store(chat, sender, **content)
        return self.push_update({"message": copy.deepcopy(message)})

    def _store(self, chat: JSON, sender: JSON, **content: Any) -> JSON:
        chat_id = chat["id"]
        self._message_ids[chat_id] = message_id = self._message_ids.get(chat_id, 0) + 1
        message = {"message_id": message_id, "from": sender, "chat": chat, "date": f.now()}
        self.messages[(chat_id, message_id)] = message = {**message, **content}
        return message

    def _new_file(self, folder: str, suffix: str, size: int, *, file_id: str | None = None,
                  content: bytes | None = None, **extra: Any) -> str:  # fmt: skip
        n = next(self._ids)
        file_id = file_id or f"BQACAgIAAxkBAAI{n:06d}{folder[:3]}"
        self.files[file_id] = {"file_id": file_id, "file_unique_id": f"AgAD{n:06d}",
                               "file_size": size, "file_path": f"{folder}/file_{n}{suffix}",
                               "content": content, **extra}  # fmt: skip
        return file_id

    def _document(self, file_id: str) -> JSON:
        keys = ("file_id", "file_unique_id", "file_name", "mime_type", "file_size")
        return {k: v for k, v in self.files[file_id].items() if k in keys and v is not None}

    def _photo(self, file_id: str, width: int, height: int) -> list[JSON]:
        """PhotoSizes, smallest first: a thumbnail (also downloadable) and the photo itself."""
        thumb_id, info = f"{file_id}-thumb", self.files[file_id]
        if thumb_id not in self.files:
            self._new_file("photos", ".jpg", max(1, info["file_size"] // 20), file_id=thumb_id)
        sizes = ((thumb_id, *f.thumbnail_size(width, height)), (file_id, width, height))
        keys = ("file_id", "file_unique_id", "file_size")
        return [{**{k: self.files[i][k] for k in keys}, "width": w, "height": h}
                for i, w, h in sizes]  # fmt: skip

    def _wake(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    # ------------------------------------------------------------------ HTTP
    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404).payload(), status=404)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401).payload(), status=401)
        for info in self.files.values():
            if info["file_path"] == request.match_info["path"]:
                content = info["content"]
                return web.Response(body=bytes(info["file_size"]) if content is None else content)
        return await self._not_found(request)

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        name, handler = self._handlers.get(method.lower(), (method, None))
        call = Call(name, {}, asyncio.get_running_loop().time())
        self.calls.append(call)
        self._changed.set()  # arrived (see wait_for_calls)
        self._changed = asyncio.Event()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401)
            if handler is None:
                raise ApiError(404)
            call.params = await f.read_params(request)
            await self._inject_faults(call)
            body, call.status = {"ok": True, "result": await handler(call.params)}, 200
            if late := self._late.get(name.lower()):
                self._changed.set()  # done: waiters see it before the answer leaves
                self._changed = asyncio.Event()
                with contextlib.suppress(TimeoutError):  # stop() cuts delays short
                    await asyncio.wait_for(self._closed.wait(), late.popleft())
        except ApiError as err:
            body, call.status = err.payload(), err.status
        except asyncio.CancelledError:  # the client went away (e.g. PTB stopped polling)
            if call.status == 0:  # work already done stays done
                call.status = 499
            raise
        except Exception as exc:
            _log.exception("FakeBotApi failed on %s", name)
            self.internal_errors.append(exc)
            body, call.status = ApiError(500, f"Internal Server Error: {exc!r}").payload(), 500
        finally:
            call.answered = asyncio.get_running_loop().time()
            self._changed.set()
            self._changed = asyncio.Event()
        return web.json_response(body, status=call.status)

    async def _inject_faults(self, call: Call) -> None:
        key = call.method.lower()
        if delays := self._delays.get(key):
            with contextlib.suppress(TimeoutError):  # stop() cuts delays short
                await asyncio.wait_for(self._closed.wait(), delays.popleft())
        if faults := self._faults.get(key):
            raise faults.popleft()
        if every := self._every.get(key):
            every.seen += 1
            if every.seen % every.every == 0:
                every.failed += 1
                raise ApiError(every.statuses[(every.failed - 1) % len(every.statuses)])
        if (new := self.migrated.get(f.as_int(call.params.get("chat_id")) or 0)) is not None:
            raise ApiError(
                400, "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=new,
            )  # fmt: skip
        if call.method not in SEND_METHODS:
            return
        if f.as_int(call.params.get("chat_id")) in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.rate_limit_per_second is not None:
            now, window = asyncio.get_running_loop().time(), self._send_window
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= self.rate_limit_per_second:
                self.throttled += 1
                raise ApiError(429, retry_after=1)
            window.append(now)
        self.send_times.append(asyncio.get_running_loop().time())

    # ------------------------------------------------------------------ Bot API methods
    async def _true(self, p: JSON) -> bool:
        return True

    async def _get_me(self, p: JSON) -> JSON:
        return self.bot_user

    async def _get_updates(self, p: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active;"
                                " use deleteWebhook to delete the webhook first")  # fmt: skip
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # like Telegram, a newer getUpdates terminates an older waiting one
        offset = p.get("offset")
        if isinstance(offset, int) and offset > 0:  # confirms every update before it
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:  # keeps only the last -offset ones
            self._updates = self._updates[offset:]
        timeout = min(float(p.get("timeout") or 0), self.long_poll_cap)
        if not self._updates and timeout > 0 and not self._closed.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout)
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make"
                                    " sure that only one bot instance is running")  # fmt: skip
        return self._updates[: max(1, min(int(p.get("limit") or 100), 100))]

    async def _set_webhook(self, p: JSON) -> bool:
        self.webhook_url = str(p.get("url") or "")
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, p: JSON) -> bool:
        return await self._set_webhook({**p, "url": ""})

    async def _get_webhook_info(self, p: JSON) -> JSON:
        return {"url": self.webhook_url, "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}  # fmt: skip

    async def _set_my_commands(self, p: JSON) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, 'Bad Request: parameter "commands" is required')
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command"))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[_commands_key(p)] = commands
        return True

    async def _get_my_commands(self, p: JSON) -> list[JSON]:
        return self.commands.get(_commands_key(p), [])

    async def _delete_commands(self, p: JSON) -> bool:
        self.commands.pop(_commands_key(p), None)
        return True

    async def _get_menu_button(self, p: JSON) -> JSON:
        return {"type": "commands"}

    async def _get_chat(self, p: JSON) -> JSON:
        chat_id = _chat_id(p)
        if chat_id not in self.chats and chat_id not in self._message_ids:
            raise ApiError(400, "Bad Request: chat not found")
        return f.chat_full_info(self._chat(chat_id))

    async def _send_chat_action(self, p: JSON) -> bool:
        _chat_id(p)
        if p.get("action") not in f.CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _send_message(self, p: JSON) -> JSON:
        text, entities = _checked_text(p)
        return self._send(p, text=text, entities=entities)

    async def _send_photo(self, p: JSON) -> JSON:
        info = self._media(p, "photo", "photos", ".jpg")
        photo = self._photo(info["file_id"], 1280, 960)
        return self._send(p, photo=photo, **_sent_caption(p))

    async def _send_document(self, p: JSON) -> JSON:
        info = self._media(p, "document", "documents", "")
        return self._send(p, document=self._document(info["file_id"]), **_sent_caption(p))

    async def _edit_text(self, p: JSON) -> JSON:
        message = self._editable(p)
        text, entities = _checked_text(p)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        new = {"text": text, "entities": entities or None, "reply_markup": f.inline_markup(p)}
        return _apply_edit(message, new)

    async def _edit_markup(self, p: JSON) -> JSON:
        return _apply_edit(self._editable(p), {"reply_markup": f.inline_markup(p)})

    async def _delete_message(self, p: JSON) -> bool:
        if self.messages.pop((_chat_id(p), f.as_int(p.get("message_id")) or 0), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _answer_query(self, p: JSON) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        if query_id not in self._open_queries:  # unknown, or already answered
            raise ApiError(400, "Bad Request: query is too old and response timeout expired"
                                " or query ID is invalid")  # fmt: skip
        if len(str(p.get("text") or "")) > ANSWER_LIMIT:  # the query stays open, as Telegram's
            raise ApiError(400, "Bad Request: message is too long")
        self._open_queries.discard(query_id)
        return True

    async def _get_file(self, p: JSON) -> JSON:
        info = self.files.get(str(p.get("file_id") or ""))
        if info is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {k: info[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    def _chat(self, chat_id: int) -> JSON:
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        return f.supergroup_chat(chat_id, "Group")

    def _media(self, p: JSON, field: str, folder: str, suffix: str) -> JSON:
        value = p.get(field)
        if isinstance(value, dict):  # a multipart upload, see f.read_params
            if not value.get("size"):
                raise ApiError(400, "Bad Request: file must be non-empty")
            name = value["filename"]
            suffix = suffix or "." + name.rsplit(".", 1)[-1]
            file_id = self._new_file(folder, suffix, value["size"], file_name=name,
                                     mime_type=value["mime_type"])  # fmt: skip
            return self.files[file_id]
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and re.match(r"https?://", value):
            name = value.rstrip("/").rsplit("/", 1)[-1]
            return self.files[self._new_file(folder, suffix or ".bin", 1, file_name=name)]
        if not value:
            raise ApiError(400, f"Bad Request: there is no {field} in the request")
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _send(self, p: JSON, **content: Any) -> JSON:
        chat_id, markup, reply = _chat_id(p), f.inline_markup(p), p.get("reply_parameters")
        fields = {k: v for k, v in content.items() if v not in (None, [], "")}
        # A forum topic: the one asked for, else the one of the message replied to; a message
        # without one goes to the General topic. Other chats have no topics to send to.
        thread = f.as_int(p.get("message_thread_id"))
        if isinstance(reply, dict):
            key = (f.as_int(reply.get("chat_id")) or chat_id, f.as_int(reply.get("message_id")))
            if key in self.messages:
                fields["reply_to_message"] = _without_reply(self.messages[key])
                if thread is None and self.messages[key].get("is_topic_message"):
                    thread = self.messages[key]["message_thread_id"]
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        fields = {**self._in_topic(chat_id, thread), **fields}
        if markup:
            fields["reply_markup"] = markup
        message = self._store(self._chat(chat_id), self._bot_from, **fields)
        self._sent.append(message)
        return message

    def _editable(self, p: JSON) -> JSON:
        key = (_chat_id(p), f.as_int(p.get("message_id")) or 0)
        if p.get("inline_message_id") or key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        if self.messages[key]["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return self.messages[key]


def _chat_id(p: JSON) -> int:
    chat_id = f.as_int(p.get("chat_id"))
    if chat_id is None:
        empty = p.get("chat_id") in (None, "")
        raise ApiError(400, "Bad Request: " + ("chat_id is empty" if empty else "chat not found"))
    return chat_id


def _checked_text(p: JSON) -> tuple[str, list[JSON]]:
    text, entities = f.formatted(str(p.get("text") or ""), p.get("parse_mode"), p.get("entities"))
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > TEXT_LIMIT:
        raise ApiError(400, "Bad Request: message is too long")
    return text, entities


def _sent_caption(p: JSON) -> JSON:
    if not p.get("caption"):
        return {}
    caption, entities = f.formatted(str(p["caption"]), p.get("parse_mode"),
                                    p.get("caption_entities"))  # fmt: skip
    if len(caption) > CAPTION_LIMIT:
        raise ApiError(400, "Bad Request: message caption is too long")
    return {"caption": caption, "caption_entities": entities}


def _caption(caption: str | None) -> JSON:
    return {} if caption is None else f.text_fields(caption, "caption", "caption_entities")


def _without_reply(message: JSON) -> JSON:
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def _commands_key(p: JSON) -> str:
    scope = p.get("scope") or {"type": "default"}
    return json.dumps([scope, p.get("language_code") or ""], sort_keys=True)


def _apply_edit(message: JSON, new: JSON) -> JSON:
    if all(message.get(k) == v for k, v in new.items()):
        raise ApiError(400, f.NOT_MODIFIED)
    for key, value in new.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = f.now()
    return message
