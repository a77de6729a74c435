"""The administration services on SQLite and PostgreSQL: agencies, assignments, users, framework
imports (dry run and apply), broadcasts; each change audited, and seen by every process."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.admin_cli import SERVER
from bot.settings import Settings
from domain.status import UserRole
from scoring.model import Role
from services.container import Services
from services.evidence import FileInfo
from services.identity import Caller
from services.refusal import Refusal
from services.scores import ScoreService
from storage import deliveries
from storage.models import AuditRow, FrameworkRow, IndicatorRow
from tests.conftest import DATA, MovableClock
from tests.templates import Templates

FRAMEWORK_FILE = DATA / "frameworks" / "dti-province-2025.yaml"


@pytest.fixture
async def svc(
    database_url: str, tmp_path: Path, clock: MovableClock, templates: Templates
) -> AsyncIterator[Services]:
    """Services on a fresh database of each kind."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        data_dir=DATA,
        admin_ids="1",
        reminder_tick_seconds=0,
        evidence_dir=tmp_path / "evidence",
    )
    async with templates.open_runtime(settings, clock) as runtime:
        yield runtime.services


async def audit(services: Services, entity: str) -> list[AuditRow]:
    async with services.identity._sessions() as session:
        rows = await session.scalars(
            select(AuditRow).where(AuditRow.entity == entity).order_by(AuditRow.id)
        )
        return list(rows)


async def count(services: Services, table: Any) -> int:
    async with services.identity._sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


def modified_framework(code: str = "dti-province-2026") -> bytes:
    """The bundled framework as a new version: 8.2 worth 40, 8.3 worth 60 (pillar 8 adds up),
    4.2 scored from 15 %, 8.2 led by SNV too."""
    text = FRAMEWORK_FILE.read_text("utf-8").replace("code: dti-province-2025", f"code: {code}")
    lines = text.replace("year: 2025", "year: 2026").splitlines()
    _edit(lines, "8.2", "max: 50", "max: 40")
    _edit(lines, "8.2", "lead: [SKHCN]", "lead: [SKHCN, SNV]")
    _edit(lines, "8.3", "max: 50", "max: 60")
    _edit(lines, "4.2", "threshold: 10", "threshold: 15")
    return "\n".join(lines).encode("utf-8")


def _edit(lines: list[str], code: str, old: str, new: str) -> None:
    """Replace one line of a sub-index's block in the framework file."""
    at = lines.index(f'      - code: "{code}"')
    end = next(i for i in range(at + 1, len(lines)) if lines[i].startswith("      - code:"))
    found = next(i for i in range(at, end) if lines[i].strip() == old)
    lines[found] = lines[found].replace(old, new)


# ------------------------------------------------------------------------------ agencies
async def test_an_agency_is_added_renamed_and_given_names_and_each_change_is_audited(
    svc: Services,
) -> None:
    agencies = svc.agencies
    added = await agencies.add(SERVER, "xcamranh", "Phường Cam Ranh", "commune", ("Cam Ranh",))
    assert added.code == "XCAMRANH"
    directory = await agencies.directory()
    assert "XCAMRANH" in directory.expand("DP")  # a commune joins "Các địa phương"
    renamed = await agencies.rename(SERVER, "Cam Ranh", "Phường Cam Ranh mới")
    assert renamed.before == "Phường Cam Ranh"
    assert (await agencies.agency("Phường Cam Ranh")).code == "XCAMRANH"  # the old name finds it
    await agencies.alias(SERVER, "XCAMRANH", "CR")
    await agencies.alias(SERVER, "XCAMRANH", "CR 2", remove=False)
    await agencies.alias(SERVER, "XCAMRANH", "cr 2", remove=True)
    found = (await agencies.directory()).agency("XCAMRANH")
    assert found is not None
    assert found.name == "Phường Cam Ranh mới"
    assert found.aliases == ("Cam Ranh", "Phường Cam Ranh", "CR")
    rows = await audit(svc, "agency")
    assert [(r.action, r.entity_key, r.actor) for r in rows[-5:]] == [
        ("create", "XCAMRANH", "server"),
        ("rename", "XCAMRANH", "server"),
        ("alias", "XCAMRANH", "server"),
        ("alias", "XCAMRANH", "server"),
        ("unalias", "XCAMRANH", "server"),
    ]
    assert rows[-4].detail == {"before": "Phường Cam Ranh", "after": "Phường Cam Ranh mới"}
    assert rows[-1].detail == {"alias": "cr 2"}


