"""One router from a message to exactly one intent (pure: no I/O, no clock, no Telegram).

    lexicon = build_lexicon(frameworks, directory, province)   # once, at start
    intent = route("còn thiếu bao nhiêu điểm để đạt 800", lexicon, today)   # Gap(800)

The message is read once (parsing.reading), its entities extracted once (parsing.entities),
each kind of question weighed by its evidence (parsing.evidence), and the best built
(parsing.builders). When two kinds are close, or the best is weak, the answer is Unclear with
up to three candidates to offer as buttons; with no evidence at all, Unclear with none. A
message of several sentences is answered from the one that asks (parsing.sentences), the
others filling in what it leaves out (parsing.completion).
"""

from __future__ import annotations

from datetime import date

from parsing.builders import build
from parsing.commands import command_intent, split_command
from parsing.completion import completed
from parsing.entities import Entities, extract
from parsing.evidence import CANDIDATE, CLOSE, CONFIDENT, Signals, is_question, signals, weigh
from parsing.intents import (
    Help,
    Intent,
    NoData,
    NoDataReason,
    Unclear,
    UnclearReason,
    Update,
)
from parsing.lexicon import Lexicon
from parsing.reading import Reading, read
from parsing.sentences import asking_order, sentences_of

MAX_CANDIDATES = 3
_TRIED = 2  # sentences routed alone before the whole message is
# Kinds answered from the deployment's own figures only: a province held through another
# framework cannot be asked this way ("Ninh Thuận còn thiếu bao nhiêu điểm").
_OWN_FIGURES = frozenset(
    {"gap", "weakest", "what_if", "trend", "rank", "not_reported", "summary", "chart", "export"}
)


def route(text: str, lexicon: Lexicon, today: date, default: str | None = None) -> Intent:
    """The intent of a message; `default` is the chat's framework code when it has one.

    In a message of several sentences the one that asks is routed alone first: a greeting, a
    thanks or the meeting the figures are for ("Em mới được phân công làm đầu mối. Biểu đồ
    các trụ cột") must not change the answer. Only when it is unclear alone does the whole
    message decide, its other sentences completing it ("Về chỉ số 6.6. Ai chủ trì?")."""
    command = split_command(text)
    if command is not None:
        return command_intent(command[0], command[1], lexicon, today, default)
    texts = sentences_of(text)
    sentences = [read(sentence, lexicon, sentence=True) for sentence in texts]
    if len(sentences) == 1:
        return _route_reading(sentences[0], lexicon, today, default)
    for asked in asking_order(sentences)[:_TRIED]:
        # The others, the nearest first: "Mục tiêu là 850 điểm. Còn thiếu bao nhiêu?"
        others = sorted(range(len(sentences)), key=lambda other: abs(other - asked))[1:]
        # "Giả sử 8.2 đạt 40%. Khi đó tổng điểm bao nhiêu?": the condition is in another one.
        if any(sentences[other].has("hypothetical") for other in others):
            break
        alone = _route_reading(sentences[asked], lexicon, today, default)
        if isinstance(alone, Update) and _asks(sentences):
            break  # a message with a question word anywhere is never an update
        if not isinstance(alone, Unclear):
            nearest = [sentences[other] for other in others]
            return completed(alone, sentences[asked], nearest, lexicon, today, default)
        if alone.reason != UnclearReason.NOTHING and asked > 0:
            # "Về chỉ số 6.6. Ai chủ trì?": it asks, the sentence before completes it.
            pair = read(f"{texts[asked - 1]} {texts[asked]}", lexicon)
            joined = _route_reading(pair, lexicon, today, default)
            if not isinstance(joined, Unclear) or len(sentences) == 2:
                return joined
            break
    return _route_reading(read(text, lexicon), lexicon, today, default)


def _asks(sentences: list[Reading]) -> bool:
    """A question word in any sentence, or a question particle ending the message."""
    return any(s.has("question") for s in sentences) or is_question(sentences[-1])


