"""Users, the agencies they answer for, and invite codes. Callers own the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.status import UserRole
from storage import upserts
from storage.models import AgencyRow, InviteRow, UserAgencyRow, UserRow


async def upsert_user(
    session: AsyncSession,
    telegram_id: int,
    full_name: str,
    username: str | None,
    language: str | None,
    at: datetime,
) -> UserRow:
    """The user row of a Telegram account, created on first contact; name kept current. An
    insert that does nothing when the row exists, so a person's first two messages handled at
    once (by two processes) cannot both try to create it."""
    user = await user_by_telegram(session, telegram_id)
    if user is not None and (user.full_name, user.username, user.blocked_at) == (
        full_name,
        username,
        None,
    ):
        return user  # the usual case: nothing to write
    insert = upserts.insert(session, UserRow)
    await session.execute(
        insert.values(
            telegram_id=telegram_id,
            full_name=full_name,
            username=username,
            language=language,
            role=UserRole.MEMBER,
            created_at=at,
        ).on_conflict_do_update(
            index_elements=[UserRow.telegram_id],
            # The name as Telegram gives it now; a user who blocked the bot and writes again
            # may be written to again. The language they had is kept (they may have chosen it).
            set_={"full_name": full_name, "username": username, "blocked_at": None},
        )
    )
    found = await session.scalar(
        select(UserRow)
        .where(UserRow.telegram_id == telegram_id)
        .execution_options(populate_existing=True)
    )
    assert found is not None  # noqa: S101 - inserted or updated just above
    return found


async def user_by_telegram(session: AsyncSession, telegram_id: int) -> UserRow | None:
    return await session.scalar(select(UserRow).where(UserRow.telegram_id == telegram_id))


async def agency_codes(session: AsyncSession, user_id: int) -> list[str]:
    rows = await session.scalars(
        select(AgencyRow.code)
        .join(UserAgencyRow, UserAgencyRow.agency_id == AgencyRow.id)
        .where(UserAgencyRow.user_id == user_id)
        .order_by(UserAgencyRow.id)
    )
    return list(rows)


async def link_agency(session: AsyncSession, user_id: int, agency_id: int) -> bool:
    """Make the user a focal point of the agency; False when already one."""
    held = await session.scalar(
        select(UserAgencyRow.id).where(
            UserAgencyRow.user_id == user_id, UserAgencyRow.agency_id == agency_id
        )
    )
    if held is not None:
        return False
    session.add(UserAgencyRow(user_id=user_id, agency_id=agency_id))
    return True


async def unlink_agency(session: AsyncSession, user_id: int, agency_id: int) -> bool:
    """The user is no longer a focal point of the agency; False when they were not one."""
    result = await session.execute(
        delete(UserAgencyRow).where(
            UserAgencyRow.user_id == user_id, UserAgencyRow.agency_id == agency_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def users(session: AsyncSession) -> list[tuple[UserRow, list[str]]]:
    """Every user the bot knows, in the order they first wrote, with their agency codes."""
    rows = (await session.scalars(select(UserRow).order_by(UserRow.id))).all()
    links = await session.execute(
        select(UserAgencyRow.user_id, AgencyRow.code)
        .join(AgencyRow, AgencyRow.id == UserAgencyRow.agency_id)
        .order_by(UserAgencyRow.id)
    )
    codes: dict[int, list[str]] = {}
    for user_id, code in links:
        codes.setdefault(user_id, []).append(code)
    return [(row, codes.get(row.id, [])) for row in rows]


async def agency(session: AsyncSession, code: str) -> AgencyRow | None:
    return await session.scalar(select(AgencyRow).where(AgencyRow.code == code))


async def invite(session: AsyncSession, code: str) -> InviteRow | None:
    return await session.scalar(select(InviteRow).where(InviteRow.code == code))


async def use_invite(session: AsyncSession, invite_id: int) -> bool:
    """Count one use, unless the code is used up meanwhile (two people redeeming at once)."""
    result = await session.execute(
        update(InviteRow)
        .where(InviteRow.id == invite_id, InviteRow.uses < InviteRow.max_uses)
        .values(uses=InviteRow.uses + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def user(session: AsyncSession, user_id: int) -> UserRow | None:
    return await session.get(UserRow, user_id)


async def set_language(session: AsyncSession, user_id: int, language: str) -> None:
    await session.execute(update(UserRow).where(UserRow.id == user_id).values(language=language))


async def set_role(session: AsyncSession, user_id: int, role: UserRole) -> None:
    await session.execute(update(UserRow).where(UserRow.id == user_id).values(role=role))


async def agency_code(session: AsyncSession, agency_id: int) -> str:
    return await session.scalar(select(AgencyRow.code).where(AgencyRow.id == agency_id)) or ""


async def add_invite(
    session: AsyncSession,
    code: str,
    agency_id: int,
    max_uses: int,
    expires_at: datetime,
    actor: str,
    at: datetime,
) -> None:
    session.add(
        InviteRow(
            code=code,
            agency_id=agency_id,
            max_uses=max_uses,
            expires_at=expires_at,
            created_by=actor,
            created_at=at,
        )
    )


async def revoke_invite(session: AsyncSession, invite_id: int, at: datetime) -> bool:
    """Mark a code revoked; False when it was revoked already (nothing changes)."""
    result = await session.execute(
        update(InviteRow)
        .where(InviteRow.id == invite_id, InviteRow.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