@pytest.mark.parametrize(
    ("call", "refusal"),
    [
        (("add", "S", "Sở Mới", "department"), "agency.bad_code"),
        (("add", "SNEW", "Sở Mới", "ministry"), "agency.unknown_kind"),
        (("add", "SNEW", "Sở Nội vụ", "department"), "agency.name_taken"),
        (("add", "VNPT", "Tập đoàn", "telecom"), "agency.name_taken"),
        (("rename", "SNX", "Sở X"), "agency.unknown"),
        (("rename", "SNV", "Sở Tài chính"), "agency.name_taken"),
        (("alias", "SNV", "Sở KH&CN"), "agency.name_taken"),
        (("unalias", "SNV", "không có"), "agency.alias_missing"),
    ],
)
async def test_agency_changes_that_cannot_be_made_are_refused_and_change_nothing(
    svc: Services, call: tuple[str, ...], refusal: str
) -> None:
    before, audited = await svc.agencies.directory(), await count(svc, AuditRow)
    action, *args = call
    calls = {
        "add": lambda: svc.agencies.add(SERVER, *args),
        "rename": lambda: svc.agencies.rename(SERVER, *args),
        "alias": lambda: svc.agencies.alias(SERVER, *args),
        "unalias": lambda: svc.agencies.alias(SERVER, *args, remove=True),
    }
    with pytest.raises(Refusal) as refused:
        await calls[action]()
    assert refused.value.message == refusal
    assert await svc.agencies.directory() == before
    assert await count(svc, AuditRow) == audited


# ------------------------------------------------------------------------------ assignments
async def test_an_agency_is_made_to_coordinate_a_sub_index_and_taken_off_again(
    svc: Services,
) -> None:
    done = await svc.agencies.assign(SERVER, "8.2", "Sở Nội vụ", Role.COORDINATE)
    assert (done.holder, done.roles, done.framework) == (
        "SNV",
        (Role.COORDINATE,),
        "dti-province-2025",
    )
    framework, _ = await svc.scores.reference()
    sub = framework.sub_index("8.2")
    assert sub is not None
    assert sub.coordinate == ("DNVT", "SNV")
    with pytest.raises(Refusal, match="assign.already"):
        await svc.agencies.assign(SERVER, "8.2", "SNV", Role.COORDINATE)
    removed = await svc.agencies.unassign(SERVER, "8.2", "SNV")
    assert removed.roles == (Role.COORDINATE,)
    framework, _ = await svc.scores.reference()
    sub = framework.sub_index("8.2")
    assert sub is not None
    assert sub.coordinate == ("DNVT",)
    with pytest.raises(Refusal, match="assign.not_held"):
        await svc.agencies.unassign(SERVER, "8.2", "SNV", Role.LEAD)
    rows = await audit(svc, "assignment")
    assert [(r.action, r.entity_key) for r in rows] == [
        ("assign", "dti-province-2025:8.2:SNV"),
        ("unassign", "dti-province-2025:8.2:SNV"),
    ]


async def test_an_agency_that_ended_is_assigned_as_its_successor(svc: Services) -> None:
    done = await svc.agencies.assign(SERVER, "4.2", "Sở KH&ĐT", Role.COORDINATE)
    assert done.holder == "STC"  # Sở Kế hoạch và Đầu tư merged into Sở Tài chính


async def test_assignments_to_what_does_not_exist_are_refused(svc: Services) -> None:
    with pytest.raises(Refusal, match="assign.unknown_sub_index"):
        await svc.agencies.assign(SERVER, "8.9", "SNV", Role.LEAD)
    with pytest.raises(Refusal, match="agency.unknown"):
        await svc.agencies.assign(SERVER, "8.2", "Sở Không Có", Role.LEAD)
    with pytest.raises(Refusal, match="assign.unknown_framework"):
        await svc.agencies.assign(SERVER, "8.2", "SNV", Role.LEAD, framework="dti-2030")


async def test_another_process_sees_an_agency_change_when_it_next_revalidates(
    svc: Services,
) -> None:
    ticks = [0.0]
    other = ScoreService(
        svc.identity._sessions,
        calendar=svc.calendar,
        revalidate_seconds=30,
        monotonic=lambda: ticks[0],
    )
    _, before = await other.reference()
    await svc.agencies.add(SERVER, "XNINHHOA", "Phường Ninh Hòa", "commune")
    ticks[0] = 29.0
    assert (await other.reference())[1] is before  # kept until it asks again
    ticks[0] = 31.0
    _, after = await other.reference()
    assert after.agency("XNINHHOA") is not None


async def test_a_chat_s_framework_is_read_once_and_another_process_sees_a_new_choice(
    svc: Services,
) -> None:
    ticks = [0.0]
    other = ScoreService(
        svc.identity._sessions,
        calendar=svc.calendar,
        revalidate_seconds=30,
        monotonic=lambda: ticks[0],
    )
    default = await other.chat_framework(-100)
    chosen = await svc.scores.choose(SERVER, -100, "ninh-thuan-2314")
    assert chosen is not None
    assert chosen.code != default
    assert await svc.scores.chat_framework(-100) == chosen.code  # this process: at once
    ticks[0] = 29.0
    assert await other.chat_framework(-100) == default  # kept until it asks again
    ticks[0] = 31.0
    assert await other.chat_framework(-100) == chosen.code


