"""Offline console: what you type goes through the real handlers as a private chat of an
administrator, against the embedded database; replies are printed instead of sent."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot import collector
from bot.app import build_application
from bot.runtime import open_services
from bot.settings import Settings, describe_database
from parsing.arguments import natural

# Not a secret: it never leaves the process, ConsoleRequest answers every call.
CONSOLE_TOKEN = "0:console"  # noqa: S105
CONSOLE_USER_ID = 1
CONSOLE_USER = {
    "id": CONSOLE_USER_ID,
    "is_bot": False,
    "first_name": "Quản trị",
    "language_code": "vi",
}
BOT_USER = {"id": 10, "is_bot": True, "first_name": "Trợ lý DTI", "username": "TroLyDtiBot"}
PRESS = "#"  # "#2" presses the second button of the last reply


class ConsoleRequest(BaseRequest):
    """A stand-in for Telegram's HTTP API that prints what the bot sends."""

    def __init__(self, out: TextIO, now: Callable[[], int]) -> None:
        self.out = out
        self.now = now
        self.buttons: list[tuple[str, str]] = []
        self.last_message: dict[str, Any] | None = None
        self._ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *_: Any, **__: Any
    ) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: Any = True
        if api == "getMe":
            result = {
                **BOT_USER,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        elif api in ("sendMessage", "editMessageText"):
            result = self._show(params)
        elif api in ("sendPhoto", "sendDocument") and request_data is not None:
            result = self._save(api, params, request_data)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _show(self, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        markup = params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        self.buttons = [(b["text"], b.get("callback_data", "")) for row in rows for b in row]
        print(text, file=self.out)
        for n, (label, _data) in enumerate(self.buttons, 1):
            print(f"  [{PRESS}{n}] {label}", file=self.out)
        print(file=self.out)
        message = self._message(text=text)
        if rows:
            message["reply_markup"] = markup
        self.last_message = message
        return message

    def _save(self, api: str, params: dict[str, Any], request_data: RequestData) -> dict[str, Any]:
        """A photo or document is written under var/console/ and its path printed."""
        files = request_data.multipart_data or {}
        folder = Path("var") / "console"
        folder.mkdir(parents=True, exist_ok=True)
        for field_name, (file_name, content, _mime) in files.items():
            name = file_name if field_name == "document" else f"chart-{next(self._ids)}.png"
            path = folder / Path(str(name)).name
            path.write_bytes(content if isinstance(content, bytes) else content.read())
            print(f"📎 {path}", file=self.out)
        if params.get("caption"):
            print(params["caption"], file=self.out)
        print(file=self.out)
        return self._message()

    def _message(self, **content: Any) -> dict[str, Any]:
        """A message the bot sent to the console's private chat, as Telegram returns it."""
        chat = {
            "id": CONSOLE_USER["id"],
            "type": "private",
            "first_name": CONSOLE_USER["first_name"],
        }
        return {
            "message_id": next(self._ids),
            "date": self.now(),
            "chat": chat,
            "from": BOT_USER,
            **content,
        }


class Console:
    def __init__(self, request: ConsoleRequest, user_id: int) -> None:
        self.request = request
        self.user = {**CONSOLE_USER, "id": user_id}
        self._ids = itertools.count(1)

    def is_missing_button(self, line: str) -> bool:
        """'#3' when the last reply has fewer than three buttons."""
        number = natural(line[1:]) if line.startswith(PRESS) else None
        if number is None:
            return False
        return not 1 <= number <= len(self.request.buttons)

    def update_for(self, line: str) -> dict[str, Any]:
        """The Telegram update a line of input stands for: a message, or a button press."""
        update_id = next(self._ids)
        number = natural(line[1:]) if line.startswith(PRESS) else None
        if number is not None and self.request.last_message:
            index = number - 1
            if 0 <= index < len(self.request.buttons):
                return {
                    "update_id": update_id,
                    "callback_query": {
                        "id": str(update_id),
                        "from": self.user,
                        "chat_instance": "console",
                        "data": self.request.buttons[index][1],
                        "message": self.request.last_message,
                    },
                }
        message: dict[str, Any] = {
            "message_id": 100000 + update_id,
            "date": self.request.now(),
            "chat": {
                "id": self.user["id"],
                "type": "private",
                "first_name": self.user["first_name"],
            },
            "from": self.user,
            "text": line,
        }
        if line.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(line.split()[0])}
            ]
        return {"update_id": update_id, "message": message}


async def run_console(
    settings: Settings, once: str | None = None, out: TextIO = sys.stdout
) -> None:
    """Answer `once` and return, or read lines until end of input or 'exit'."""
    user_id: int = min(settings.admin_ids, default=CONSOLE_USER_ID)
    # The console's user is an administrator, as the banner says, even with ADMIN_IDS unset.
    settings = settings.model_copy(update={"admin_ids": settings.admin_ids | {user_id}})
    async with open_services(settings) as services:
        request = ConsoleRequest(out, lambda: int(services.calendar.now().timestamp()))
        app = build_application(
            settings, services, token=CONSOLE_TOKEN, request=request, rate_limited=False
        )
        console = Console(request, user_id)
        async with app:
            if once is not None:
                # One answer, then the process ends: the collector stays paused (see
                # bot/collector.py), what it would free goes with the process.
                await app.process_update(Update.de_json(console.update_for(once), app.bot))
                return
            collector.resume()  # started
            t = services.texts.for_language(services.texts.default)
            print(t("console.banner"), file=out)
            print(t("console.database", where=describe_database(settings.database)), file=out)
            while True:
                try:
                    line = (await asyncio.to_thread(input, "> ")).strip()
                except EOFError:
                    break
                if line in ("exit", "quit", "thoat"):
                    break
                if console.is_missing_button(line):
                    print(t("console.no_button", button=line), file=out)
                elif line:
                    await app.process_update(Update.de_json(console.update_for(line), app.bot))
