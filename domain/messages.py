"""What fits in a Telegram message, and how long the texts people type may be.

Telegram refuses a message over 4,096 characters, a caption over 1,024 and the answer to a
pressed button over 200 ("message is too long"). Replies are split here, between lines, in one
place (handlers.request), so no handler can forget. What people type (a note, a reason, an
explanation, a deadline's title) is bounded when it is typed, and every view that lists it cuts
it with "…" and says how to read the whole, so nothing stored can make a later view fail.

Lengths are counted in UTF-16 code units, as Telegram counts entity offsets: never fewer than
characters, so a part that fits by this count fits by Telegram's."""

from __future__ import annotations

from dataclasses import dataclass

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200  # the text of a button press's answer
ELLIPSIS = "…"

# How long typed texts may be, in characters. A phone shows about 40 characters a line, so 500
# is a dozen lines: a note or a reason reads on one screen. The longest single-item view (a
# value with its note, the reason it was returned and an explanation, /lichsu 8.2 #id) stays
# within one message: 500 + 500 + 1,500 + ~400 of figures and names < 4,096.
NOTE_LIMIT = 500  # the note typed after a value ("theo báo cáo quý 3 của Sở …")
REASON_LIMIT = 500  # why an administrator returns a value
EXPLANATION_LIMIT = 1500  # a focal point's explanation (giải trình): a few paragraphs
TITLE_LIMIT = 120  # a deadline's title (/themhan), shown in every reminder and calendar line
# How much of a typed text a list shows on one line (history, the review queue, /chiso).
LIST_WIDTH = 80


def units(text: str) -> int:
    """The length of `text` as Telegram counts it (UTF-16 code units): two bytes each, counted
    by the codec (a loop over the characters took half a millisecond for one reply). A lone
    surrogate, which JSON can carry, is one unit."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _prefix(text: str, limit: int) -> int:
    """The number of characters of `text` whose UTF-16 length is at most `limit`."""
    if len(text) <= limit and units(text) <= limit:
        return len(text)
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def truncate(text: str, limit: int) -> str:
    """`text` when it fits in `limit`, else cut at a word boundary and ended with "…"."""
    if units(text) <= limit:
        return text
    if limit < 1:
        return ""
    cut = text[: _prefix(text, limit - 1)]
    spaced = cut.rsplit(maxsplit=1)[0] if " " in cut.strip() else cut
    # Cut at the last space unless that throws away most of the room (one very long word).
    kept = spaced if len(spaced) * 2 >= len(cut) else cut
    return kept.rstrip() + ELLIPSIS


def inline(text: str, limit: int = LIST_WIDTH) -> str:
    """A typed text on one line of a list: whitespace collapsed, cut with "…" at `limit`."""
    return truncate(" ".join(text.split()), limit)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`text` as messages of at most `limit`, cut between lines; a line longer than `limit` is
    cut at its last space before the limit (at the limit when it has none). Blank parts are
    dropped; a text with nothing but whitespace comes back as it is."""
    if units(text) <= limit or not text.strip():
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while units(line) > limit:
            room = _prefix(line, limit)
            space = line.rfind(" ", 0, room + 1)
            cut = max(space if space > 0 else room, 1)  # always move on
            _flush(parts, current)
            current = ""
            parts.append(line[:cut])
            line = line[cut:].lstrip(" ")
        joined = f"{current}\n{line}" if current else line
        if units(joined) <= limit:
            current = joined
        else:
            _flush(parts, current)
            current = line
    _flush(parts, current)
    return [part for part in parts if part.strip()] or [text[: _prefix(text, limit)]]


def _flush(parts: list[str], current: str) -> None:
    if current.strip():
        parts.append(current.strip("\n"))


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: items [start, end) of it, page `number` (from 0) of `count`."""

    number: int
    count: int
    start: int
    end: int


def page_of(total: int, size: int, wanted: int) -> Page:
    """The page `wanted` of a list of `total` items, `size` a page; pages wrap around, so
    "next" on the last page is the first."""
    count = max(1, -(-total // size))
    number = wanted % count
    start = number * size
    return Page(number, count, start, min(start + size, total))
