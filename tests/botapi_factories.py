"""Wire format and JSON builders for the fake Bot API in :mod:`botapi` (no server state here).

Builders return plain ``dict``s shaped like the Bot API's objects; entity offsets and lengths are
in UTF-16 code units, as Telegram counts them. Error wordings are Telegram's.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import re
import time
from http import HTTPStatus
from typing import Any

from aiohttp import web

JSON = dict[str, Any]
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})  # fmt: skip
# form fields that are strings in the Bot API even when they look like numbers or JSON
_STRING_FIELDS = frozenset({
    "text", "caption", "data", "parse_mode", "callback_query_id", "file_id", "url", "title",
    "description", "short_description", "name", "query", "emoji", "action", "language_code",
    "inline_message_id", "photo", "document", "sticker", "secret_token", "message_effect_id",
    "business_connection_id", "custom_emoji_id",
})  # fmt: skip
_INT_RE = re.compile(r"-?[0-9]{1,19}")

_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{5,32}(?!\w)")
_URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]']")
_NO_AUTO_INSIDE = {"code", "pre", "text_link", "url"}

# tag -> entity type, as accepted by Telegram's HTML parse mode
_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "a": "text_link", "code": "code", "pre": "pre",
    "tg-spoiler": "spoiler", "span": "spoiler", "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}  # fmt: skip
_HTML_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_ATTR_RE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


class ApiError(Exception):
    """An error answer; ``status`` is both the HTTP status and ``error_code``, like Telegram."""

    def __init__(
        self,
        status: int,
        description: str | None = None,
        retry_after: Any = None,
        migrate_to_chat_id: int | None = None,
    ):
        if description is None:
            description = {
                400: "Bad Request",
                403: "Forbidden: bot was blocked by the user",
                429: "Too Many Requests" + (f": retry after {retry_after}" if retry_after else ""),
            }.get(status) or _phrase(status)
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and _INT_RE.fullmatch(value)):
        return int(value)
    return None


def decode_field(key: str, value: str) -> Any:
    """Form fields arrive as strings: PTB ``json.dumps`` every value that is not a str."""
    if key in _STRING_FIELDS:
        return value
    if value[:1] in ("[", "{"):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    if _INT_RE.fullmatch(value):
        return int(value)
    return {"true": True, "false": False}.get(value, value)


async def read_params(request: web.Request) -> JSON:
    """Query string + JSON body, or urlencoded / multipart form (PTB sends these two).

    Uploaded files are recorded as ``{"filename", "size", "mime_type", "sha256"}``, not their
    bytes.
    """
    params: JSON = {k: decode_field(k, v) for k, v in request.query.items()}
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
                data = value.file.read()
                params[key] = {"filename": value.filename, "size": len(data),
                               "mime_type": value.content_type,
                               "sha256": hashlib.sha256(data).hexdigest()}  # fmt: skip
            else:
                params[key] = decode_field(key, str(value))
    return params


def inline_markup(params: JSON) -> JSON | None:
    """Only inline keyboards are part of a Message; reply keyboards are not echoed back."""
    markup = params.get("reply_markup")
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


def formatted(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
    """(plain text, entities) as Telegram stores a text sent with that parse_mode/entities.

    HTML is parsed like Telegram does; Markdown/MarkdownV2 text is passed through unparsed.
    """
    mode = (parse_mode or "").lower()
    entities = entities if isinstance(entities, list) else []
    if mode == "html":
        try:
            text, entities = parse_html(text)
        except ParseError as err:
            raise ApiError(400, f"Bad Request: can't parse entities: {err}") from None
    elif mode not in ("", "markdown", "markdownv2"):
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    return text, auto_entities(text, entities)


def text_fields(text: str, key: str = "text", entities_key: str = "entities") -> JSON:
    """``{"text": ..., "entities": [...]}`` of an incoming message, entities only if any."""
    entities = auto_entities(text)
    return {key: text, entities_key: entities} if entities else {key: text}


def bot_user(token: str, username: str) -> JSON:
    return {
        "id": int(token.split(":")[0]), "is_bot": True, "first_name": "Trợ lý DTI",
        "username": username, "can_join_groups": True, "can_read_all_group_messages": False,
        "supports_inline_queries": False, "can_connect_to_business": False,
        "has_main_web_app": False,
    }  # fmt: skip


def chat_full_info(chat: JSON) -> JSON:
    """getChat's ChatFullInfo: PTB 22 requires accent_color_id, max_reaction_count, gifts."""
    gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
             "gifts_from_channels")  # fmt: skip
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts, True)}  # fmt: skip


def now() -> int:
    return int(time.time())


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def user(
    user_id: int, first_name: str, language_code: str | None = "vi", username: str | None = None
) -> JSON:
    result: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        result["username"] = username
    if language_code:
        result["language_code"] = language_code
    return result