# ------------------------------------------------------------------------------ users
async def test_users_are_listed_with_roles_and_linked_to_agencies(svc: Services) -> None:
    await svc.identity.person(Caller(501, "Hoa", "hoa"))
    await svc.identity.person(Caller(1, "Quản trị"))
    name = await svc.identity.link(SERVER, 501, "SKHCN", on=True)
    assert name == "Hoa"
    with pytest.raises(Refusal, match="users.already_linked"):
        await svc.identity.link(SERVER, 501, "SKHCN", on=True)
    await svc.identity.grant(SERVER, 501, UserRole.LEADER)
    users = {u.telegram_id: u for u in await svc.identity.users()}
    assert users[501].role is UserRole.LEADER
    assert users[501].agencies == ("SKHCN",)
    assert users[1].configured_admin
    await svc.identity.link(SERVER, 501, "SKHCN", on=False)
    with pytest.raises(Refusal, match="users.not_linked"):
        await svc.identity.link(SERVER, 501, "SKHCN", on=False)
    assert [r.action for r in await audit(svc, "user")] == ["link", "grant", "unlink"]


# ------------------------------------------------------------------------------ imports
async def test_a_dry_run_shows_the_differences_and_changes_nothing(svc: Services) -> None:
    audits, frameworks = await count(svc, AuditRow), await count(svc, FrameworkRow)
    plan = await svc.imports.plan(modified_framework(), "dti-2026.yaml")
    assert not plan.exists
    assert plan.default_after
    d = plan.diff
    assert d.base == "dti-province-2025"
    assert {(c.code, c.before, c.after) for c in d.maxima} == {("8.2", 50, 40), ("8.3", 50, 60)}
    assert [c.code for c in d.rules] == ["4.2"]
    assert [(c.code, c.added) for c in d.holders] == [("8.2", ("SNV",))]
    assert {(c.code, c.field) for c in d.fields} == {("", "year")}
    assert (await count(svc, AuditRow), await count(svc, FrameworkRow)) == (audits, frameworks)


async def test_apply_adds_a_new_version_that_differs_by_exactly_the_diff(svc: Services) -> None:
    indicators = await count(svc, IndicatorRow)
    plan = await svc.imports.apply(SERVER, modified_framework(), "dti-2026.yaml")
    current, _ = await svc.scores.reference()
    assert current.code == "dti-province-2026"  # the newest DTI framework is answered
    assert current == plan.framework
    stored = await svc.imports.plan(modified_framework(), "again.yaml")
    assert stored.exists
    assert stored.diff.empty
    added = len(plan.framework.pillars) + len(plan.framework.sub_indices)
    assert await count(svc, IndicatorRow) == indicators + added
    old = await svc.imports.plan(FRAMEWORK_FILE.read_bytes(), "old.yaml")
    assert old.exists
    assert old.diff.empty
    rows = await audit(svc, "framework")
    assert rows[-1].action == "import"
    assert rows[-1].entity_key == "dti-province-2026"
    assert rows[-1].detail["changes"] == plan.diff.count == 5
    assert rows[-1].detail["base"] == "dti-province-2025"


async def test_a_file_whose_code_is_held_is_shown_against_it_and_never_applied(
    svc: Services,
) -> None:
    changed = modified_framework("dti-province-2025")
    plan = await svc.imports.plan(changed, "sua.yaml")
    assert plan.exists
    assert {c.code for c in plan.diff.maxima} == {"8.2", "8.3"}
    frameworks = await count(svc, FrameworkRow)
    with pytest.raises(Refusal, match="import.exists"):
        await svc.imports.apply(SERVER, changed, "sua.yaml")
    assert await count(svc, FrameworkRow) == frameworks
    applied = await svc.imports.apply(SERVER, changed, "sua.yaml", code="dti-province-2025b")
    assert applied.framework.code == "dti-province-2025b"


async def test_a_kept_import_applies_once_and_a_cancelled_one_never(svc: Services) -> None:
    staged = await svc.imports.stage(SERVER, modified_framework(), "a.yaml")
    assert staged.import_id is not None
    await svc.imports.apply_staged(SERVER, staged.import_id)
    with pytest.raises(Refusal, match="import.was_applied"):
        await svc.imports.apply_staged(SERVER, staged.import_id)
    other = await svc.imports.stage(SERVER, modified_framework("dti-x"), "b.yaml")
    assert other.import_id is not None
    await svc.imports.cancel_staged(SERVER, other.import_id)
    with pytest.raises(Refusal, match="import.was_cancelled"):
        await svc.imports.apply_staged(SERVER, other.import_id)
    codes = [f.code for f in (await svc.imports.frameworks())[0]]
    assert codes[-1] == "dti-province-2026"
    assert "dti-x" not in codes


