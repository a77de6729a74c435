"""Agencies in a message: by code, full name or alias, old names already resolved to the agency
that answers for them now; long names tolerate typos ("Sở Khoa hoc Cong ngh")."""

from __future__ import annotations

from dataclasses import dataclass

from parsing.fuzzy import best_window
from parsing.lexicon import Lexicon
from parsing.reading import Reading

# An everyday-word alias ("Tài chính") counts only this close to a question about what an agency
# answers for or owes: "Tài chính chủ trì gì", "Nội vụ chưa báo cáo".
BARE_REACH = 1
_BARE_CUES = frozenset({"holdings", "holders", "not_reported"})


@dataclass(frozen=True, slots=True)
class AgencyMention:
    first: int
    last: int
    code: str


def find_agencies(
    reading: Reading, lexicon: Lexicon, *, bare: bool = False
) -> list[AgencyMention]:
    """Agencies named; `bare` accepts everyday-word aliases anywhere (a command's argument
    can only be an agency)."""
    found: list[AgencyMention] = []
    for at, sense in reading.things:
        if sense.kind == "agency" and (bare or sense.value != "bare" or _near_cue(reading, at)):
            hit = reading.hits[at]
            if not found or found[-1].first != hit.first:
                found.append(AgencyMention(hit.first, hit.last, sense.name))
    if not found and "agency_head" in reading.markers:
        found += _with_typos(reading, lexicon)
    return found


def _near_cue(reading: Reading, at: int) -> bool:
    for neighbour in range(max(at - BARE_REACH, 0), min(at + BARE_REACH + 1, len(reading.hits))):
        if neighbour != at and any(
            s.kind == "cue" and s.name in _BARE_CUES for s in reading.hits[neighbour].senses
        ):
            return True
    return False


def _with_typos(reading: Reading, lexicon: Lexicon) -> list[AgencyMention]:
    """Long names whose first word is typed right and the rest nearly so."""

    def free(index: int) -> bool:
        return reading.owner[index] < 0 or reading.marked(index, "agency_head")

    found = best_window(reading.words, lexicon.agency_names, free, reading.present())
    return [] if found is None else [AgencyMention(*found)]
