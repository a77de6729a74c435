"""update journal and bot state

Revision ID: 0006
Revises: 0010 (re-chained after merging main; was 0005)
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('update_journal',
    sa.Column('bot_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=96), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('bot_id', 'update_id', name=op.f('pk_update_journal'))
    )
    with op.batch_alter_table('update_journal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_update_journal_finished_at'), ['finished_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_update_journal_status'), ['status'], unique=False)

    op.create_table('bot_state',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_bot_state'))
    )


def downgrade() -> None:
    op.drop_table('bot_state')
    with op.batch_alter_table('update_journal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_update_journal_status'))
        batch_op.drop_index(batch_op.f('ix_update_journal_finished_at'))
    op.drop_table('update_journal')
