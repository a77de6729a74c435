"""Pillars in a message: by name, abbreviation or English name ("Hạ tầng số", "HTS", "digital
infrastructure"), or by number ("trụ cột 3", "trụ cột thứ 7", "chỉ số chính số 3", "pillar 3",
"chỉ số 3")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsing.fuzzy import best_window
from parsing.lexicon import FrameworkEntry
from parsing.reading import Reading
from scoring.model import Framework

_SMALL = re.compile(r"[0-9]{1,2}")


@dataclass(frozen=True, slots=True)
class PillarMention:
    first: int
    last: int
    code: str


def find_pillars(
    reading: Reading, entry: FrameworkEntry, number_words: dict[str, int]
) -> list[PillarMention]:
    """Pillars by name, abbreviation, number; a long name also with a typo."""
    framework = entry.framework
    found: list[PillarMention] = []
    for at, sense in reading.things:
        if sense.kind == "pillar" and sense.name == framework.code:
            hit = reading.hits[at]
            if not found or found[-1].first != hit.first:
                found.append(PillarMention(hit.first, hit.last, sense.value))
    prefixes = reading.markers.get("pillar_prefix", []) + reading.markers.get("code_prefix", [])
    for at in sorted(prefixes):
        hit = reading.hits[at]
        numbered = _numbered(reading, framework, hit.first, hit.last, number_words)
        if numbered is not None:
            found.append(numbered)
    if not found:
        typed = best_window(
            reading.words, entry.pillar_names, lambda i: _free(reading, i), reading.present()
        )
        if typed is not None:
            found.append(PillarMention(*typed))
    return found


def _free(reading: Reading, index: int) -> bool:
    """A word no phrase claims ("an toàn thông tim mạng" has a typo, so none does); not one
    inside a longer name ("tỷ trọng kinh tế số trong GRDP")."""
    return reading.owner[index] < 0


def _numbered(
    reading: Reading, framework: Framework, first: int, last: int, number_words: dict[str, int]
) -> PillarMention | None:
    """ "trụ cột (thứ|số) 7|bảy", or "chỉ số 3" (a lone small number after "chỉ số")."""
    pillar_prefix = reading.marked(first, "pillar_prefix")
    if not pillar_prefix and not reading.marked(first, "code_prefix"):
        return None
    at = last
    if pillar_prefix and at < len(reading) and reading.marked(at, "ordinal"):
        at += 1
    if at >= len(reading):
        return None
    word = reading.words[at]
    if reading.is_number(at) and _SMALL.fullmatch(word):
        if not pillar_prefix and reading.is_number(at + 1):
            return None  # "chỉ số 8 2" is a sub-index
        code = str(int(word))
    elif pillar_prefix and word in number_words:
        code = str(number_words[word])
    else:
        return None
    return PillarMention(first, at + 1, code) if framework.pillar(code) else None
