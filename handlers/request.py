"""The request path: one decorator resolves, once, what every handler used to look up itself.

    @handles(ADMIN)
    async def queue_command(request: Request) -> None:
        await request.reply(request.t("review.empty"))

`handles(access)` turns such a function into a python-telegram-bot callback. It builds a
`Request` from the update: the message (or the button pressed and the message under it), the
texts in the person's language, the services, the chat kind, the forum topic, and the caller; it
checks the access the handler declares; and it renders every `Refusal` the handler or a service
raises in one place: an alert under a pressed button, a reply to a message. A pressed button is
always answered, so no spinner keeps turning. Every reply goes to the chat and forum topic the
update came from.

What arrives is cleaned here (no NUL characters: PostgreSQL refuses them in text), and what
leaves fits Telegram: a text longer than a message is sent as several, cut between lines, with
the buttons under the last; a button's answer and a caption are cut with "…"."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardMarkup,
    InputFile,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import Forbidden

from domain.chat import Destination
from domain.messages import ALERT_LIMIT, CAPTION_LIMIT, split_message, truncate
from domain.status import UserRole
from handlers.context import AWAITING, LANG, Context, caller_of, text_for
from handlers.refusals import refusal_text
from locales import Text
from parsing.arguments import clean
from scoring.model import Directory, Framework, SubIndex
from services.container import Services
from services.identity import Caller, Person
from services.refusal import Refusal

log = logging.getLogger(__name__)


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"  # groups and supergroups; channels are not served


class Where(Enum):
    ANYWHERE = "anywhere"
    PRIVATE = "private"  # personal data, writes, invite codes: never shown in a group
    GROUP = "group"  # registers the group itself


class Who(Enum):
    ANYONE = "anyone"
    FOCAL_POINT = "focal point"  # linked to an agency (or a leader or administrator)
    LEADER = "leader"  # a leader or an administrator
    ADMIN = "admin"  # in ADMIN_IDS, or granted the role with /capquyen


@dataclass(frozen=True, slots=True)
class Access:
    """Where a handler works and who may use it."""

    where: Where = Where.ANYWHERE
    who: Who = Who.ANYONE


ANYONE = Access()
PRIVATE = Access(Where.PRIVATE)
GROUP = Access(Where.GROUP)
FOCAL_POINT = Access(Where.PRIVATE, Who.FOCAL_POINT)
ADMIN = Access(Where.PRIVATE, Who.ADMIN)  # administrators' commands answer in private only

# The message shown when someone is not who a handler needs.
WHO_REFUSALS = {
    Who.FOCAL_POINT: "problem.update.unregistered",
    Who.LEADER: "digest.not_allowed",
    Who.ADMIN: "problem.review.not_admin",
}


class Request:
    """One update as the handlers need it. Built by `handles`; never by a handler."""

    def __init__(
        self,
        update: Update,
        context: Context,
        caller: Caller,
        chat_kind: ChatKind,
        destination: Destination,
        message: Message | None,
    ) -> None:
        self.update = update
        self.context = context
        self.caller = caller
        self.chat_kind = chat_kind
        self.destination = destination
        self.services: Services = context.bot_data.services
        self.t: Text = text_for(context)
        self.query: CallbackQuery | None = update.callback_query
        # The user's message, or the bot's message under the pressed button (None when Telegram
        # no longer gives it: a deleted or very old message).
        self.message = message
        # Arguments as typed, cleaned; one that was nothing but NULs is no argument at all.
        self.args: tuple[str, ...] = tuple(a for a in map(clean, context.args or ()) if a)
        self._person: Person | None = None
        self._answered = False

    @classmethod
    def of(cls, update: Update, context: Context) -> Request | None:
        """The request of an update from a person in a private chat or a group; None for
        anything else (channel posts, inline queries), which the bot does not serve."""
        caller, chat = caller_of(update), update.effective_chat
        if caller is None or chat is None or chat.type == ChatType.CHANNEL:
            return None
        kind = ChatKind.PRIVATE if chat.type == ChatType.PRIVATE else ChatKind.GROUP
        target = update.callback_query.message if update.callback_query else None
        message = _accessible(target or update.effective_message)
        # A forum topic's id; in a group without topics message_thread_id only marks a chain of
        # replies, and sending to it would fail.
        thread = message.message_thread_id if message and message.is_topic_message else None
        return cls(update, context, caller, kind, Destination(chat.id, thread), message)

    # ------------------------------------------------------------------ what was asked
    @property
    def text(self) -> str:
        """The text of the user's message ("" for a button or a file)."""
        if self.query is not None or self.message is None:
            return ""
        return clean(self.message.text or "")

    @property
    def caption(self) -> str:
        """The caption of the user's file or photo ("" for anything else)."""
        if self.query is not None or self.message is None:
            return ""
        return clean(self.message.caption or "")

    @property
    def data(self) -> str:
        """The data of the pressed button ("" for a message)."""
        return clean(self.query.data or "") if self.query else ""

    @property
    def command(self) -> str:
        """The command typed ("/moi"), without the bot's name; "" when there is none."""
        first = self.text.split(maxsplit=1)[0] if self.text.startswith("/") else ""
        return first.split("@")[0]

    @property
    def bot_username(self) -> str:
        return self.context.bot.username

    @property
    def bot_id(self) -> int:
        return self.context.bot.id

    @property
    def is_private(self) -> bool:
        return self.chat_kind is ChatKind.PRIVATE

    async def person(self) -> Person:
        """The sender as a user of the bot, recorded on first contact; looked up once."""
        if self._person is None:
            self._person = await self.services.identity.person(self.caller)
        return self._person

    async def reference(self) -> tuple[Framework, Directory]:
        """The framework being scored and the agencies."""
        return await self.services.scores.reference()

    async def require(self, access: Access) -> None:
        """Go on only if this chat and this person have `access`; else a refusal that says
        where, or whom to ask."""
        if access.where is Where.PRIVATE and not self.is_private:
            command = self.command
            raise Refusal("private.command" if command else "private.only", command=command)
        if access.where is Where.GROUP and self.is_private:
            raise Refusal("group.only_in_group")
        if access.who is Who.ANYONE:
            return
        person = await self.person()
        allowed = {
            Who.FOCAL_POINT: person.is_registered,
            Who.LEADER: person.role in (UserRole.LEADER, UserRole.ADMIN),
            Who.ADMIN: person.is_admin,
        }[access.who]
        if not allowed:
            raise Refusal(WHO_REFUSALS[access.who])

    # ------------------------------------------------------------------ input the bot awaits
    def expect(self, **what: Any) -> None:
        """Remember what the person's next text message answers (a value, a reason)."""
        if self.context.user_data is not None:
            self.context.user_data[AWAITING] = what

    def take_expected(self) -> dict[str, Any] | None:
        """What the bot was waiting for, forgotten as it is taken."""
        if self.context.user_data is None:
            return None
        awaited: dict[str, Any] | None = self.context.user_data.pop(AWAITING, None)
        return awaited

    def use_language(self, language: str) -> None:
        """Answer this person in `language` from now on (this request included)."""
        if self.context.user_data is not None:
            self.context.user_data[LANG] = language
        self.t = self.services.texts.for_language(language)

    # ------------------------------------------------------------------ answering
    async def reply(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Answer a message as a reply to it; a button press as a new message. Either way in
        the chat and forum topic the update came from; a long text as several messages."""
        if self.query is None and self.message is not None:
            first, *rest = split_message(text)
            await self.message.reply_text(
                first,
                reply_markup=None if rest else markup,
                message_thread_id=self.destination.thread_id,
            )
            await send_parts(self.context.bot, self.destination, rest, markup)
        else:
            await self.send(text, markup)

    async def send(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """A new message (not a reply) in the chat and forum topic of the update."""
        await send_text(self.context.bot, self.destination, text, markup)

    async def reply_photo(self, photo: bytes | str | InputFile, caption: str) -> None:
        """A photo (bytes, or a file id Telegram keeps) where `reply` would put text."""
        caption = truncate(caption, CAPTION_LIMIT)
        if self.query is None and self.message is not None:
            await self.message.reply_photo(
                photo, caption=caption, message_thread_id=self.destination.thread_id
            )
        else:
            await self.context.bot.send_photo(
                self.destination.chat_id,
                photo,
                caption=caption,
                message_thread_id=self.destination.thread_id,
            )

    async def reply_document(self, document: InputFile | str, caption: str | None = None) -> None:
        """A document (a new file, or a file id Telegram keeps) where `reply` would put text."""
        caption = truncate(caption, CAPTION_LIMIT) if caption else caption
        if self.query is None and self.message is not None:
            await self.message.reply_document(
                document, caption=caption, message_thread_id=self.destination.thread_id
            )
        else:
            await self.context.bot.send_document(
                self.destination.chat_id,
                document,
                caption=caption,
                message_thread_id=self.destination.thread_id,
            )

    async def send_private(self, text: str) -> bool:
        """Send to the caller's private chat; False when they have not started the bot (or
        blocked it), so nothing could be sent."""
        try:
            await send_text(self.context.bot, Destination(self.caller.telegram_id), text)
        except Forbidden:
            return False
        return True

    async def edit(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace the text of the message under the pressed button (what does not fit in one
        message follows as new ones, with the buttons under the last)."""
        target = self.query.message if self.query else None
        if target is None:
            return
        first, *rest = split_message(text)
        shown = self.message
        if not rest and shown is not None and (shown.text, shown.reply_markup) == (first, markup):
            return  # Telegram refuses an edit that changes nothing
        await self.context.bot.edit_message_text(
            first,
            chat_id=target.chat.id,
            message_id=target.message_id,
            reply_markup=None if rest else markup,
        )
        await send_parts(self.context.bot, self.destination, rest, markup)

    async def edit_buttons(self, markup: InlineKeyboardMarkup | None) -> None:
        """Replace the buttons under the pressed one's message (a page of a long list); nothing
        happens when they are those already shown."""
        target = self.message if self.query else None
        if target is None or target.reply_markup == markup:
            return
        await self.context.bot.edit_message_reply_markup(
            chat_id=target.chat.id, message_id=target.message_id, reply_markup=markup
        )

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Stop the pressed button's spinner, showing `text` (an alert when `alert`). Once."""
        if self.query is None or self._answered:
            return
        self._answered = True
        await self.query.answer(truncate(text, ALERT_LIMIT) if text else None, show_alert=alert)

    async def refuse(self, refusal: Refusal) -> None:
        """Tell the user why not, and what to do instead: under a button as an alert, else as
        a reply."""
        _, directory = await self.reference()
        text = refusal_text(
            self.t, refusal, directory, self.bot_username, self.services.calendar.zone
        )
        if self.query is not None:
            await self.answer(text, alert=True)
        else:
            await self.reply(text)