def _route_reading(reading: Reading, lexicon: Lexicon, today: date, default: str | None) -> Intent:
    entities = extract(reading, lexicon, today, default)
    found = signals(entities)
    ranked = sorted(weigh(entities, found).items(), key=lambda item: -item[1])
    refused = _not_held(entities)
    if refused is not None and not (ranked and ranked[0][0] == "help"):
        return refused
    if not ranked:
        # "@TroLyDtiBot" alone calls the bot: the help.
        mention_only = not reading.words and "@" in reading.tokens.source
        return Help() if mention_only else Unclear(UnclearReason.NOTHING)
    built: dict[str, Intent] = {}
    # A kind that lacks its part ("which indicators" with no agency) gives way to a confident
    # one that has them ("… lose the most points").
    while len(ranked) > 1 and ranked[1][1] >= CONFIDENT:
        built[ranked[0][0]] = build(ranked[0][0], entities, found.changes)
        if built[ranked[0][0]] != Unclear(UnclearReason.INCOMPLETE):
            break
        ranked = ranked[1:]
    best, weight = ranked[0]
    if best not in built:
        built[best] = build(best, entities, found.changes)
    close: list[str] = []
    # A weak reading offers the runners-up with some evidence; a confident one asks back only
    # when a runner-up is confident too and close.
    floor = CANDIDATE if weight < CONFIDENT else max(weight - CLOSE, CONFIDENT)
    for kind, other in ranked[1:]:
        if other < floor or len(close) == MAX_CANDIDATES - 1:
            break
        built[kind] = build(kind, entities, found.changes)
        if _offerable(built[kind], found):
            close.append(kind)
    if weight < CONFIDENT:
        asked = _ask(UnclearReason.LOW_CONFIDENCE, [best, *close], built, found)
        # "cập nhật", "what if": the kind is all there is, and it lacks its parts.
        lacking = built[best] == Unclear(UnclearReason.INCOMPLETE)
        return built[best] if lacking and not asked.candidates else asked
    if close:
        return _ask(UnclearReason.AMBIGUOUS, [best, *close], built, found)
    province = _other_framework_province(entities, best)
    return province if province is not None else built[best]


def explain(text: str, lexicon: Lexicon, today: date) -> dict[str, float]:
    """The evidence for each kind (for the benchmark and for tuning the vocabulary)."""
    entities = extract(read(text, lexicon), lexicon, today)
    return weigh(entities, signals(entities))


def _not_held(entities: Entities) -> NoData | None:
    """A province the data does not hold, a commune (not scored on its own), or an index the
    data does not track."""
    reading = entities.reading
    for province in entities.provinces:
        if not province.held:
            return NoData(NoDataReason.OTHER_PROVINCE, province.typed)
    for hit in reading.spans("other_province"):
        return NoData(NoDataReason.OTHER_PROVINCE, reading.typed(hit.first, hit.last))
    for hit in reading.spans("commune"):
        last = hit.last
        while last < len(reading) and reading.capitalised(last):
            last += 1  # the commune's name, in capitals: "phường Nha Trang"
        if last > hit.last:
            return NoData(NoDataReason.NOT_HELD, reading.typed(hit.first, last))
    for hit in reading.spans("not_held"):
        return NoData(NoDataReason.NOT_HELD, reading.typed(hit.first, hit.last))
    return None


def _other_framework_province(entities: Entities, kind: str) -> NoData | None:
    """A held province of another framework, asked a question only our own figures answer."""
    if kind not in _OWN_FIGURES:
        return None
    for province in entities.provinces:
        if province.frameworks:
            return NoData(NoDataReason.NOT_HELD, province.name)
    return None


def _offerable(intent: Intent, found: Signals) -> bool:
    """Something a button can stand for: not an update of a question or a hypothetical, not a
    request that lacks its subject."""
    if isinstance(intent, Update):
        return not (found.question or found.hypothetical)
    if isinstance(intent, Unclear):
        return bool(intent.candidates)
    return True


def _ask(
    reason: UnclearReason, kinds: list[str], built: dict[str, Intent], found: Signals
) -> Unclear:
    """Unclear with the candidates the kinds give (an unclear one gives its own)."""
    candidates: list[Intent] = []
    for kind in kinds:
        intent = built[kind]
        offered = intent.candidates if isinstance(intent, Unclear) else (intent,)
        for candidate in offered:
            if _offerable(candidate, found) and candidate not in candidates:
                candidates.append(candidate)
    return Unclear(reason, tuple(candidates[:MAX_CANDIDATES]))
