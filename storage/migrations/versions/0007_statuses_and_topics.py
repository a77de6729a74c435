"""review statuses and roles named as in the glossary; forum topics of group subscriptions

Stored values move to the glossary's names (shared/STYLE.md): a submission waiting for review is
"pending" (was "submitted"), a returned one "rejected" (was "returned"); a preview waiting for
Confirm is an "open" draft (was "pending"); a user without a granted role is a "member" (the
unused default was "guest"). Leaders' groups and summary subscriptions remember the forum topic
they were registered in. Both directions work on SQLite and PostgreSQL.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, old value, new value)
RENAMES = (
    ('submissions', 'status', 'submitted', 'pending'),
    ('submissions', 'status', 'returned', 'rejected'),
    ('reviews', 'decision', 'returned', 'rejected'),
    ('drafts', 'status', 'pending', 'open'),
    ('users', 'role', 'guest', 'member'),
)


def _rename(table: str, column: str, old: str, new: str) -> None:
    op.execute(
        sa.table(table, sa.column(column, sa.String))
        .update()
        .where(sa.column(column, sa.String) == old)
        .values({column: new})
    )


def upgrade() -> None:
    for table, column, old, new in RENAMES:
        _rename(table, column, old, new)
    for table in ('chats', 'digests'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('thread_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for table in ('chats', 'digests'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('thread_id')
    # "member" stays "member": the code before 0007 gave every new user that role too.
    for table, column, old, new in reversed(RENAMES):
        if (table, old) != ('users', 'guest'):
            _rename(table, column, new, old)
