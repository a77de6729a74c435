"""What a message asks the bot for: a closed set of frozen values (pure).

parsing.router turns a message's text into exactly one of these; command handlers build the same
values from their arguments; handlers do one `match` over them. Nothing here knows Telegram, the
database or the clock.

`fields()` gives every intent as flat ``key -> text`` pairs. The routing corpus
(tests/corpus/) and the routing benchmark compare intents through it, so a corpus line only
names the keys it cares about:

    điểm hạ tầng số hiện tại          score subject=pillar:3
    nếu 8.2 đạt 40% thì tổng bao nhiêu  what_if changes=8.2:40%
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class SubjectKind(StrEnum):
    TOTAL = "total"
    PILLAR = "pillar"
    SUB_INDEX = "sub"


@dataclass(frozen=True, slots=True)
class Subject:
    """What a question is about within one framework: its total, a pillar ("3") or a
    sub-index ("3.3"); for a plan-targets framework, a section or one target."""

    kind: SubjectKind
    code: str = ""

    def __str__(self) -> str:
        return "total" if self.kind is SubjectKind.TOTAL else f"{self.kind.value}:{self.code}"


TOTAL = Subject(SubjectKind.TOTAL)


class ChartKind(StrEnum):
    PILLARS = "pillars"  # each pillar against its maximum
    HISTORY = "history"  # a subject over the periods


class NoDataReason(StrEnum):
    OTHER_PROVINCE = "other_province"  # "điểm DTI của Đà Nẵng": we hold only our own figures
    NOT_HELD = "not_held"  # a figure the data does not hold (e.g. a year with no assessment)


class UnclearReason(StrEnum):
    NOTHING = "nothing"  # no cue at all: the short help, no suggestions
    AMBIGUOUS = "ambiguous"  # two readings are close: ask back with the candidates
    LOW_CONFIDENCE = "low_confidence"  # one weak reading: "did you mean …?"
    UNKNOWN_CODE = "unknown_code"  # "chỉ số 3.9": no such sub-index; candidates are neighbours
    INCOMPLETE = "incomplete"  # the kind is clear, a required part is missing ("ai chủ trì?")


@dataclass(frozen=True, slots=True)
class Score:
    """Points of a subject. `provisional` counts values not yet reviewed ("tạm tính");
    `framework` is a framework code when the message names one, else the chat's default;
    `period` a period code ("2025-Q3", "2024") when the message names one, else the newest."""

    subject: Subject = TOTAL
    provisional: bool = False
    framework: str | None = None
    period: str | None = None


@dataclass(frozen=True, slots=True)
class Update:
    """Store a value (after a preview and Confirm). Never produced from a hypothetical or a
    question."""

    code: str
    raw_value: str  # as typed, "%" attached: "12,5%", "có", "1.082.862"
    period: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """One clause of a what-if: a value ("đạt 40%") or points ("được 30 điểm"), or a step from
    the current one ("tăng thêm 10%": step 1, "giảm 5 điểm": step -1)."""

    code: str
    raw_value: str
    as_points: bool = False
    step: int = 0


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The total if these changes were stored; `not_understood` names, as typed, every clause
    that could not be read, so none is silently dropped."""

    changes: tuple[Change, ...]
    not_understood: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Weakest:
    """Sub-indices losing the most points; `count` when the message says how many, `within` a
    pillar when it names one."""

    count: int | None = None
    within: Subject | None = None


@dataclass(frozen=True, slots=True)
class Gap:
    """What it takes to reach `target` points (None: the framework's own target). A DTI value
    such as "0,8" is already converted to points; a year is never a target."""

    target: Decimal | None = None
    period: str | None = None


@dataclass(frozen=True, slots=True)
class Holders:
    """Who leads and coordinates a sub-index or a pillar."""

    subject: Subject
    framework: str | None = None


@dataclass(frozen=True, slots=True)
class Holdings:
    """What an agency (its code; an old name already resolved to its successor) answers for."""

    agency: str


@dataclass(frozen=True, slots=True)
class NotReported:
    """Agencies that still owe values, optionally for one period, sub-index or agency."""

    period: str | None = None
    code: str | None = None
    agency: str | None = None


@dataclass(frozen=True, slots=True)
class Trend:
    """A subject now, against the previous quarter and the previous year."""

    subject: Subject = TOTAL


