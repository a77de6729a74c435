"""Framework files sent in chat, kept until Apply or Cancel. Callers own the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FrameworkImportRow

PENDING, APPLIED, CANCELLED = "pending", "applied", "cancelled"


async def add(
    session: AsyncSession, file_name: str, content: bytes, code: str, actor: str, at: datetime
) -> int:
    row = FrameworkImportRow(
        file_name=file_name, content=content, code=code, status=PENDING, created_by=actor,
        created_at=at,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return row.id


async def get(session: AsyncSession, import_id: int) -> FrameworkImportRow | None:
    return await session.get(FrameworkImportRow, import_id)


async def decide(session: AsyncSession, import_id: int, status: str, at: datetime) -> bool:
    """Move a pending import to `status`; False when it was decided already (a double press)."""
    result = await session.execute(
        update(FrameworkImportRow)
        .where(FrameworkImportRow.id == import_id, FrameworkImportRow.status == PENDING)
        .values(status=status, decided_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
