"""Every entity of a message, each found once by its extractor: framework, codes, pillars,
sub-indices by name, agencies, provinces, period, year, count and target."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from parsing.agencies import AgencyMention, find_agencies
from parsing.codes import CodeMention, find_codes
from parsing.lexicon import FrameworkEntry, Lexicon
from parsing.period_text import PERIOD_FIRST_WORDS, PeriodTextError, period_at, starts_period
from parsing.pillars import PillarMention, find_pillars
from parsing.places import ProvinceMention, find_provinces, named_frameworks
from parsing.quantities import find_count, find_target, find_year
from parsing.reading import Reading
from parsing.subjects import SubjectReading, resolve, subs_by_name
from parsing.tokens import positions
from scoring.model import FrameworkKind


@dataclass(slots=True)
class Entities:
    reading: Reading
    lexicon: Lexicon
    today: date
    framework: str | None  # the framework the message names; None: the chat's default
    entry: FrameworkEntry  # where codes and names are resolved
    default: FrameworkEntry  # the chat's framework (or the primary): a gap's target is of it
    codes: list[CodeMention]
    pillars: list[PillarMention]
    agencies: list[AgencyMention]
    provinces: list[ProvinceMention]
    period: str | None
    period_words: tuple[int, int]  # the words naming it; (0, 0) for none
    bad_period: bool  # "quý 5": a period named wrongly
    year: int | None
    count: int | None
    taken: set[int]  # words an entity took: never a sub-index name, a target or a count
    command: bool = False  # a command's arguments, not a message
    _subject: SubjectReading | None = field(default=None)
    _target: tuple[Decimal | None] | None = field(default=None)

    @property
    def subject(self) -> SubjectReading:
        """Resolved on first use: only questions about a subject need the name matching."""
        if self._subject is None:
            self._subject = resolve(
                self.reading, self.lexicon, self.entry, self.codes, self.pillars, self.taken
            )
        return self._subject

    @property
    def target(self) -> Decimal | None:
        if self._target is None:
            total = self.default.framework.total_max
            self._target = (find_target(self.reading, self.taken, total),)
        return self._target[0]

    @property
    def asked_period(self) -> str | None:
        """The period named, or the year named alone ("điểm DTI 2024")."""
        return self.period or (str(self.year) if self.year else None)

    @property
    def agency(self) -> str | None:
        return self.agencies[0].code if self.agencies else None

    def mark(self, first: int, last: int) -> None:
        self.taken.update(range(first, last))


def extract(
    reading: Reading,
    lexicon: Lexicon,
    today: date,
    default: str | None = None,
    *,
    command: bool = False,
) -> Entities:
    """The entities of a reading; codes and names resolve in the framework the message names,
    else in `default` (the chat's), else in the lexicon's primary framework. `command`: the
    text is a command's arguments, which name an agency by an everyday-word alias anywhere
    ("/cua tài chính") and a value with no link word ("/capnhat 1.1 có")."""
    taken: set[int] = set()
    period, period_words, bad_period = period_in(reading, today)
    taken.update(range(*period_words))
    year = int(period) if period and period.isdigit() else None
    provinces = find_provinces(reading, lexicon)
    if year is None:
        bare = find_year(reading, taken)
        if bare is not None:
            taken.add(bare[0])
            year = bare[1]
    framework = _framework(reading, lexicon, named_frameworks(reading, lexicon, provinces, year))
    chat = lexicon.frameworks[default or lexicon.primary]
    entry = lexicon.frameworks[framework] if framework else chat
    codes = find_codes(reading, entry.framework)
    pillars = find_pillars(reading, entry, lexicon.number_words)
    agencies = find_agencies(reading, lexicon, bare=command)
    count = find_count(reading, lexicon.number_words, lexicon.count_words)
    spans = [(c.first, c.last) for c in codes] + [(p.first, p.last) for p in pillars]
    spans += [(a.first, a.last) for a in agencies] + [(p.first, p.last) for p in provinces]
    for first, last in spans:
        taken.update(range(first, last))
    if count is not None:
        taken.add(count[0])
    return Entities(
        reading,
        lexicon,
        today,
        framework,
        entry,
        chat,
        codes,
        pillars,
        agencies,
        provinces,
        period,
        period_words,
        bad_period,
        year,
        None if count is None else count[1],
        taken,
        command,
    )


def _framework(reading: Reading, lexicon: Lexicon, candidates: list[str]) -> str | None:
    """One of the frameworks a message may name: the one whose sub-indices it names most
    ("cáp quang hộ gia đình Ninh Thuận" is a plan target, not the DTI 2022); when it names none
    the province's plan targets, which hold the most of its figures."""
    if len(candidates) < 2:
        return candidates[0] if candidates else None

    def evidence(code: str) -> tuple[float, bool]:
        entry = lexicon.frameworks[code]
        named = subs_by_name(reading, lexicon, entry, ())[1]
        return named, entry.framework.kind == FrameworkKind.TARGETS

    return max(candidates, key=evidence)


def period_in(reading: Reading, today: date) -> tuple[str | None, tuple[int, int], bool]:
    """The period named, as a code, the words naming it, and whether a period was named that
    cannot be ("quý 5")."""
    tokens = reading.tokens
    texts = tokens.texts
    # The tokens that may begin a period phrase: its first words, and numbers ("6", "2025").
    named = positions(texts, PERIOD_FIRST_WORDS)
    numbers = (
        t for t in map(reading.origin.__getitem__, reading.numbers) if starts_period(texts[t])
    )
    starts = [tokens.starts[t] for t in sorted({*named, *numbers})]
    if not starts:
        return None, (0, 0), False
    try:
        found = period_at(tokens.source, today, starts, tokens.folded())
    except PeriodTextError:
        return None, (0, 0), True
    if found is None:
        return None, (0, 0), False
    code, start, end = found
    # The words whose tokens start inside the phrase (tokens are in order, words too).
    first_token = bisect_left(tokens.starts, start)
    last_token = bisect_left(tokens.starts, end)
    first = bisect_left(reading.origin, first_token)
    last = bisect_left(reading.origin, last_token)
    return code, ((first, last) if first < last else (0, 0)), False
