"""Rows as an earlier version of the bot left them, before typed texts were bounded: a note of
3,873 characters, a return reason of 4,085, an explanation of 5,000 and a deadline title of
3,000. Written straight into the database, as old data, for the tests that check no view fails
on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update

from domain.status import ReviewStatus
from parsing.intents import Update as UpdateIntent
from services.container import Services
from services.identity import Person
from storage import deadlines as deadlines_repo
from storage.models import ExplanationRow, ReviewRow, SubmissionRow

NOTE, REASON, EXPLANATION, TITLE = 3873, 4085, 5000, 3000
PERIOD = "2025-Q4"


def long_text(length: int, word: str) -> str:
    """Words and a line break now and then, as someone pasting a report would send."""
    line = " ".join([word] * 12) + "\n"
    return (line * (length // len(line) + 1))[:length]


@dataclass(frozen=True)
class OldRows:
    noted: int  # the submission with the long note (8.2, pending)
    returned: int  # the submission returned with the long reason
    returned_code: str


async def store_long_texts(services: Services, focal: Person, admin: Person) -> OldRows:
    """The focal point's 8.2 with a long note, another of their sub-indices returned with a long
    reason, a long explanation of 8.2, and a custom deadline with a long title. The rows are
    made through the services, then given the long texts directly, as old data would be."""
    framework, directory = await services.scores.reference()
    other = next(
        s
        for s in framework.sub_indices
        if s.code != "8.2"
        and any(a in directory.expand(c) for a in focal.agencies for c in s.lead)
    )
    stored = []
    for sub in (framework.sub_index("8.2"), other):
        assert sub is not None
        raw = "có" if sub.unit == "có/không" else "1"
        preview = await services.updates.preview(
            focal, UpdateIntent(sub.code, raw, None, ""), None
        )
        stored.append((await services.updates.confirm(focal, preview.draft_id)).submission_id)
    await services.review.decide(admin, stored[1], ReviewStatus.REJECTED, "thiếu")
    await services.updates.explain(focal, "8.2", "ngắn")
    # Straight into the tables, through the services' own sessions: no service writes such rows.
    async with services.identity._sessions() as session, session.begin():
        await session.execute(
            update(SubmissionRow)
            .where(SubmissionRow.id == stored[0])
            .values(note=long_text(NOTE, "ghi chú"))
        )
        await session.execute(
            update(ReviewRow)
            .where(ReviewRow.submission_id == stored[1])
            .values(comment=long_text(REASON, "lý do"))
        )
        await session.execute(
            update(ExplanationRow).values(text=long_text(EXPLANATION, "giải trình"))
        )
        await deadlines_repo.add_change(
            session, action="add", key="custom:1", due=date(2025, 12, 20), period=PERIOD,
            audience="holders", title=long_text(TITLE, "tiêu đề"), actor=admin.actor,
            at=services.calendar.now(),
        )  # fmt: skip
    return OldRows(stored[0], stored[1], other.code)