@pytest.mark.parametrize(
    ("data", "name", "code", "refusal"),
    [
        (b"code: [", "x.yaml", None, "import.bad_file"),
        (b"%PDF-1.4", "x.pdf", None, "import.bad_file"),
        (b"x" * (2 * 1024 * 1024 + 1), "x.yaml", None, "import.too_large"),
        (FRAMEWORK_FILE.read_bytes(), "x.yaml", "Bad Code", "import.bad_code"),
    ],
)
async def test_files_that_cannot_be_imported_are_refused(
    svc: Services, data: bytes, name: str, code: str | None, refusal: str
) -> None:
    with pytest.raises(Refusal) as refused:
        await svc.imports.plan(data, name, code)
    assert refused.value.message == refusal


# ------------------------------------------------------------------------------ broadcasts
async def test_broadcast_audiences_reach_roles_agencies_and_groups_never_the_blocked(
    svc: Services,
) -> None:
    for telegram_id, name in ((601, "A"), (602, "B"), (603, "C"), (604, "D")):
        await svc.identity.person(Caller(telegram_id, name))
    await svc.identity.link(SERVER, 601, "SKHCN", on=True)
    await svc.identity.link(SERVER, 602, "VNPT", on=True)
    await svc.identity.grant(SERVER, 603, UserRole.LEADER)
    async with svc.identity._sessions() as session, session.begin():
        await deliveries.mark_blocked(session, 604, svc.calendar.now())

    async def ids(audience: str) -> set[int]:
        return {t for t, _ in await svc.broadcasts.recipients(audience)}

    assert await ids("all") == {601, 602, 603}
    assert await ids("focal") == {601, 602}
    assert await ids("leaders") == {603}  # ADMIN_IDS' 1 has never written: no user row
    assert await ids("agency:SKHCN") == {601}
    assert await ids("agency:DNVT") == {602}  # a group: its members' focal points


async def test_a_broadcast_is_confirmed_once_and_a_cancelled_one_cannot_be_sent(
    svc: Services,
) -> None:
    await svc.identity.person(Caller(601, "A"))
    draft = await svc.broadcasts.prepare(SERVER, "all", "Họp lúc 8 giờ")
    assert (draft.status, draft.recipients) == ("draft", 1)
    confirmed = await svc.broadcasts.confirm(SERVER, draft.id)
    assert confirmed.status == "sending"
    with pytest.raises(Refusal, match="broadcast.was_sent"):
        await svc.broadcasts.confirm(SERVER, draft.id)
    other = await svc.broadcasts.prepare(SERVER, "all", "Khác")
    await svc.broadcasts.cancel(SERVER, other.id)
    with pytest.raises(Refusal, match="broadcast.was_cancelled"):
        await svc.broadcasts.confirm(SERVER, other.id)
    with pytest.raises(Refusal, match="broadcast.nobody"):
        await svc.broadcasts.prepare(SERVER, "leaders", "Không ai")
    with pytest.raises(Refusal, match="broadcast.too_long"):
        await svc.broadcasts.prepare(SERVER, "all", "x" * 3501)
    actions = [(r.action, r.entity_key) for r in await audit(svc, "broadcast")]
    assert actions == [
        ("create", str(draft.id)),
        ("confirm", str(draft.id)),
        ("create", str(other.id)),
        ("cancel", str(other.id)),
    ]


# ------------------------------------------------------------------------------ evidence
async def test_evidence_is_archived_once_under_its_digest_and_named_in_the_database(
    svc: Services, tmp_path: Path
) -> None:
    await svc.identity.person(Caller(901, "Hoa"))
    await svc.identity.link(SERVER, 901, "SKHCN", on=True)
    person = await svc.identity.person(Caller(901, "Hoa"))
    data = b"%PDF-1.4 minh chung" * 50

    async def fetch() -> bytes:
        return data

    first = FileInfo("id-1", "u-1", "a.pdf", "application/pdf", "document", len(data))
    again = FileInfo("id-2", "u-2", "b.pdf", "application/pdf", "document", len(data))
    one = await svc.evidence.attach(person, "8.2", None, first, 901, fetch)
    two = await svc.evidence.attach(person, "8.2", None, again, 901, fetch)
    assert one.sha256 == two.sha256 == hashlib.sha256(data).hexdigest()
    files = await svc.evidence.files("8.2")
    assert [(f.file_name, f.sha256) for f in files] == [
        ("a.pdf", one.sha256),
        ("b.pdf", one.sha256),
    ]
    assert await svc.evidence.archived(files[1]) == data
    archived = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    assert [p.name for p in archived] == [one.sha256]
    rows = await audit(svc, "evidence")
    assert [r.detail["sha256"] for r in rows] == [one.sha256, one.sha256]
