"""count every stored value and review in the "values" revision

Values and reviews are only ever inserted. Processes keep the current values and the scoreboard
in memory and, before using them, read this one counter: a trigger counts every insert into
submissions or reviews in the inserting transaction, whoever inserts (the bot, the command
line, an import, a hand-written INSERT), so the counter changes exactly when what is kept may
be stale, and is visible to readers at the same commit as the rows themselves.

An index on submissions (sub-index, period, row, date, id) serves the read of the newest values
of each sub-index and period (storage.current) without sorting the whole table.

Revision ID: 0013
Revises: 0012 (the head of main when this was written; the lead re-chains revisions on merge)
Create Date: 2026-12-01 20:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('submissions', 'reviews')
INDEX = 'ix_submissions_newest'
COUNT = "UPDATE revisions SET value = value + 1 WHERE name = 'values'"


def upgrade() -> None:
    op.create_index(
        INDEX, 'submissions', ['indicator_id', 'period_id', 'part', 'created_at', 'id']
    )
    op.execute(
        "INSERT INTO revisions (name, value) SELECT 'values', 0"
        " WHERE NOT EXISTS (SELECT 1 FROM revisions WHERE name = 'values')"
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'CREATE FUNCTION count_values() RETURNS trigger LANGUAGE plpgsql AS'
            f' $$ BEGIN {COUNT}; RETURN NULL; END $$'
        )
        for table in TABLES:
            op.execute(
                f'CREATE TRIGGER {table}_count_values AFTER INSERT ON {table}'
                ' FOR EACH STATEMENT EXECUTE FUNCTION count_values()'
            )
        return
    for table in TABLES:
        op.execute(
            f'CREATE TRIGGER {table}_count_values AFTER INSERT ON {table}'
            f' BEGIN {COUNT}; END'
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table in TABLES:
        on = f' ON {table}' if postgresql else ''
        op.execute(f'DROP TRIGGER IF EXISTS {table}_count_values{on}')
    if postgresql:
        op.execute('DROP FUNCTION IF EXISTS count_values()')
    op.drop_index(INDEX, table_name='submissions')
