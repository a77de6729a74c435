"""Fifty focal points confirming updates to one sub-index at the same moment: none is lost."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.settings import Settings
from domain.status import ReviewStatus
from parsing.intents import Update as UpdateIntent
from services.identity import Caller
from services.updates import Preview, Stored
from storage.db import make_engine
from storage.models import AuditRow
from tests.conftest import DATA, MovableClock
from tests.templates import Templates

PEOPLE = 50


async def test_fifty_concurrent_confirmed_updates_all_reach_history_and_the_audit_log(
    database_url: str, clock: MovableClock, templates: Templates
) -> None:
    settings = Settings(_env_file=None, database_url=database_url, data_dir=DATA, admin_ids="1")  # type: ignore[call-arg]
    async with templates.open_runtime(settings, clock) as runtime:
        svc = runtime.services
        admin = await svc.identity.person(Caller(1, "Quản trị"))
        invite = await svc.identity.create_invite(admin, "SKHCN", max_uses=PEOPLE, days=1)
        people = []
        for n in range(PEOPLE):
            caller = Caller(3000 + n, f"Đầu mối {n}")
            assert (await svc.identity.redeem(caller, invite.code)).new
            people.append(await svc.identity.person(caller))
        previews = []
        for n, person in enumerate(people):
            preview = await svc.updates.preview(
                person, UpdateIntent("8.2", f"{10 + n % 40},5", None, ""), None
            )
            assert isinstance(preview, Preview)
            previews.append(preview)

        results = await asyncio.gather(
            *(
                svc.updates.confirm(p, preview.draft_id)
                for p, preview in zip(people, previews, strict=True)
            )
        )

        assert all(isinstance(r, Stored) for r in results)
        stored_ids = {r.submission_id for r in results if isinstance(r, Stored)}
        history = await svc.updates.history("8.2")
        assert stored_ids <= {h.id for h in history}
        assert len([h for h in history if h.status == ReviewStatus.PENDING]) == PEOPLE
        board = await svc.scores.scoreboard(include_pending=True)
        current = board.sub_index("8.2")
        assert current is not None
        assert current.measurement is not None
        assert current.measurement.submission_id == max(stored_ids)

    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            audited = await conn.scalar(
                select(func.count())
                .select_from(AuditRow)
                .where(AuditRow.action == "submit", AuditRow.actor.like("user:%"))
            )
        assert audited == PEOPLE
    finally:
        await engine.dispose()
