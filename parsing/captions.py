"""A file's caption: the sub-index and period it names, found by the router's own extractors
("8.2", "8,2", "chỉ số 8 2"; "quý 3", "Q3/2025", "năm 2025"), so a caption reads as a message
does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from parsing.entities import extract
from parsing.lexicon import Lexicon
from parsing.reading import read


@dataclass(frozen=True, slots=True)
class Caption:
    code: str | None  # the first sub-index named; None: none
    period: str | None  # None: none named (the current one is meant)
    bad_period: bool  # a period named wrongly ("quý 5")


def read_caption(text: str, lexicon: Lexicon, today: date) -> Caption:
    """The evidence a caption describes, in the primary framework (evidence is kept for it)."""
    entities = extract(read(text, lexicon), lexicon, today)
    code = entities.codes[0].code if entities.codes else None
    return Caption(code, entities.period, entities.bad_period)