Handler = Callable[[Request], Awaitable[None]]
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]
ACCESS = "access"  # attribute of every callback `handles` makes: the Access it declares


def handles(access: Access = ANYONE) -> Callable[[Handler], Callback]:
    """A handler of requests that need `access`, as a python-telegram-bot callback."""

    def decorate(handler: Handler) -> Callback:
        @functools.wraps(handler)
        async def callback(update: Update, context: Context) -> None:
            request = Request.of(update, context)
            if request is None:
                if update.callback_query is not None:
                    await update.callback_query.answer()
                return
            try:
                await request.require(access)
                await handler(request)
            except Refusal as refusal:
                await request.refuse(refusal)
            await request.answer()  # a button the handler did not answer still stops spinning

        setattr(callback, ACCESS, access)
        return callback

    return decorate


async def sub_index_argument(request: Request, usage: str) -> SubIndex:
    """The sub-index a command's first argument names; else the command's usage (`usage`)."""
    framework, _ = await request.reference()
    sub = framework.sub_index(request.args[0] if request.args else "")
    if sub is None:
        raise Refusal(usage)
    return sub


async def send_text(
    bot: Bot, destination: Destination, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send `text` to a chat and forum topic: as several messages, cut between lines, when it
    is longer than Telegram allows; the buttons go under the last."""
    await send_parts(bot, destination, split_message(text), markup)


async def send_parts(
    bot: Bot, destination: Destination, parts: list[str], markup: InlineKeyboardMarkup | None
) -> None:
    for n, part in enumerate(parts, 1):
        await bot.send_message(
            destination.chat_id,
            part,
            reply_markup=markup if n == len(parts) else None,
            message_thread_id=destination.thread_id,
        )


def _accessible(message: MaybeInaccessibleMessage | None) -> Message | None:
    return message if isinstance(message, Message) else None
