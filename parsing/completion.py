"""What the other sentences of a message fill in when the sentence that asks leaves it out:
"Mục tiêu năm nay là 850 điểm. Còn thiếu bao nhiêu?" aims at 850."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, cast

from parsing.entities import Entities, extract, period_in
from parsing.intents import (
    TOTAL,
    Chart,
    Gap,
    Intent,
    NotReported,
    Score,
    Subject,
    SubjectKind,
    Trend,
    Update,
)
from parsing.lexicon import Lexicon
from parsing.reading import Reading

# What the other sentences of a message may fill in when the asking sentence leaves it out.
_COMPLETED: dict[type, tuple[str, ...]] = {
    Gap: ("target", "period"),
    Score: ("period",),
    NotReported: ("period", "agency", "code"),
    Update: ("period",),  # "Quý 3. 8.2 đạt 13,1%": the preview shows it before it is stored
}
_TAKE_SUBJECT = (Score, Trend, Chart)


def completed(
    intent: Intent,
    sentence: Reading,
    others: list[Reading],
    lexicon: Lexicon,
    today: date,
    default: str | None,
) -> Intent:
    """The asking sentence's intent with what it leaves out taken from the message's other
    sentences (`others`, the nearest first), the first that names it: "Mục tiêu năm nay là
    850 điểm. Còn thiếu bao nhiêu?" aims at 850; "Hạ tầng số. Điểm bao nhiêu?" asks for
    pillar 3. A subject comes only from a code or a pillar there (the words of a greeting or a
    meeting may share words with a sub-index's name), and never when the sentence asks for
    the total itself; an update takes only its period."""
    empty = [name for name in _COMPLETED.get(type(intent), ()) if getattr(intent, name) is None]
    subject = getattr(intent, "subject", TOTAL)
    open_subject = subject in (None, TOTAL) and isinstance(intent, _TAKE_SUBJECT)
    if open_subject and (sentence.has("total") or sentence.has("dti")):
        open_subject = False
    changes: dict[str, object] = {}
    for other in others:
        if not (empty or open_subject):
            break
        if "period" in empty:
            period = period_in(other, today)[0]
            if period is not None:
                changes["period"] = period
                empty.remove("period")
        if not _may_complete(other, empty, open_subject):
            continue
        context = extract(other, lexicon, today, default)
        for name in [name for name in empty if name != "period"]:
            value = _found(context, name)  # only what is missing: a target is looked for then
            if value is not None:
                changes[name] = value
                empty.remove(name)
        named = _named_precisely(context) if open_subject else None
        if named is not None:
            changes["subject"] = named
            open_subject = False
    if not changes:
        return intent
    completed: Any = intent  # each change is a field its kind has (_COMPLETED, _TAKE_SUBJECT)
    return cast(Intent, replace(completed, **changes))


def _may_complete(reading: Reading, empty: list[str], subject: bool) -> bool:
    """The sentence holds what could fill one of the `empty` fields but the period (found by
    itself), or the subject: a number for a target, a code ("6.6") or a pillar for a subject,
    an agency."""
    numbers = [reading.words[i] for i in reading.numbers]
    if numbers and "target" in empty:
        return True
    if (subject or "code" in empty) and any("." in n or "," in n for n in numbers):
        return True
    kinds = {sense.kind for _, sense in reading.things}
    return ("agency" in empty and "agency" in kinds) or (subject and "pillar" in kinds)


def _found(entities: Entities, name: str) -> object:
    """The entity that fills the field `name` ("target", "agency" or "code"), or None."""
    if name == "code":
        return next((c.code for c in entities.codes if c.known), None)
    return getattr(entities, name)


def _named_precisely(entities: Entities) -> Subject | None:
    """A sub-index by its code, or a pillar, named in the message."""
    code = _found(entities, "code")
    if isinstance(code, str):
        return Subject(SubjectKind.SUB_INDEX, code)
    if entities.pillars:
        return Subject(SubjectKind.PILLAR, entities.pillars[0].code)
    return None
