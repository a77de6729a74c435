"""The changes of a what-if ("nếu 8.2 đạt 40% và 6.6 được 30 điểm") and the value of an update
("cập nhật 8.2 = 12,5% quý 3").

Every clause of a what-if's condition is either read as a change or named back as not
understood; none is dropped. A clause names its sub-index by code or by name, then (after an
optional link word: "đạt", "lên", "=", "được" …) its value or its points.
"""

from __future__ import annotations

from dataclasses import dataclass

from parsing.entities import Entities
from parsing.intents import Change
from parsing.reading import Reading
from parsing.subjects import subs_by_name
from parsing.tokens import NUMBER
from parsing.values import ValueMention, value_at
from parsing.yes_no import yes_no

_CONTENT = frozenset({"pillar", "agency", "province", "framework"})
_EDGE = frozenset({"filler", "separator", "hypothetical", "then", "link"})


@dataclass(frozen=True, slots=True)
class ChangeReading:
    changes: tuple[Change, ...]
    not_understood: tuple[str, ...]
    unknown_codes: tuple[Change, ...] = ()  # clauses naming a code the framework lacks


def condition_span(reading: Reading) -> tuple[int, int] | None:
    """Where the hypothetical condition is: after "nếu"/"giả sử"/"what if" up to "thì" (or the
    end), or before "thì" when a question follows it ("8.2 = 30% thì tổng bao nhiêu")."""
    then = [hit.first for hit in reading.spans("then")]
    hypothetical = reading.spans("hypothetical")
    if hypothetical:
        start = hypothetical[0].last
        end = next((t for t in then if t >= start), len(reading))
        return start, end
    if then and _asks_after(reading, then[0]) and _gives_a_value(reading, then[0]):
        return 0, then[0]
    return None


def _asks_after(reading: Reading, index: int) -> bool:
    return any(hit.first > index for hit in reading.spans("question"))


def _gives_a_value(reading: Reading, end: int) -> bool:
    """The words before "thì" may set a value: a number after a link word ("đạt 30") or before
    a unit ("30%", "30 điểm"), or "=" or ":" — not "còn 8.2 thì sao" (as for 8.2, how is
    it?), which asks about 8.2; a yes or a no after a number is a value ("1.1 có")."""
    for number in reading.numbers:
        if number >= end:
            break
        if reading.marked(number - 1, "link") or reading.marked(number + 1, "percent"):
            return True
        if (
            reading.marked(number + 1, "points")
            or number + 1 < end
            and yes_no(reading.words[number + 1]) is not None
        ):
            return True  # "30 điểm", "1.1 có"
    return any(word in ("=", ":") for word in reading.words[:end])


def read_changes(entities: Entities, first: int, last: int) -> ChangeReading:
    """The changes in words first..last-1, clause by clause. A code with no value of its own
    takes the next clause's: "nếu 8.2 và 8.3 cùng đạt 70%"."""
    reading = entities.reading
    changes: list[Change] = []
    missed: list[str] = []
    unknown: list[Change] = []
    waiting: list[tuple[str, str]] = []  # (code, clause as typed) still without a value
    for start, end in _clauses(reading, entities, first, last):
        change = _change(entities, start, end)
        typed = reading.typed(*_trimmed(reading, start, end))
        if change is None:
            lone = _lone_code(entities, start, end)
            if lone is not None:
                waiting.append((lone, typed))
            elif _has_content(entities, start, end):
                missed.append(typed)
            continue
        shared = [Change(code, change.raw_value, change.as_points) for code, _ in waiting]
        waiting.clear()
        for each in (*shared, change):
            held = entities.entry.framework.sub_index(each.code) is not None
            (changes if held else unknown).append(each)
            if not held:
                missed.append(typed)
    missed += [typed for _, typed in waiting]
    return ChangeReading(tuple(changes), tuple(missed), tuple(unknown))


def _lone_code(entities: Entities, start: int, end: int) -> str | None:
    """The code of a clause that is only a code ("8.2" in "8.2 và 8.3 cùng đạt 70%")."""
    reading = entities.reading
    codes = [c for c in entities.codes if start <= c.first < end]
    if len(codes) != 1:
        return None
    rest = [i for i in range(start, end) if not codes[0].first <= i < codes[0].last]
    if all(
        reading.senses(i) and _edge(reading, i) or reading.marked(i, "code_prefix") for i in rest
    ):
        return codes[0].code
    return None


def _clauses(reading: Reading, entities: Entities, first: int, last: int) -> list[tuple[int, int]]:
    """Cut at separators ("và", ",", "and") and before each further code."""
    code_starts = {c.first for c in entities.codes}
    cuts: list[tuple[int, int]] = []
    start = first
    seen_code = False
    index = first
    while index < last:
        if reading.marked(index, "separator"):
            cuts.append((start, index))
            index = reading.hits[reading.owner[index]].last
            start, seen_code = index, False
            continue
        if index in code_starts:
            if seen_code:
                cuts.append((start, index))
                start = index
            seen_code = True
        index += 1
    cuts.append((start, last))
    return [(s, e) for s, e in cuts if s < e]


def _change(entities: Entities, start: int, end: int) -> Change | None:
    found = _subject_and_value(entities, start, end)
    if found is None:
        return None
    code, value, link = found
    return Change(code, value.raw, value.as_points, link.step)


