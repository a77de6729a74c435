"""Numbers as people type them: Vietnamese "1.082,5" or international "1,082.5".

Vietnamese writes a decimal comma and dots between thousands; English the opposite. Both are
accepted. Where one spelling could be either ("1.234") a percentage is asked back, not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

MAX_DIGITS = 30  # far beyond any indicator value; bounds the work a hostile text can cause
_SIGNS = {"+": "", "-": "-", "\u2212": "-"}
_NO_BREAK_SPACES = "\u00a0\u202f"
_BODY = re.compile(r"[0-9.,\u00a0\u202f]*[0-9][0-9.,\u00a0\u202f]*")
# Only a no-break space may group thousands: a plain space more likely separates two numbers.
_SPACED = re.compile(
    r"(?P<whole>[1-9][0-9]{0,2}(?P<space>[\u00a0\u202f])[0-9]{3}(?:(?P=space)[0-9]{3})*)"
    r"(?:[.,](?P<fraction>[0-9]+))?"
)
_LEAD_GROUP = re.compile(r"[1-9][0-9]{0,2}")
_GROUPED = {
    mark: re.compile(rf"[1-9][0-9]{{0,2}}(?:{re.escape(mark)}[0-9]{{3}})+") for mark in ".,"
}


class NumberKind(StrEnum):
    DECIMAL = "decimal"  # percentages, rates, points: fractions allowed
    INTEGER = "integer"  # counts


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    value: Decimal
    percent: bool  # the text carried a % sign


class NumberError(ValueError):
    """reason is "empty", "invalid", "ambiguous" or "not_integer"."""

    def __init__(self, reason: str, text: str, candidates: tuple[Decimal, ...] = ()) -> None:
        super().__init__(f"{reason} number: {text!r}")
        self.reason = reason
        self.text = text
        self.candidates = candidates  # for "ambiguous": the readings, smaller first


def parse_number(text: str, kind: NumberKind = NumberKind.DECIMAL) -> ParsedNumber:
    """The number a text spells, in either convention; NumberError for anything else."""
    stripped = text.strip()
    if not stripped:
        raise NumberError("empty", stripped)
    body, percent = stripped, stripped.endswith("%")
    if percent:
        body = body[:-1].rstrip()
    sign = _SIGNS.get(body[:1])
    if sign is None:
        sign = ""
    else:
        body = body[1:]
    if not _BODY.fullmatch(body):
        raise NumberError("invalid", stripped)
    whole, fraction, either = _split(body, stripped)
    if len(whole or "0") + len(fraction) > MAX_DIGITS:
        raise NumberError("invalid", stripped)
    if either:
        if kind is NumberKind.INTEGER:
            # Counts have no fractions, so the only sensible reading is thousands.
            whole, fraction = whole + fraction, ""
        else:
            readings = (_decimal(sign, whole, fraction), _decimal(sign, whole + fraction, ""))
            raise NumberError("ambiguous", stripped, tuple(sorted(readings)))
    if kind is NumberKind.INTEGER and fraction.strip("0"):
        raise NumberError("not_integer", stripped)
    return ParsedNumber(_decimal(sign, whole, fraction), percent)


def _split(body: str, stripped: str) -> tuple[str, str, bool]:
    """(whole digits, fraction digits, whether the single mark may also group thousands)."""
    if any(space in body for space in _NO_BREAK_SPACES):
        spaced = _SPACED.fullmatch(body)
        if not spaced:
            raise NumberError("invalid", stripped)
        whole = spaced["whole"].replace(spaced["space"], "")
        return whole, spaced["fraction"] or "", False
    marks = {char for char in body if char in ".,"}
    if not marks:
        return body, "", False
    if len(marks) == 2:
        # Both marks: the last is the decimal mark and the other must group thousands.
        at = max(body.rfind("."), body.rfind(","))
        whole, fraction = body[:at], body[at + 1 :]
        grouping = "," if body[at] == "." else "."
        if not fraction or not _GROUPED[grouping].fullmatch(whole):
            raise NumberError("invalid", stripped)
        return whole.replace(grouping, ""), fraction, False
    (mark,) = marks
    if body.count(mark) > 1:
        if not _GROUPED[mark].fullmatch(body):
            raise NumberError("invalid", stripped)
        return body.replace(mark, ""), "", False
    whole, fraction = body.split(mark)
    if not fraction:
        raise NumberError("invalid", stripped)
    # "1.234" groups thousands or has three decimals; "0.123" and "1234.567" can only be decimals.
    either = len(fraction) == 3 and _LEAD_GROUP.fullmatch(whole) is not None
    return whole, fraction, either


def _decimal(sign: str, whole: str, fraction: str) -> Decimal:
    """Built from the digits as written, so no context precision or rounding applies."""
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    if whole == "0" and not fraction:
        sign = ""  # no "-0": it would format and store as a negative
    return Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")


def format_vi(value: Decimal) -> str:
    """Vietnamese spelling: 1082862.5 -> "1.082.862,5"; no exponent, no trailing zeros."""
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    # copy_abs, unlike abs(), ignores the context precision and so never rounds.
    whole, _, fraction = format(value.copy_abs(), "f").partition(".")
    fraction = fraction.rstrip("0")
    head = len(whole) % 3 or 3
    groups = [whole[:head], *(whole[i : i + 3] for i in range(head, len(whole), 3))]
    sign = "-" if value < 0 else ""
    return sign + ".".join(groups) + ("," + fraction if fraction else "")
