"""provenance of values, plan-target frameworks, agencies over time, a chat's framework

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('frameworks') as batch:
        batch.add_column(sa.Column('aliases', sa.JSON(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('province', sa.String(length=128), nullable=False, server_default=''))
        batch.add_column(sa.Column('conflicts', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('indicators') as batch:
        batch.add_column(sa.Column('details', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('agencies') as batch:
        batch.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
        batch.add_column(sa.Column('successor', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('submissions') as batch:
        batch.add_column(sa.Column('provenance', sa.String(length=16), nullable=False, server_default='reported'))
        batch.add_column(sa.Column('part', sa.String(length=32), nullable=False, server_default=''))
        batch.add_column(sa.Column('text', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('verdict', sa.String(length=16), nullable=False, server_default=''))
        batch.add_column(sa.Column('rank', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('rank_of', sa.Integer(), nullable=True))
    # Values stored before: an evaluator's points (seeded, no user) are official; everything else
    # (a report's measured figure, a focal point's value) is reported until approved.
    op.execute(
        "UPDATE submissions SET provenance = 'official' "
        "WHERE user_id IS NULL AND points IS NOT NULL"
    )
    op.create_table('source_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_source_notes_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_source_notes_period_id_periods')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_notes'))
    )
    op.create_index(op.f('ix_source_notes_indicator_id'), 'source_notes', ['indicator_id'], unique=False)
    op.create_table('chat_frameworks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('framework_code', sa.String(length=64), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_frameworks')),
    sa.UniqueConstraint('chat_id', name=op.f('uq_chat_frameworks_chat_id'))
    )


def downgrade() -> None:
    # The added columns are dropped in place (ALTER TABLE ... DROP COLUMN, SQLite 3.35+): copying
    # a table to drop a column, batch mode's default on SQLite, fails while other tables' rows
    # refer to it with foreign keys on.
    op.drop_table('chat_frameworks')
    op.drop_index(op.f('ix_source_notes_indicator_id'), table_name='source_notes')
    op.drop_table('source_notes')
    with op.batch_alter_table('submissions', recreate='never') as batch:
        for column in ('rank_of', 'rank', 'verdict', 'text', 'part', 'provenance'):
            batch.drop_column(column)
    with op.batch_alter_table('agencies', recreate='never') as batch:
        for column in ('note', 'successor', 'valid_to', 'valid_from'):
            batch.drop_column(column)
    with op.batch_alter_table('indicators', recreate='never') as batch:
        batch.drop_column('details')
    with op.batch_alter_table('frameworks', recreate='never') as batch:
        for column in ('conflicts', 'province', 'aliases'):
            batch.drop_column(column)