def _subject_and_value(
    entities: Entities, start: int, end: int
) -> tuple[str, ValueMention, Link] | None:
    """(code, value, what the link says) of "8.2 đạt 40%", "chữ ký số lên 40%", "8.2 tăng thêm
    10%" within words start..end-1: the sub-index by code, else by its name before the link."""
    reading = entities.reading
    code = next((c for c in entities.codes if start <= c.first < end), None)
    if code is not None:
        code_text, after = code.code, code.last
    else:
        after = _link_at(reading, start, end)
        if after == end:
            return None  # by name, only with a link: "chữ ký số đạt 40%"
        named, _ = subs_by_name(
            reading, entities.lexicon, entities.entry, entities.taken, start, after
        )
        if len(named) != 1:
            return None
        code_text = named[0]
    found = _value_after(entities, after, end)
    if found is None:
        return None
    return code_text, *found


def _linked_value(reading: Reading) -> bool:
    """Some link word is followed by a number: "… là 12,5%", "… đạt 40%"."""
    return any(reading.is_number(reading.hits[at].last) for at in reading.markers.get("link", ()))


def _link_at(reading: Reading, start: int, end: int) -> int:
    """Where the value may start after a sub-index named in words: at its link word."""
    for index in range(start, end):
        if reading.marked(index, "link") or _step(reading, index):
            return index
    return end


@dataclass(frozen=True, slots=True)
class Link:
    """What the words between a sub-index and its value say: a movement ("lên 40%", as a
    hypothetical would say it), or a step from the current value ("tăng thêm 10%": 1,
    "giảm 5 điểm": -1; 0: the value itself)."""

    moved: bool = False
    step: int = 0


def _step(reading: Reading, index: int) -> int:
    if reading.marked(index, "step_up"):
        return 1
    return -1 if reading.marked(index, "step_down") else 0


def _value_after(entities: Entities, index: int, end: int) -> tuple[ValueMention, Link] | None:
    """The value after an optional link word (and filler or the period around it), and what
    the link says."""
    reading = entities.reading
    period = range(*entities.period_words)
    moved = linked = linked_by_word = False
    step = 0
    while index < end:
        if reading.marked(index, "link") or _step(reading, index):
            linked = True
            moved = moved or reading.marked(index, "movement")
            step = step or _step(reading, index)
            linked_by_word = reading.words[index] not in (":", "=")
        elif not (reading.marked(index, "filler") or index in period):
            break
        owner = reading.owner[index]
        index = reading.hits[owner].last if owner >= 0 else index + 1
    value = value_at(reading, index)
    if value is None or value.last > end:
        return None
    if not (reading.is_number(value.first) or linked or entities.command):
        return None  # "8.2 có tăng không": "có" is no value without a link
    if linked_by_word and _asking_tail(reading, value):
        return None  # "1.1 đạt chưa": a question, not the value "chưa"
    return value, Link(moved, step)


def _asking_tail(reading: Reading, value: ValueMention) -> bool:
    if not reading.marked(value.first, "question_tail"):
        return False
    return all(
        reading.marked(i, "filler") or reading.words[i] == "?"
        for i in range(value.last, len(reading))
    )


def _has_content(entities: Entities, start: int, end: int) -> bool:
    """A number, a code, a pillar or agency, or a sub-index's name: what a change is made of
    ("tổng điểm sẽ là bao nhiêu" has none)."""
    reading = entities.reading
    loose = False  # a word no cue or marker claims, which may belong to a name
    for index in range(start, end):
        if reading.kinds[index] == NUMBER:
            return True
        owner = reading.owner[index]
        if owner < 0:
            loose = True
        elif reading.meanings[owner].core or reading.meanings[owner].things:
            return True
    if not loose:
        return False
    return bool(
        subs_by_name(reading, entities.lexicon, entities.entry, entities.taken, start, end)[0]
    )


def _trimmed(reading: Reading, start: int, end: int) -> tuple[int, int]:
    """Without the filler, links and separators at either end."""
    while start < end and _edge(reading, start):
        start += 1
    while end > start and _edge(reading, end - 1):
        end -= 1
    return start, end


def _edge(reading: Reading, index: int) -> bool:
    senses = reading.senses(index)
    return bool(senses) and all(s.kind == "marker" and s.name in _EDGE for s in senses)


@dataclass(frozen=True, slots=True)
class UpdateReading:
    """An update's parts, or why it cannot be read: problem is "no_code", "unknown_code" or
    "no_value". `moved`: the link says a movement ("lên 40%"), as a hypothetical would."""

    code: str = ""
    raw_value: str = ""
    note: str = ""
    problem: str = ""
    moved: bool = False


def read_update(entities: Entities) -> UpdateReading:
    """The sub-index (by code, else by name), the value after it (past "=", ":", "là", "to" …)
    and the rest as a note."""
    reading = entities.reading
    code = entities.codes[0] if entities.codes else None
    if code is None:
        if not _linked_value(reading):
            return UpdateReading(problem="no_code")
        found = _subject_and_value(entities, 0, len(reading))
        if found is None:
            return UpdateReading(problem="no_code")
        named, value, link = found
        if link.step:
            return UpdateReading(named, problem="no_value")  # a value is stored, not a step
        return UpdateReading(named, value.raw, _note(entities, value.last), "", link.moved)
    after = _value_after(entities, code.last, len(reading))
    if after is None or after[1].step:
        return UpdateReading(code=code.code, problem="no_value")
    value, link = after
    problem = "" if code.known else "unknown_code"
    return UpdateReading(code.code, value.raw, _note(entities, value.last), problem, link.moved)


def _note(entities: Entities, first: int) -> str:
    """The words after the value, as typed, without the period phrase."""
    reading = entities.reading
    start, end = entities.period_words
    parts = (
        [reading.typed(first, max(start, first)), reading.typed(max(end, first), len(reading))]
        if start < end
        else [reading.typed(first, len(reading))]
    )
    text = " ".join(" ".join(parts).split())
    return text.lstrip(",;:-–— ").strip()
