"""Which framework a chat is answered from. Callers own the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatFrameworkRow


async def chat_framework(session: AsyncSession, chat_id: int) -> str | None:
    found = await session.scalar(
        select(ChatFrameworkRow.framework_code).where(ChatFrameworkRow.chat_id == chat_id)
    )
    return None if found is None else str(found)


async def set_chat_framework(
    session: AsyncSession, chat_id: int, code: str, actor: str, at: datetime
) -> str | None:
    """Record the chat's framework; returns the one it had before (None: the default)."""
    row = await session.scalar(select(ChatFrameworkRow).where(ChatFrameworkRow.chat_id == chat_id))
    before = None if row is None else row.framework_code
    if row is None:
        session.add(
            ChatFrameworkRow(chat_id=chat_id, framework_code=code, set_by=actor, set_at=at)
        )
    else:
        row.framework_code, row.set_by, row.set_at = code, actor, at
    return before