@dataclass(frozen=True, slots=True)
class Rank:
    """The province's rank among provinces, optionally for one year."""

    year: int | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """The leaders' one-screen summary."""


@dataclass(frozen=True, slots=True)
class Chart:
    kind: ChartKind = ChartKind.PILLARS
    subject: Subject | None = None


@dataclass(frozen=True, slots=True)
class Export:
    """The workbook of every sub-index (Excel and CSV)."""


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The reporting deadlines ahead."""


@dataclass(frozen=True, slots=True)
class MyWork:
    """The asking focal point's own indicators and what is still missing."""


@dataclass(frozen=True, slots=True)
class Help:
    """What the bot can do (greetings and "bạn làm được gì" too)."""


@dataclass(frozen=True, slots=True)
class NoData:
    """A question the data cannot answer: say so, never show another figure instead."""

    reason: NoDataReason
    subject: str = ""  # what was asked about, as typed ("Đà Nẵng")


@dataclass(frozen=True, slots=True)
class Unclear:
    """Not sure: ask back with up to three `candidates` as buttons, or, with none, show the short
    help."""

    reason: UnclearReason
    candidates: tuple[Intent, ...] = ()
    about: str = ""  # an unknown code as typed ("3.9"), to name it back


Intent = (
    Score
    | Update
    | WhatIf
    | Weakest
    | Gap
    | Holders
    | Holdings
    | NotReported
    | Trend
    | Rank
    | Summary
    | Chart
    | Export
    | Deadlines
    | MyWork
    | Help
    | NoData
    | Unclear
)

KINDS: dict[type, str] = {
    Score: "score",
    Update: "update",
    WhatIf: "what_if",
    Weakest: "weakest",
    Gap: "gap",
    Holders: "holders",
    Holdings: "holdings",
    NotReported: "not_reported",
    Trend: "trend",
    Rank: "rank",
    Summary: "summary",
    Chart: "chart",
    Export: "export",
    Deadlines: "deadlines",
    MyWork: "my_work",
    Help: "help",
    NoData: "no_data",
    Unclear: "unclear",
}


def kind_of(intent: Intent) -> str:
    return KINDS[type(intent)]


def fields(intent: Intent) -> dict[str, str]:
    """The intent as flat text pairs; `kind` is always there, empty values are left out.

    Subjects read "total", "pillar:3", "sub:3.3"; changes "8.2:40%,6.6:30đ" (đ marks points,
    "+" or "-" before the value a step from the current one: "8.2:+10%");
    candidates the kinds of the candidate intents joined by ","; numbers as plain decimals."""
    out = {"kind": kind_of(intent)}
    match intent:
        case Score(subject, provisional, framework, period):
            out |= {"subject": str(subject), "provisional": "yes" if provisional else ""}
            out |= {"framework": framework or "", "period": period or ""}
        case Update(code, raw_value, period, note):
            out |= {"code": code, "value": raw_value, "period": period or "", "note": note}
        case WhatIf(changes, not_understood):
            out["changes"] = ",".join(
                f"{c.code}:{_STEP_SIGNS[c.step]}{c.raw_value}{'đ' if c.as_points else ''}"
                for c in changes
            )
            out["not_understood"] = "|".join(not_understood)
        case Weakest(count, within):
            out |= {"count": "" if count is None else str(count), "within": str(within or "")}
        case Gap(target, period):
            out |= {"target": "" if target is None else _plain(target), "period": period or ""}
        case Holders(subject, framework):
            out |= {"subject": str(subject), "framework": framework or ""}
        case Holdings(agency):
            out["agency"] = agency
        case NotReported(period, code, agency):
            out |= {"period": period or "", "code": code or "", "agency": agency or ""}
        case Trend(subject):
            out["subject"] = str(subject)
        case Rank(year):
            out["year"] = "" if year is None else str(year)
        case Chart(kind, subject):
            out |= {"chart": kind.value, "subject": str(subject or "")}
        case NoData(reason, subject):
            out |= {"reason": reason.value, "about": subject}
        case Unclear(reason, candidates, about):
            out |= {"reason": reason.value, "candidates": ",".join(map(kind_of, candidates))}
            out["about"] = about
        case _:
            pass
    return {key: value for key, value in out.items() if value}


_STEP_SIGNS = {0: "", 1: "+", -1: "-"}


def _plain(number: Decimal) -> str:
    """800, 612.5: no exponent, no trailing zeros."""
    return format(number.normalize(), "f")
