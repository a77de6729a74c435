"""value_changes names the value each insert touched

A process that keeps current values (services.current) read again, after a change, every stored
value of the sub-index and period touched, and ranked them: a read that grew with the
corrections of that one sub-index and period. Each row of value_changes now also names the
submission the insert touched (`submission_id`: the value stored, or the value a review
decided) and what was inserted (`kind`: 'value' or 'review'), so a process reads those values
alone and merges them into what it keeps. An UPDATE (a repair by hand) records neither: that
sub-index and period is read again whole, as are the rows written before this migration.

Revision ID: 0015
Revises: 0014 (the head of main when this was written; the lead re-chains revisions on merge)
Create Date: 2026-12-02 02:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEPT = 10_000  # as migration 0014
TABLES = ('submissions', 'reviews')
COUNT = "UPDATE revisions SET value = value + 1 WHERE name = 'values'"
PRUNE = (
    'DELETE FROM value_changes'
    f" WHERE revision = (SELECT value - {KEPT} FROM revisions WHERE name = 'values')"
)
# What each change touched: a value its own sub-index and period, a review its value's; then
# the submission and the kind, for an insert only.
TOUCHED = {
    'submissions': "NEW.indicator_id, NEW.period_id{row}",
    'reviews': (
        "s.indicator_id, s.period_id{row} FROM submissions s WHERE s.id = NEW.submission_id"
    ),
}
ROW = {'submissions': ("NEW.id", "'value'"), 'reviews': ("NEW.submission_id", "'review'")}
RECORD = (
    'INSERT INTO value_changes (revision, indicator_id, period_id{columns})'
    " SELECT r.value, t.* FROM revisions r, (SELECT {touched}) t WHERE r.name = 'values'"
)


def _body(table: str, change: str | None) -> str:
    """The trigger's statements for `change`: 'INSERT', 'UPDATE', 'INSERT OR UPDATE' (one
    PostgreSQL function for both), or None for the statements before this migration."""
    if change is None:
        record = RECORD.format(columns='', touched=TOUCHED[table].format(row=''))
    else:
        named = {
            'INSERT': lambda e: e,
            'UPDATE': lambda e: 'NULL',
            'INSERT OR UPDATE': lambda e: f"CASE WHEN TG_OP = 'INSERT' THEN {e} END",
        }[change]
        row = ''.join(f', {named(e)}' for e in ROW[table])
        touched = TOUCHED[table].format(row=row)
        record = RECORD.format(columns=', submission_id, kind', touched=touched)
    return '; '.join([COUNT, record, PRUNE])


def _triggers(*, named: bool) -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table in TABLES:
        if postgresql:
            body = _body(table, 'INSERT OR UPDATE' if named else None)
            op.execute(
                f'CREATE OR REPLACE FUNCTION {table}_count_values() RETURNS trigger'
                f' LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$'
            )
            continue
        for event, name in (('INSERT', 'values'), ('UPDATE', 'updates')):
            op.execute(f'DROP TRIGGER IF EXISTS {table}_count_{name}')
            op.execute(
                f'CREATE TRIGGER {table}_count_{name} AFTER {event} ON {table}'
                f' BEGIN {_body(table, event if named else None)}; END'
            )


def upgrade() -> None:
    op.add_column('value_changes', sa.Column('submission_id', sa.Integer(), nullable=True))
    op.add_column('value_changes', sa.Column('kind', sa.String(8), nullable=True))
    _triggers(named=True)


def downgrade() -> None:
    _triggers(named=False)
    op.drop_column('value_changes', 'kind')
    op.drop_column('value_changes', 'submission_id')