def private_chat(sender: JSON) -> JSON:
    chat = {"id": sender["id"], "type": "private", "first_name": sender["first_name"]}
    if "username" in sender:
        chat["username"] = sender["username"]
    return chat


def supergroup_chat(chat_id: int, title: str, *, forum: bool = False) -> JSON:
    """A supergroup; with `forum`, one with topics (Telegram's ``is_forum``)."""
    chat: JSON = {"id": chat_id, "type": "supergroup", "title": title}
    if forum:
        chat["is_forum"] = True
    return chat


def group_chat(chat_id: int, title: str) -> JSON:
    """A basic group (ids without the -100 prefix), before it becomes a supergroup."""
    return {"id": chat_id, "type": "group", "title": title}


def thumbnail_size(width: int, height: int) -> tuple[int, int]:
    """Telegram's smallest PhotoSize fits in 90x90."""
    scale = 90 / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def auto_entities(text: str, explicit: list[JSON] | None = None) -> list[JSON]:
    """Entities Telegram detects by itself: bot commands, @mentions and URLs.

    Detected entities overlapping an explicit code/pre/link entity are dropped, and the result
    (explicit + detected) is sorted by offset like Telegram's.
    """
    explicit = list(explicit or [])
    blocked = [
        (e["offset"], e["offset"] + e["length"]) for e in explicit if e["type"] in _NO_AUTO_INSIDE
    ]
    found: list[JSON] = []
    for kind, regex in (("bot_command", _COMMAND_RE), ("mention", _MENTION_RE), ("url", _URL_RE)):
        for m in regex.finditer(text):
            start, length = utf16_len(text[: m.start()]), utf16_len(m.group())
            if any(start < end and begin < start + length for begin, end in blocked):
                continue
            found.append({"type": kind, "offset": start, "length": length})
            blocked.append((start, start + length))
    return sorted(explicit + found, key=lambda e: (e["offset"], -e["length"]))


class ParseError(ValueError):
    """The text is not valid for its parse_mode; the message is Telegram's wording."""


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Telegram's HTML parse mode: returns (plain text, entities) or raises :class:`ParseError`.

    Follows tdlib's rules and error wording: only the documented tags, ``&lt; &gt; &amp;
    &quot;`` and numeric character references are decoded, other ``&...;`` stay literal.
    """

    def byte_offset(index: int) -> int:
        return len(source[:index].encode())

    out: list[str] = []
    size = 0  # UTF-16 length of the plain text so far
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[JSON] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&" and (m := _HTML_ENTITY_RE.match(source, i)):
            piece, i = html.unescape(m.group()), m.end()
        elif char != "<":
            piece, i = char, i + 1
        elif source.startswith("</", i):
            end = source.find(">", i)
            if end < 0:
                raise ParseError(f"Unclosed end tag at byte offset {byte_offset(i)}")
            name = source[i + 2 : end].strip().lower()
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {byte_offset(i)}")
            tag, start, attrs = stack.pop()
            if name and name != tag:
                raise ParseError(
                    f"Unmatched end tag at byte offset {byte_offset(i)}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            if size > start:
                entities.append(_html_entity(tag, attrs, start, size - start))
            i = end + 1
            continue
        else:
            name_end = i + 1
            while name_end < len(source) and source[name_end] not in " \t\r\n>":
                name_end += 1
            end = source.find(">", name_end)
            if name_end >= len(source) or end < 0:
                raise ParseError(f"Unclosed start tag at byte offset {byte_offset(i)}")
            name = source[i + 1 : name_end].lower()
            if name not in _HTML_TAGS:
                raise ParseError(f'Unsupported start tag "{name}" at byte offset {byte_offset(i)}')
            attrs = {
                m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
                for m in _ATTR_RE.finditer(source, name_end, end)
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise ParseError('Tag "span" must have class "tg-spoiler"')
            stack.append((name, size, attrs))
            i = end + 1
            continue
        out.append(piece)
        size += utf16_len(piece)
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), _merge_pre_code(entities)


def _html_entity(tag: str, attrs: dict[str, str], offset: int, length: int) -> JSON:
    entity: JSON = {"type": _HTML_TAGS[tag], "offset": offset, "length": length}
    if tag == "a":
        entity["url"] = attrs.get("href", "")
    elif tag == "code" and attrs.get("class", "").startswith("language-"):
        entity["language"] = attrs["class"].removeprefix("language-")
    elif tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    return entity


def _merge_pre_code(entities: list[JSON]) -> list[JSON]:
    """``<pre><code class="language-x">`` becomes a single pre entity with a language."""
    result = []
    for entity in entities:
        span = (entity["offset"], entity["length"])
        pre = [e for e in entities if e["type"] == "pre" and (e["offset"], e["length"]) == span]
        if entity["type"] == "code" and pre:
            if "language" in entity:
                pre[0]["language"] = entity["language"]
            continue
        result.append(entity)
    return sorted(result, key=lambda e: (e["offset"], -e["length"]))
