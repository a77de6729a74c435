"""How strongly a message points to each kind of question: its cue words (from the vocabulary)
plus what its entities and its grammar add. The router picks the best and asks back when two
are close or the best is weak.

Safety is decided here too: a question or a hypothetical never scores as an update.
"""

from __future__ import annotations

from dataclasses import dataclass

from parsing.changes import ChangeReading, condition_span, read_changes, read_update
from parsing.entities import Entities
from parsing.reading import Reading
from parsing.tokens import SYMBOL

CONFIDENT = 1.5  # evidence from which the best kind is answered without asking back
CLOSE = 0.5  # a confident runner-up this close to the best makes the message ambiguous
CANDIDATE = 1.0  # evidence from which a kind is offered as a candidate of a weak reading
STRONG = 2.0  # a strong cue: next to one, the generic score words describe its subject

HYPOTHETICAL = 1.0  # "nếu", "giả sử", "thì … bao nhiêu": alone, as likely a manner of speech
PER_CHANGE = 2.0  # each change read in a hypothetical
UNREAD_CLAUSE = 1.0  # a clause with a number or a sub-index that could not be read
UPDATE_SHAPE = 3.0  # "8.2: 12,5%", "8.2 = 12,5%" at the start
STATEMENT = 1.5  # "8.2 lên 45%": an update or a what-if, ask back
REPORTED_VALUE = 2.0  # "8.2 đạt 45% quý 3", "báo cáo 6.6 đạt 11,4 điểm": a value reported
SUBJECT = 1.5  # a named sub-index or pillar: a score question unless something says more
SUBJECT_TAKER = 0.5  # a named subject also supports the kinds that take one
AGENCY = 1.0  # a named agency: what it answers for or owes, unless something says more
AGENCY_QUESTION = 1.5  # "Sở GD&ĐT có chỉ số nào không": a question about an agency
ASKED_REPORTED = 2.0  # "Sở Nội vụ báo cáo chưa": whether something was reported
SCORE_HINT = 0.5  # "tổng", "tạm tính", a period: what a bare score question may carry
TARGET = 1.0  # a target next to gap cues
RANK_TARGET = 0.5  # "vào top 20": a rank to reach, not points
COUNT = 0.5  # "top 5" next to weakest cues
HISTORY = 1.0  # "lịch sử", "xu hướng" next to chart cues
_TAKES_SUBJECT = ("trend", "holders", "chart")
_TOP = frozenset({"top"})
_AGENCY_KINDS = ("holdings", "not_reported")


@dataclass(frozen=True, slots=True)
class Signals:
    question: bool
    hypothetical: bool  # "nếu", "giả sử", "… thì … bao nhiêu"
    changes: ChangeReading | None  # read from the hypothetical condition, when there is one
    implied: bool = False  # "8.2 = 20% được bao nhiêu điểm?": a change asked about


def signals(entities: Entities) -> Signals:
    reading = entities.reading
    question = is_question(reading)
    condition = condition_span(reading)
    if condition is not None:
        return Signals(question, True, read_changes(entities, *condition))
    if question and entities.codes:
        asked = _first_question(reading)
        changes = read_changes(entities, 0, asked)
        if changes.changes:
            return Signals(question, False, changes, implied=True)
    return Signals(question, False, None)


def _first_question(reading: Reading) -> int:
    return min((hit.first for hit in reading.spans("question")), default=len(reading))


def is_question(reading: Reading) -> bool:
    """A question word anywhere, or a question particle at the end ("8.2 đạt chưa")."""
    if reading.has("question"):
        return True
    for index in range(len(reading) - 1, -1, -1):
        if reading.marked(index, "question_tail"):
            # "8.2: không", "8.2 = chưa đạt" are values; "8.2 đạt chưa" asks.
            return not (index > 0 and reading.words[index - 1] in (":", "="))
        if not reading.marked(index, "filler"):
            return False
    return False


def weigh(entities: Entities, found: Signals) -> dict[str, float]:
    """Evidence for each kind: cue words, then what the message's shape and entities add."""
    evidence = dict(entities.reading.cues)
    _update(evidence, entities, found)
    _reported(evidence, entities, found)
    _subject(evidence, entities)
    _hypothetical(evidence, entities, found)
    _agency(evidence, entities, found)
    _quantities(evidence, entities)
    _mine(evidence, entities, found)
    _generic_score(evidence)
    weighed = {kind: weight for kind, weight in evidence.items() if weight > 0}
    if not weighed and entities.reading.has("greeting"):
        return {"help": STRONG}  # "xin chào", "hi": greeted, nothing asked
    return weighed


