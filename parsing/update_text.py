"""Metric updates typed in chat: "/capnhat 8.2 12,5%", "cập nhật 3.3 = 85,6 quý 3", "8.2: có".

Only the shape is read here: the value comes back as typed, for parse_number or yes_no to judge
against the sub-index it belongs to, since only that says whether "1.234" may be a count.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from parsing.period_text import PeriodTextError, collapse_spaces, find_period, fold_same_length
from parsing.yes_no import yes_no

COMMANDS = frozenset({"capnhat", "cap_nhat", "update"})
# Patterns run on fold_same_length text, so their offsets slice the text as typed.
_COMMAND = re.compile(r"/(?P<name>\w+)(?:@\w+)?(?=\s|$)")
_KEYWORD = re.compile(r"(?:cap\s*nhat|update|set)\s*:?(?=\s|$)")
# Dot codes only: "8,2" is as likely the value 8.2 as the sub-index 8.2.
_CODE = re.compile(
    r"\s*(?:(?:chi\s+so|index)\s*)?(?P<pillar>[0-9]{1,2})\.(?P<sub>[0-9]{1,2})(?!\w|[.,][0-9])"
)
_BARE_MARK = re.compile(r"\s*(?P<mark>[:=])")
_LINK = re.compile(r"\s*(?:[:=]|(?:la|to|bang)(?=\s))")
# A token may hold no-break spaces: they group thousands inside a number ("1 082 862").
_TOKEN = re.compile(r"\s*(?P<token>[\S\u00a0\u202f]+)")
_DETACHED_PERCENT = re.compile(r"\s*%[.,;:!?]*(?=\s|$)")
_NUMBERISH = re.compile(
    r"[+\-\u2212]?(?:[0-9]|[.,][0-9])[0-9.,\u00a0\u202f]*(?:[\u00a0\u202f]?%)?"
)
_TRAILING_PUNCTUATION = ".,;:!?"
# Punctuation left between the value and the note: "12,5%, theo …", "có - theo …".
_NOTE_LEAD = re.compile(r"^(?:[,;:]+|[-\u2013\u2014]+(?=\s|$))\s*")


@dataclass(frozen=True, slots=True)
class UpdateRequest:
    code: str  # sub-index code, normalised: "8.2"
    raw_value: str  # the value as typed ("12,5%", "có", "1.082.862"), "%" attached
    period: str | None  # a scoring.periods code, or None when the text names none
    note: str  # the rest of the text, e.g. "theo số liệu Sở KH&CN"; "" when nothing


class UpdateSyntaxError(ValueError):
    """An update that cannot be completed: reason is "no_code", "no_value" or "bad_period"."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(f"{reason}" + (f" for {code}" if code else ""))
        self.reason = reason
        self.code = code


def parse_update(text: str, today: date) -> UpdateRequest | None:
    """The update a text asks for; None when it is not an update at all."""
    source = unicodedata.normalize("NFC", text).strip()
    folded = fold_same_length(source)
    command = _COMMAND.match(folded)
    if command:
        if command["name"] not in COMMANDS:
            return None
        return _explicit(source, folded, command.end(), today, insist=True)
    keyword = _KEYWORD.match(folded)
    if keyword:
        return _explicit(source, folded, keyword.end(), today, insist=False)
    return _bare(source, folded, today)


def _explicit(
    source: str, folded: str, at: int, today: date, *, insist: bool
) -> UpdateRequest | None:
    """After "/capnhat" or "cập nhật": a code, then the value and period in any order."""
    found = _CODE.match(folded, at)
    if not found:
        token = _TOKEN.match(source, at)
        # "cập nhật 12,5" lacks a code; "cập nhật danh bạ" is simply not about a metric.
        if insist or (token and _NUMBERISH.fullmatch(_trim(token["token"]))):
            raise UpdateSyntaxError("no_code")
        return None
    code = _code(found)
    period, rest = _period(source[found.end() :], today, code)
    link = _LINK.match(fold_same_length(rest))
    value = _value(rest[link.end() :] if link else rest)
    if value is None:
        raise UpdateSyntaxError("no_value", code)
    raw, note = value
    return UpdateRequest(code, raw, period, note)


def _bare(source: str, folded: str, today: date) -> UpdateRequest | None:
    """Code first, as in "8.2: 12,5% quý 3": the ":" or "=" after the code marks an update."""
    found = _CODE.match(folded)
    mark = found and _BARE_MARK.match(folded, found.end())
    if not found or not mark:
        return None
    code = _code(found)
    value = _value(source[mark.end() :])
    if value is None:
        # "8.2 = …" can only be an assignment; "8.2: …" may just as well be a heading.
        if mark["mark"] == "=":
            raise UpdateSyntaxError("no_value", code)
        return None
    raw, rest = value
    period, note = _period(rest, today, code)
    return UpdateRequest(code, raw, period, _note(note))


def _code(found: re.Match[str]) -> str:
    return f"{int(found['pillar'])}.{int(found['sub'])}"


def _period(text: str, today: date, code: str) -> tuple[str | None, str]:
    try:
        return find_period(text, today)
    except PeriodTextError as error:
        raise UpdateSyntaxError("bad_period", code) from error


def _value(text: str) -> tuple[str, str] | None:
    """(value as typed, the rest as a note) when the text starts with a value."""
    token = _TOKEN.match(text)
    if not token:
        return None
    raw, end = _trim(token["token"]), token.end()
    if _NUMBERISH.fullmatch(raw):
        raw = re.sub(r"[\s\u00a0\u202f]+%$", "%", raw)
        percent = None if raw.endswith("%") else _DETACHED_PERCENT.match(text, end)
        if percent:
            raw, end = raw + "%", percent.end()
        return raw, _note(text[end:])
    following = _TOKEN.match(text, end)
    if raw and following:
        # Two-word answers first: "chưa đạt" is one answer, not "chưa" and a note "đạt".
        pair = f"{raw} {_trim(following['token'])}"
        if _trim(following["token"]) and yes_no(pair) is not None:
            return pair, _note(text[following.end() :])
    if raw and yes_no(raw) is not None:
        return raw, _note(text[end:])
    return None


def _trim(token: str) -> str:
    """A token without the sentence punctuation after it: "12,5%," -> "12,5%"."""
    return token.rstrip(_TRAILING_PUNCTUATION)


def _note(text: str) -> str:
    return _NOTE_LEAD.sub("", collapse_spaces(text), count=1)
