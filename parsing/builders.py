"""Each kind of intent built from a message's entities: the router builds the kind it chose (and
its candidates), the command builders the kind their command means."""

from __future__ import annotations

from collections.abc import Callable

from parsing.changes import ChangeReading, condition_span, read_changes, read_update
from parsing.entities import Entities
from parsing.intents import (
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
    NoData,
    NoDataReason,
    NotReported,
    Rank,
    Score,
    Subject,
    SubjectKind,
    Summary,
    Trend,
    Unclear,
    UnclearReason,
    Update,
    Weakest,
    WhatIf,
)
from parsing.subjects import SubjectReading, neighbours
from scoring.model import FrameworkKind
from scoring.periods import parse_period


def build(kind: str, entities: Entities, changes: ChangeReading | None = None) -> Intent:
    """The intent of `kind` with what the entities give it; Unclear when a part it needs is
    missing or names nothing the framework holds."""
    return _BUILDERS[kind](entities, changes)


def _subject_or_ask(
    entities: Entities, make: Callable[[Subject], Intent], *, required: bool
) -> Intent:
    """One subject: the intent; several close ones: ask which; an unknown code: its neighbours;
    none: the total, or ask for one when `required`."""
    found: SubjectReading = entities.subject
    if len(found.subjects) > 1:
        return Unclear(UnclearReason.AMBIGUOUS, tuple(make(s) for s in found.subjects[:3]))
    if not found.named and found.unknown_code:
        near = neighbours(entities.entry, found.unknown_code)
        return Unclear(
            UnclearReason.UNKNOWN_CODE,
            tuple(make(Subject(SubjectKind.SUB_INDEX, c)) for c in near),
            found.unknown_code,
        )
    if not found.named and required:
        return Unclear(UnclearReason.INCOMPLETE)
    return make(found.subject)


def _score(entities: Entities, _: ChangeReading | None) -> Intent:
    future = _future_period(entities)
    if future:
        return NoData(NoDataReason.NOT_HELD, future)
    provisional = entities.reading.has("provisional")
    period = entities.asked_period
    return _subject_or_ask(
        entities, lambda s: Score(s, provisional, entities.framework, period), required=False
    )


def _future_period(entities: Entities) -> str:
    """A period not yet begun, for a DTI framework: as typed, else ""."""
    if entities.entry.framework.kind == FrameworkKind.TARGETS:
        return ""
    code = entities.asked_period
    if code and parse_period(code).starts_on > entities.today:
        start, end = entities.period_words
        return entities.reading.typed(start, end) or code
    return ""


def _update(entities: Entities, _: ChangeReading | None) -> Intent:
    found = read_update(entities)
    if found.problem == "unknown_code":
        near = neighbours(entities.entry, found.code)
        return Unclear(
            UnclearReason.UNKNOWN_CODE,
            tuple(Update(c, found.raw_value, entities.period, found.note) for c in near),
            found.code,
        )
    if found.problem or entities.bad_period:
        return Unclear(UnclearReason.INCOMPLETE)
    return Update(found.code, found.raw_value, entities.period, found.note)


def _what_if(entities: Entities, changes: ChangeReading | None) -> Intent:
    if changes is None:
        span = condition_span(entities.reading) or (0, len(entities.reading))
        changes = read_changes(entities, *span)
    if changes.changes:
        return WhatIf(changes.changes, changes.not_understood)
    if changes.unknown_codes:
        first = changes.unknown_codes[0]
        near = neighbours(entities.entry, first.code)
        return Unclear(
            UnclearReason.UNKNOWN_CODE,
            tuple(WhatIf((Change(c, first.raw_value, first.as_points),)) for c in near),
            first.code,
        )
    return Unclear(UnclearReason.INCOMPLETE)


def _weakest(entities: Entities, _: ChangeReading | None) -> Intent:
    pillars = [p.code for p in entities.pillars]
    within = Subject(SubjectKind.PILLAR, pillars[0]) if pillars else None
    return Weakest(entities.count, within)


def _gap(entities: Entities, _: ChangeReading | None) -> Intent:
    return Gap(entities.target, entities.period)


def _holders(entities: Entities, _: ChangeReading | None) -> Intent:
    return _subject_or_ask(entities, lambda s: Holders(s, entities.framework), required=True)


def _holdings(entities: Entities, _: ChangeReading | None) -> Intent:
    codes = list(dict.fromkeys(a.code for a in entities.agencies))
    if not codes:
        return Unclear(UnclearReason.INCOMPLETE)
    if len(codes) > 1:
        return Unclear(UnclearReason.AMBIGUOUS, tuple(Holdings(c) for c in codes[:3]))
    return Holdings(codes[0])


def _not_reported(entities: Entities, _: ChangeReading | None) -> Intent:
    code = next((c.code for c in entities.codes if c.known), None)
    return NotReported(entities.period, code, entities.agency)


def _trend(entities: Entities, _: ChangeReading | None) -> Intent:
    return _subject_or_ask(entities, Trend, required=False)


def _rank(entities: Entities, _: ChangeReading | None) -> Intent:
    return Rank(entities.year)


def _chart(entities: Entities, _: ChangeReading | None) -> Intent:
    found = entities.subject
    if not found.named and not entities.reading.has("history"):
        return Chart(ChartKind.PILLARS)
    if not found.named:
        return Chart(ChartKind.HISTORY, found.subject)
    return _subject_or_ask(entities, lambda s: Chart(ChartKind.HISTORY, s), required=False)


_BUILDERS: dict[str, Callable[[Entities, ChangeReading | None], Intent]] = {
    "score": _score,
    "update": _update,
    "what_if": _what_if,
    "weakest": _weakest,
    "gap": _gap,
    "holders": _holders,
    "holdings": _holdings,
    "not_reported": _not_reported,
    "trend": _trend,
    "rank": _rank,
    "summary": lambda e, c: Summary(),
    "chart": _chart,
    "export": lambda e, c: Export(),
    "deadlines": lambda e, c: Deadlines(),
    "my_work": lambda e, c: MyWork(),
    "help": lambda e, c: Help(),
}
