"""Intents as short texts and back (pure): what a "did you mean …?" button carries, so pressing
it answers exactly the candidate it stands for, with no text typed by a user read again.

    encode(Holders(Subject(SubjectKind.SUB_INDEX, "3.3")))   # "h|s3.3|"
    decode("h|s3.3|")                                          # the same Holders

A kind letter, then the intent's fields separated by "|". Telegram keeps at most 64 bytes of
button data: `encode` gives None for an intent that does not fit (or whose typed parts hold a
separator), and `decode` gives None for any text that is not exactly such an encoding.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from parsing.intents import (
    TOTAL,
    Change,
    Chart,
    ChartKind,
    Deadlines,
    Export,
    Gap,
    Help,
    Holders,
    Holdings,
    Intent,
    MyWork,
    NotReported,
    Rank,
    Score,
    Subject,
    SubjectKind,
    Summary,
    Trend,
    Update,
    Weakest,
    WhatIf,
)

MAX_BYTES = 64  # Telegram's limit on a button's callback data
_FIELD, _ITEM, _VALUE = "|", ";", "="
_POINTS = "!"  # after a change's value: the change is in points ("được 30 điểm")
_STEPS = {1: "^", -1: "_"}  # before a change's value: a step up or down ("tăng thêm 10%")
_STEP_OF = {mark: step for step, mark in _STEPS.items()}
_SUBJECT_KINDS = {SubjectKind.TOTAL: "t", SubjectKind.PILLAR: "p", SubjectKind.SUB_INDEX: "s"}
_SUBJECT_LETTERS = {letter: kind for kind, letter in _SUBJECT_KINDS.items()}


def encode(intent: Intent, prefix: str = "") -> str | None:
    """`prefix` and the intent as one short text; None when it cannot be carried."""
    fields = _fields(intent)
    if fields is None:
        return None
    letter, *parts = fields
    if any(_FIELD in p for p in parts):
        return None
    text = prefix + _FIELD.join([letter, *parts])
    return text if len(text.encode()) <= MAX_BYTES else None


def decode(text: str) -> Intent | None:
    """The intent `encode` made this text from (without its prefix); None for anything else."""
    letter, _, rest = text.partition(_FIELD)
    reader = _READERS.get(letter)
    if reader is None:
        return None
    try:
        intent = reader(rest.split(_FIELD) if rest or _FIELD in text else [])
    except (ValueError, InvalidOperation, IndexError, KeyError):
        return None
    # Only what encode gives back: one spelling per intent, no text smuggled in a field.
    return intent if intent is not None and encode(intent) == text else None


def _fields(intent: Intent) -> list[str] | None:
    match intent:
        case Score(subject, provisional, framework, period):
            flag = "1" if provisional else ""
            return ["s", _subject(subject), flag, framework or "", period or ""]
        case Update(code, raw_value, period, note):
            return ["u", code, raw_value, period or "", note]
        case WhatIf(changes, not_understood):
            if not changes or not_understood or any(_bad(c.raw_value) for c in changes):
                return None
            return ["w", _ITEM.join(_change(c) for c in changes)]
        case Weakest(count, within):
            return ["k", "" if count is None else str(count), _subject(within)]
        case Gap(target, period):
            return ["g", "" if target is None else format(target.normalize(), "f"), period or ""]
        case Holders(subject, framework):
            return ["h", _subject(subject), framework or ""]
        case Holdings(agency):
            return ["a", agency]
        case NotReported(period, code, agency):
            return ["n", period or "", code or "", agency or ""]
        case Trend(subject):
            return ["r", _subject(subject)]
        case Rank(year):
            return ["x", "" if year is None else str(year)]
        case Chart(kind, subject):
            return ["c", kind.value, _subject(subject)]
        case Summary():
            return ["m"]
        case Export():
            return ["e"]
        case Deadlines():
            return ["d"]
        case MyWork():
            return ["y"]
        case Help():
            return ["?"]
    return None  # NoData and Unclear are answers of their own, never a choice


def _bad(raw: str) -> bool:
    return any(mark in raw for mark in (_ITEM, _VALUE, _POINTS, *_STEP_OF)) or not raw


def _change(change: Change) -> str:
    step = _STEPS.get(change.step, "")
    return f"{change.code}{_VALUE}{step}{change.raw_value}{_POINTS if change.as_points else ''}"


def _subject(subject: Subject | None) -> str:
    if subject is None:
        return ""
    return _SUBJECT_KINDS[subject.kind] + subject.code


def _read_subject(text: str) -> Subject:
    kind = _SUBJECT_LETTERS[text[:1]]
    if kind is SubjectKind.TOTAL:
        if text != "t":
            raise ValueError(text)
        return TOTAL
    if not text[1:]:
        raise ValueError(text)
    return Subject(kind, text[1:])


def _optional_subject(text: str) -> Subject | None:
    return _read_subject(text) if text else None


def _number(text: str) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        raise ValueError(text)
    return int(text)


def _target(text: str) -> Decimal | None:
    if not text:
        return None
    target = Decimal(text)
    if not target.is_finite() or target <= 0:
        raise ValueError(text)
    return target


def _read_changes(text: str) -> WhatIf:
    changes = []
    for item in text.split(_ITEM):
        code, mark, raw = item.partition(_VALUE)
        if not mark or not code:
            raise ValueError(item)
        points = raw.endswith(_POINTS)
        step = _STEP_OF.get(raw[:1], 0)
        raw = raw.removesuffix(_POINTS)[1 if step else 0 :]
        if not raw:
            raise ValueError(item)
        changes.append(Change(code, raw, points, step))
    return WhatIf(tuple(changes))


def _refuse(parts: list[str]) -> Intent:
    raise ValueError(parts)


def _exact(count: int, make: Callable[[list[str]], Intent]) -> Callable[[list[str]], Intent]:
    def read(parts: list[str]) -> Intent:
        if len(parts) != count:
            raise ValueError(parts)
        return make(parts)

    return read


_READERS: dict[str, Callable[[list[str]], Intent]] = {
    "s": _exact(4, lambda f: Score(_read_subject(f[0]), f[1] == "1", f[2] or None, f[3] or None)),
    "u": _exact(4, lambda f: Update(f[0], f[1], f[2] or None, f[3])),
    "w": _exact(1, lambda f: _read_changes(f[0])),
    "k": _exact(2, lambda f: Weakest(_number(f[0]), _optional_subject(f[1]))),
    "g": _exact(2, lambda f: Gap(_target(f[0]), f[1] or None)),
    "h": _exact(2, lambda f: Holders(_read_subject(f[0]), f[1] or None)),
    "a": _exact(1, lambda f: Holdings(f[0]) if f[0] else _refuse(f)),
    "n": _exact(3, lambda f: NotReported(f[0] or None, f[1] or None, f[2] or None)),
    "r": _exact(1, lambda f: Trend(_read_subject(f[0]))),
    "x": _exact(1, lambda f: Rank(_number(f[0]))),
    "c": _exact(2, lambda f: Chart(ChartKind(f[0]), _optional_subject(f[1]))),
    "m": _exact(0, lambda f: Summary()),
    "e": _exact(0, lambda f: Export()),
    "d": _exact(0, lambda f: Deadlines()),
    "y": _exact(0, lambda f: MyWork()),
    "?": _exact(0, lambda f: Help()),
}