def _add(evidence: dict[str, float], kind: str, amount: float) -> None:
    evidence[kind] = evidence.get(kind, 0.0) + amount


def _strongest(evidence: dict[str, float], *but: str) -> float:
    weights = [w for k, w in evidence.items() if k not in but]
    return max(weights) if weights else 0.0


def _hypothetical(evidence: dict[str, float], entities: Entities, found: Signals) -> None:
    if found.implied and found.changes is not None:
        # A value asked about: "8.2 = 20% được bao nhiêu điểm?" (not "… có đúng không").
        _add(evidence, "what_if", STATEMENT)
        if "score" in entities.reading.cues or entities.reading.has("total"):
            _add(evidence, "what_if", STATEMENT)
            evidence.pop("score", None)
        return
    if not found.hypothetical or found.changes is None:
        return
    changes = found.changes
    _add(evidence, "what_if", HYPOTHETICAL + PER_CHANGE * len(changes.changes))
    if changes.not_understood or changes.unknown_codes:
        _add(evidence, "what_if", UNREAD_CLAUSE)
    named = entities.codes or entities.pillars or entities.reading.numbers
    if changes.changes or (changes.not_understood and named):
        # "… thì tổng điểm bao nhiêu" asks for the what-if's total, even when a clause naming a
        # subject or a number could not be read ("giả sử hạ tầng số tăng 10 điểm": it is named
        # back, never answered as the current score, nor its movement as a trend).
        evidence.pop("score", None)
        evidence.pop("trend", None)


def _update(evidence: dict[str, float], entities: Entities, found: Signals) -> None:
    """Never from a question or a hypothetical. Without "cập nhật", "8.2: 12,5%" and "8.2 đạt
    12,5%" report a value; "8.2 lên 40%" may as well be a hypothetical: ask back."""
    if found.question or found.hypothetical:
        evidence.pop("update", None)
        return
    update = read_update(entities)
    if not update.raw_value:
        if "update" in evidence and not entities.codes:
            evidence["update"] = min(evidence["update"], CANDIDATE)  # "cập nhật tình hình"
        return
    if entities.codes and _update_shape(entities.reading, entities):
        _add(evidence, "update", UPDATE_SHAPE)
    elif "update" in evidence:
        return
    elif update.moved and not entities.reading.has("reporting"):
        _add(evidence, "update", STATEMENT)
        _add(evidence, "what_if", STATEMENT)
    else:
        _add(evidence, "update", REPORTED_VALUE)


def _reported(evidence: dict[str, float], entities: Entities, found: Signals) -> None:
    """ "… đã gửi số liệu chưa", "has the police reported yet", "did the Department of Health
    report?": a reporting verb asked about."""
    reading = entities.reading
    asks_done = _ends_asking_yet(reading) or reading.marked(0, "done_question")
    if found.question and reading.has("reporting") and asks_done:
        _add(evidence, "not_reported", ASKED_REPORTED)
        evidence.pop("update", None)


def _ends_asking_yet(reading: Reading) -> bool:
    for index in range(len(reading) - 1, -1, -1):
        if reading.words[index] in ("chua", "yet"):
            return True
        if not (reading.marked(index, "filler") or reading.words[index] == "?"):
            return False
    return False


def _subject(evidence: dict[str, float], entities: Entities) -> None:
    subject = entities.subject
    if entities.framework is not None and not subject.named:
        # "Quyết định 2314 đạt được bao nhiêu chỉ tiêu": a framework is a subject too.
        _add(evidence, "score", SUBJECT if _strongest(evidence, "score") < CONFIDENT else 0.0)
    if not (subject.named or subject.unknown_code):
        if "score" in evidence and _strongest(evidence, "score") < CONFIDENT:
            # "điểm tạm tính", "DTI": the total, provisional or not, of some period.
            reading = entities.reading
            hints = (
                reading.has("total"),
                reading.has("provisional") or reading.has("official"),
                bool(entities.period),
            )
            _add(evidence, "score", SCORE_HINT * sum(hints))
        return
    # "tình hình hạ tầng số": summary words about one subject ask for its score.
    summary = evidence.get("summary", 0.0)
    if subject.clear and summary >= _strongest(evidence, "summary", "score"):
        _add(evidence, "score", evidence.pop("summary", 0.0))
    # A subject alone asks for its score; next to another kind's cues it is that kind's.
    alone = _strongest(evidence, "score") < CONFIDENT
    _add(evidence, "score", SUBJECT if alone else SUBJECT_TAKER)
    for kind in _TAKES_SUBJECT:
        if kind in evidence:
            _add(evidence, kind, SUBJECT_TAKER)
    if "chart" in evidence:
        evidence.pop("trend", None)  # "biểu đồ xu hướng hạ tầng số" is a chart


