"""Who may update a sub-index: the agencies that lead or coordinate it (groups expanded), their
focal points, and administrators."""

from __future__ import annotations

from scoring.model import Directory, Framework, SubIndex
from services.identity import Person
from services.refusal import Refusal


def holders(directory: Directory, sub: SubIndex) -> set[str]:
    """Every agency that leads or coordinates a sub-index, groups expanded."""
    return {a for code in (*sub.lead, *sub.coordinate) for a in directory.expand(code)}


def acting_agency(person: Person, directory: Directory, sub: SubIndex) -> str | None:
    """The agency the person updates for: one that leads it, else one that coordinates it."""
    lead = {a for code in sub.lead for a in directory.expand(code)}
    mine = [a for a in person.agencies if a in holders(directory, sub)]
    return next((a for a in mine if a in lead), mine[0] if mine else None)


def updatable(person: Person, framework: Framework, directory: Directory, code: str) -> SubIndex:
    """The sub-index, if it exists and the person may update it; else a refusal naming the
    codes nearby, or who holds it."""
    sub = framework.sub_index(code)
    if sub is None:
        pillar = framework.pillar(code.split(".")[0])
        near = [s.code for s in pillar.sub_indices] if pillar else []
        raise Refusal("problem.update.unknown_code", code=code, near=near)
    if not person.is_registered:
        raise Refusal("problem.update.unregistered")
    if not person.is_admin and not (set(person.agencies) & holders(directory, sub)):
        raise Refusal(
            "problem.update.not_holder",
            code=code,
            lead=sub.lead,
            coordinate=sub.coordinate,
            mine=person.agencies,
        )
    return sub
