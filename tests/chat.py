"""A person chatting with the bot through the local Bot API server, for end-to-end tests."""

from __future__ import annotations

from typing import Any

from tests.botapi import FakeBotApi

JSON = dict[str, Any]
ADMIN_ID = 1  # in ADMIN_IDS of the test settings


class Chat:
    """One user's private chat: say something, read the bot's next message, press its buttons."""

    def __init__(self, api: FakeBotApi, user_id: int, name: str = "Lan") -> None:
        self.api, self.user_id, self.name = api, user_id, name
        self._seen = len(self._texts())  # earlier messages are not ours

    async def next_message(self) -> JSON:
        """The bot's next message to this chat (waits for it)."""
        self._seen += 1
        await self.api.wait_for("sendMessage", count=self._seen, chat_id=self.user_id)
        return self._texts()[self._seen - 1]

    def _texts(self) -> list[JSON]:
        """The bot's text messages to this chat (photos and documents have captions instead)."""
        return [m for m in self.api.sent_messages(chat_id=self.user_id) if "text" in m]

    async def say(self, text: str) -> JSON:
        self.api.private_text(text, user_id=self.user_id, first_name=self.name)
        return await self.next_message()

    async def press(self, message: JSON, label: str) -> JSON:
        """Press the button whose text starts with `label`; returns the callback's answer."""
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        button = next(b for row in rows for b in row if b["text"].startswith(label))
        before = len(self.api.sent("answerCallbackQuery"))
        self.api.callback_query(
            button["callback_data"], message=message, user_id=self.user_id, first_name=self.name
        )
        answers = await self.api.wait_for("answerCallbackQuery", count=before + 1)
        return answers[before]

    def current(self, message: JSON) -> JSON:
        """A message as it is now (after edits)."""
        return next(
            m
            for m in self.api.sent_messages(chat_id=self.user_id)
            if m["message_id"] == message["message_id"]
        )
