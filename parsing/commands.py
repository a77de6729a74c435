"""Commands build the same intents as free text, from their arguments, with the same extractors.

The command says which kind it means, so no invented text is re-parsed: "/thieu 800" is a gap
whose target is read from "800"; "/bieudo lịch sử 3" a history chart of pillar 3. Missing or
wrong arguments give Unclear(INCOMPLETE): the handler shows the command's usage line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from parsing.builders import build
from parsing.changes import read_changes, read_update
from parsing.entities import Entities, extract
from parsing.intents import (
    TOTAL,
    Chart,
    ChartKind,
    Gap,
    Holders,
    Intent,
    Rank,
    Score,
    Subject,
    SubjectKind,
    Trend,
    Unclear,
    UnclearReason,
    Weakest,
    WhatIf,
)
from parsing.lexicon import Lexicon
from parsing.quantities import is_year
from parsing.reading import read

# Each command's names (Vietnamese first, English aliases after: bot/app.py's COMMANDS) and
# the kind of intent it builds.
COMMANDS: dict[str, str] = {
    "diem": "score",
    "score": "score",
    "capnhat": "update",
    "cap_nhat": "update",
    "update": "update",
    "neu": "what_if",
    "whatif": "what_if",
    "thieu": "gap",
    "gap": "gap",
    "yeu": "weakest",
    "weakest": "weakest",
    "chutri": "holders",
    "who": "holders",
    "cua": "holdings",
    "holds": "holdings",
    "chuabaocao": "not_reported",
    "late": "not_reported",
    "xuhuong": "trend",
    "trend": "trend",
    "xephang": "rank",
    "rank": "rank",
    "tomtat": "summary",
    "summary": "summary",
    "bieudo": "chart",
    "chart": "chart",
    "xuatexcel": "export",
    "export": "export",
    "hanchot": "deadlines",
    "deadlines": "deadlines",
    "chiso": "my_work",
    "mine": "my_work",
    "help": "help",
    "trogiup": "help",
    "start": "help",
}
_COMMAND = re.compile(r"\s*/(?P<name>[A-Za-z_0-9]+)(?:@\w+)?(?:\s+(?P<args>.*))?\s*$", re.DOTALL)
_SMALL = re.compile(r"[0-9]{1,2}")


def split_command(text: str) -> tuple[str, str] | None:
    """("diem", "8.2") for "/diem@tro_ly_bot 8.2"; None when the text is no command."""
    found = _COMMAND.match(text)
    if found is None:
        return None
    return found["name"].lower(), found["args"] or ""


def command_intent(
    name: str,
    args: str | Sequence[str],
    lexicon: Lexicon,
    today: date,
    default: str | None = None,
) -> Intent:
    """The intent a command means with these arguments (a string, or Telegram's split
    `context.args`). A command that asks nothing of the router gives Unclear(NOTHING)."""
    kind = COMMANDS.get(name.lower().lstrip("/"))
    if kind is None:
        return Unclear(UnclearReason.NOTHING)
    text = args if isinstance(args, str) else " ".join(args)
    entities = extract(read(text, lexicon), lexicon, today, default, command=True)
    if not entities.reading.words:
        return _without_arguments(kind, entities)
    special = _SPECIAL.get(kind)
    return special(entities) if special else _checked(kind, entities)


def _without_arguments(kind: str, entities: Entities) -> Intent:
    if kind in ("update", "what_if", "holders", "holdings"):
        return Unclear(UnclearReason.INCOMPLETE)
    return build(kind, entities)


def _checked(kind: str, entities: Entities) -> Intent:
    """The kind built from its arguments; arguments that name nothing it takes are wrong."""
    if kind in ("score", "holders", "trend"):
        pillar = _lone_number_pillar(entities)
        if pillar is not None:
            if entities.subject.named:
                return build(kind, entities)
            return _with(kind, pillar, entities)
        if not (entities.subject.named or entities.subject.unknown_code) and not (
            kind != "holders" and _only_context(entities)
        ):
            return Unclear(UnclearReason.INCOMPLETE)
    if kind == "holdings" and not entities.agencies:
        return Unclear(UnclearReason.INCOMPLETE)
    return build(kind, entities)


def _with(kind: str, subject: Subject, entities: Entities) -> Intent:
    """A kind built for a subject the arguments give as a bare number ("/diem 3")."""
    if kind == "score":
        provisional = entities.reading.has("provisional")
        return Score(subject, provisional, entities.framework, entities.asked_period)
    if kind == "holders":
        return Holders(subject, entities.framework)
    return Trend(subject)


def _lone_number_pillar(entities: Entities) -> Subject | None:
    """ "/diem 3": a lone small number is a pillar."""
    reading = entities.reading
    numbers = [i for i in range(len(reading)) if reading.is_number(i) and i not in entities.taken]
    if len(numbers) != 1 or not _SMALL.fullmatch(reading.words[numbers[0]]):
        return None
    code = str(int(reading.words[numbers[0]]))
    if entities.entry.framework.pillar(code) is None:
        return None
    return Subject(SubjectKind.PILLAR, code)


def _only_context(entities: Entities) -> bool:
    """Arguments that only say "total", "provisional", a period or chatty words."""
    reading = entities.reading
    return all(
        index in entities.taken or any(s.kind in ("marker", "cue") for s in reading.senses(index))
        for index in range(len(reading))
    )


def _what_if(entities: Entities) -> Intent:
    changes = read_changes(entities, 0, len(entities.reading))
    if not changes.changes:
        return Unclear(UnclearReason.INCOMPLETE)
    return WhatIf(changes.changes, changes.not_understood)


def _gap(entities: Entities) -> Intent:
    target = entities.target
    if target is None and not _only_context(entities):
        return Unclear(UnclearReason.INCOMPLETE)
    return Gap(target, entities.period)


def _weakest(entities: Entities) -> Intent:
    """ "/yeu 3": three sub-indices; "/yeu HTS", "/yeu trụ cột 3": within a pillar."""
    reading = entities.reading
    count = entities.count
    numbers = [i for i in range(len(reading)) if reading.is_number(i) and i not in entities.taken]
    if count is None and len(numbers) == 1 and _SMALL.fullmatch(reading.words[numbers[0]]):
        count = int(reading.words[numbers[0]])
        entities.taken.add(numbers[0])
    within = [p.code for p in entities.pillars]
    if count is None and not within and not _only_context(entities):
        return Unclear(UnclearReason.INCOMPLETE)
    return Weakest(count, Subject(SubjectKind.PILLAR, within[0]) if within else None)


def _rank(entities: Entities) -> Intent:
    """Reading only: "/xephang" or "/xephang 2024" (recording a rank is the handler's)."""
    words = entities.reading.words
    if entities.year is not None and all(
        i in entities.taken or not entities.reading.is_number(i) and _filler(entities, i)
        for i in range(len(words))
    ):
        return Rank(entities.year)
    if len(words) == 1 and is_year(words[0]):
        return Rank(int(words[0]))
    return Unclear(UnclearReason.INCOMPLETE)


def _filler(entities: Entities, index: int) -> bool:
    return any(s.kind in ("marker", "cue") for s in entities.reading.senses(index))


def _chart(entities: Entities) -> Intent:
    """ "/bieudo lịch sử", "/bieudo 8.2", "/bieudo lịch sử 3" (a pillar by number)."""
    found = entities.subject
    if found.named or found.unknown_code:
        return build("chart", entities)
    pillar = _lone_number_pillar(entities)
    if pillar is not None:
        return Chart(ChartKind.HISTORY, pillar)
    if entities.reading.has("history") or entities.reading.has("total"):
        return Chart(ChartKind.HISTORY, TOTAL)
    return Unclear(UnclearReason.INCOMPLETE)


_SPECIAL: dict[str, Callable[[Entities], Intent]] = {
    "what_if": _what_if,
    "gap": _gap,
    "weakest": _weakest,
    "rank": _rank,
    "chart": _chart,
}


def update_problem(args: str, lexicon: Lexicon, today: date) -> str:
    """Why "/capnhat <args>" is no update: "no_code", "no_value" or "bad_period" (the usage
    line the handler shows names what is missing)."""
    entities = extract(read(args, lexicon), lexicon, today, command=True)
    if entities.bad_period:
        return "bad_period"
    return read_update(entities).problem or "no_value"
