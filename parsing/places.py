"""Provinces and frameworks a message names.

A province the data does not hold ("Đà Nẵng") makes the question unanswerable here; one it holds
through a framework ("Ninh Thuận", a former province now part of Khánh Hòa) picks that
framework. A framework is also named by its name or aliases, and a plan-targets one by "chỉ
tiêu" wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsing.lexicon import Lexicon
from parsing.reading import Reading
from parsing.tokens import fold_chars
from scoring.model import Framework, FrameworkKind

_CODE = re.compile(r"[0-9]{1,2}[.,][0-9]{1,2}")


@dataclass(frozen=True, slots=True)
class ProvinceMention:
    first: int
    last: int
    name: str  # as the province list writes it
    typed: str
    frameworks: tuple[str, ...]  # the frameworks holding its figures
    held: bool


def find_provinces(reading: Reading, lexicon: Lexicon) -> list[ProvinceMention]:
    found: list[ProvinceMention] = []
    for at, sense in reading.things:
        hit = reading.hits[at]
        if sense.kind != "province" or found and found[-1].first == hit.first:
            continue
        held = lexicon.held_provinces.get(fold_chars(sense.name))
        typed = reading.typed(hit.first, hit.last)
        found.append(
            ProvinceMention(hit.first, hit.last, sense.name, typed, held or (), held is not None)
        )
    return found


def _targets(framework: Framework) -> bool:
    return framework.kind == FrameworkKind.TARGETS


def _about_primary(reading: Reading, lexicon: Lexicon) -> bool:
    """A pillar of the primary framework or a sub-index code: "đề án đô thị thông minh" and
    "chỉ tiêu 8.2" are about the DTI framework, "chỉ tiêu" or not."""
    if any(_CODE.fullmatch(w) for w in reading.words):
        return True
    return any(s.kind == "pillar" and s.name == lexicon.primary for _, s in reading.things)


def named_frameworks(
    reading: Reading, lexicon: Lexicon, provinces: list[ProvinceMention], year: int | None
) -> list[str]:
    """The frameworks the message may name, best first, newest first among equals; none: the
    chat's default applies. Several when only a province names them and nothing says which
    (the caller then looks for their sub-indices' names)."""
    named = [s.name for _, s in reading.things if s.kind == "framework"]
    if named:
        return named[:1]
    candidates = [code for p in provinces for code in p.frameworks]
    targets = reading.has("targets")
    if not candidates and targets and not _about_primary(reading, lexicon):
        candidates = [code for code, e in lexicon.frameworks.items() if _targets(e.framework)]
    if not candidates:
        return []
    # "chỉ tiêu" asks for plan targets; "điểm", "DTI" for a DTI framework (points, or the
    # published 0-1 index).
    plans = [c for c in candidates if _targets(lexicon.framework(c))]
    scores = [c for c in candidates if not _targets(lexicon.framework(c))]
    if targets and plans:
        candidates = plans
    elif reading.has("dti") and scores:
        candidates = scores
    if year is not None:
        same_year = [c for c in candidates if lexicon.framework(c).year == year]
        candidates = same_year or candidates
    return sorted(candidates, key=lambda c: -lexicon.framework(c).year)
