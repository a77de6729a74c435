"""count every stored value and review in the "values" revision

Values and reviews are only ever inserted. Processes keep the current values and the scoreboard
in memory and, before using them, read this one counter: a trigger counts every insert into
submissions or reviews in the inserting transaction, whoever inserts (the bot, the command
line, an import, a hand-written INSERT), so the counter changes exactly when what is kept may
be stale, and is visible to readers at the same commit as the rows themselves. An UPDATE (old
rows given long texts by hand, a repair) is counted the same way. Each insert also
records which sub-index and period it touched (value_changes) under the revision it made, so a
process refreshes only those. The counter row stays locked by an inserting transaction until it
commits, so revisions follow commit order on PostgreSQL too (ids do not).

An index on submissions (sub-index, period, row, date, id) serves the read of the newest values
of each sub-index and period (storage.current) without sorting the whole table.

Revision ID: 0013
Revises: 0012 (the head of main when this was written; the lead re-chains revisions on merge)
Create Date: 2026-12-01 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('submissions', 'reviews')
INDEX = 'ix_submissions_newest'
COUNT = "UPDATE revisions SET value = value + 1 WHERE name = 'values'"
# What each insert touched: a value its own sub-index and period, a review its value's.
TOUCHED = {
    'submissions': 'SELECT NEW.indicator_id, NEW.period_id',
    'reviews': (
        'SELECT s.indicator_id, s.period_id FROM submissions s WHERE s.id = NEW.submission_id'
    ),
}


def _record(table: str) -> str:
    touched = TOUCHED[table].replace('SELECT ', '', 1)
    return (
        'INSERT INTO value_changes (revision, indicator_id, period_id)'
        f" SELECT r.value, t.* FROM revisions r, (SELECT {touched}) t WHERE r.name = 'values'"
    )


def upgrade() -> None:
    op.create_index(
        INDEX, 'submissions', ['indicator_id', 'period_id', 'part', 'created_at', 'id']
    )
    op.create_table(
        'value_changes',
        sa.Column('revision', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('revision', name=op.f('pk_value_changes')),
    )
    op.execute(
        "INSERT INTO revisions (name, value) SELECT 'values', 0"
        " WHERE NOT EXISTS (SELECT 1 FROM revisions WHERE name = 'values')"
    )
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table in TABLES:
        if postgresql:
            op.execute(
                f'CREATE FUNCTION {table}_count_values() RETURNS trigger LANGUAGE plpgsql AS'
                f' $$ BEGIN {COUNT}; {_record(table)}; RETURN NULL; END $$'
            )
            op.execute(
                f'CREATE TRIGGER {table}_count_values AFTER INSERT OR UPDATE ON {table}'
                f' FOR EACH ROW EXECUTE FUNCTION {table}_count_values()'
            )
        else:
            for event, name in (('INSERT', 'values'), ('UPDATE', 'updates')):
                op.execute(
                    f'CREATE TRIGGER {table}_count_{name} AFTER {event} ON {table}'
                    f' BEGIN {COUNT}; {_record(table)}; END'
                )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table in TABLES:
        if postgresql:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_count_values ON {table}')
            op.execute(f'DROP FUNCTION IF EXISTS {table}_count_values()')
        else:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_count_values')
            op.execute(f'DROP TRIGGER IF EXISTS {table}_count_updates')
    op.drop_table('value_changes')
    op.drop_index(INDEX, table_name='submissions')