def _agency(evidence: dict[str, float], entities: Entities, found: Signals) -> None:
    """A named agency goes with what is asked about it: what it holds (the default) or what it
    owes; it also makes "who holds …" unlikely. Alone ("Sở Nội vụ?") it is not enough."""
    if not entities.agencies:
        return
    kind = max(_AGENCY_KINDS, key=lambda k: (evidence.get(k, 0.0), k == "holdings"))
    if entities.subject.named:
        _add(evidence, kind, SUBJECT_TAKER)
    else:
        asks = _asks_which(entities.reading)
        _add(evidence, kind, AGENCY + (AGENCY_QUESTION if asks else 0.0))
        # "danh sách chỉ số Sở Tài chính chủ trì": who-leads words about an agency.
        _add(evidence, "holdings", evidence.pop("holders", 0.0))
    if "holders" in evidence:
        evidence["holders"] -= AGENCY / 2


def _asks_which(reading: Reading) -> bool:
    """A question word, not only a question mark: "Sở GD&ĐT có chỉ số nào không"."""
    return any(reading.words[hit.first] != "?" for hit in reading.spans("question")) or (
        reading.has("question_tail")
    )


def _quantities(evidence: dict[str, float], entities: Entities) -> None:
    reading = entities.reading
    if "gap" in evidence and entities.target is not None:
        _add(evidence, "gap", TARGET)
    if "weakest" in evidence and entities.count is not None:
        _add(evidence, "weakest", COUNT)
    elif "gap" in evidence and _rank_target(reading):
        _add(evidence, "rank", RANK_TARGET)
    if "chart" in evidence and reading.has("history"):
        _add(evidence, "chart", HISTORY)


def _rank_target(reading: Reading) -> bool:
    """ "top 20" with no count word after it: a place among provinces."""
    for index in reading.where(_TOP):
        if index + 1 < len(reading) and reading.is_number(index + 1):
            return not reading.marked(index + 2, "count")
    return False


def _mine(evidence: dict[str, float], entities: Entities, found: Signals) -> None:
    """ "cơ quan mình còn thiếu chỉ số nào chưa nhập": what one's own agency owes or holds.
    "tôi cần báo cáo những gì", "em phải nộp chỉ số nào": asking what oneself reports, when
    nothing stronger (a sub-index, an agency, another kind's strong cue) says otherwise."""
    reading = entities.reading
    if not reading.has("first_person"):
        return
    named = entities.codes or entities.pillars or entities.agencies
    asks_own = found.question and reading.has("reporting") and not named
    if asks_own and _strongest(evidence, "my_work") < STRONG:
        _add(evidence, "my_work", STRONG)
    if "my_work" in evidence:
        for kind in ("not_reported", "holdings"):
            _add(evidence, "my_work", evidence.pop(kind, 0.0) / 2)


def _generic_score(evidence: dict[str, float]) -> None:
    """Next to another kind's strong cue, "điểm", "tổng điểm" only say what it is about."""
    other = _strongest(evidence, "score")
    if other >= STRONG and 0.0 < evidence.get("score", 0.0) <= other:
        evidence["score"] /= 2


def _code_then_value(entities: Entities) -> bool:
    """A code followed (past a link word) by a value."""
    return bool(entities.codes) and bool(read_update(entities).raw_value)


def _update_shape(reading: Reading, entities: Entities) -> bool:
    """The message starts with a code and ":" or "=" ("8.2: 12,5% quý 3")."""
    first = entities.codes[0]
    lead = all(reading.marked(i, "filler") for i in range(first.first))
    after = first.last
    return (
        lead
        and after < len(reading)
        and reading.kinds[after] == SYMBOL
        and reading.words[after] in (":", "=")
    )
