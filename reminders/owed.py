"""What each agency still owes under a deadline (pure): the sub-indices it answers for that have
no value for the deadline's period yet."""

from __future__ import annotations

from reminders.calendar import AGENCY, HOLDERS, LEADS, Deadline
from scoring.model import Directory, Framework, SubIndex


def owed_by_agency(
    framework: Framework, directory: Directory, deadline: Deadline, reported: set[str]
) -> dict[str, tuple[str, ...]]:
    """Agency -> the sub-index codes it answers for under this deadline that have no value for
    its period yet. Agencies answering for nothing under it are left out."""
    audience = deadline.audience
    owed: dict[str, list[str]] = {}

    def add(agency: str, sub: SubIndex) -> None:
        codes = owed.setdefault(agency, [])
        if sub.code not in reported and sub.code not in codes:
            codes.append(sub.code)

    for sub in framework.sub_indices:
        if audience.startswith(AGENCY):
            add(audience.removeprefix(AGENCY), sub)
            continue
        holders = (
            sub.lead
            if audience == LEADS
            else (*sub.lead, *sub.coordinate)
            if audience == HOLDERS
            else ()
        )
        for code in holders:
            for agency in directory.expand(code):
                add(agency, sub)
    return {a: tuple(c) for a, c in owed.items()}
