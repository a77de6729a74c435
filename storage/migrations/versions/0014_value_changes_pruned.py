"""keep only the newest 10,000 rows of value_changes

value_changes (migration 0013) got one row for every value and review stored and none was ever
removed. A process reads only the rows after the revision it last read, so the old ones are
dead weight: from now on the counting triggers remove, with each row they add, the row
KEPT revisions older (one row by its key, whatever the history), and the rows already that
old are removed here. A process that kept values of a revision whose rows are gone finds the
revision after its own missing and reads everything again (storage.current.changed_since),
as it does after more than REFRESH_LIMIT changes.

Revision ID: 0014
Revises: 0013 (the head of main when this was written; the lead re-chains revisions on merge)
Create Date: 2026-12-01 23:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEPT = 10_000
TABLES = ('submissions', 'reviews')
COUNT = "UPDATE revisions SET value = value + 1 WHERE name = 'values'"
TOUCHED = {
    'submissions': 'NEW.indicator_id, NEW.period_id',
    'reviews': 's.indicator_id, s.period_id FROM submissions s WHERE s.id = NEW.submission_id',
}
RECORD = (
    'INSERT INTO value_changes (revision, indicator_id, period_id)'
    " SELECT r.value, t.* FROM revisions r, (SELECT {touched}) t WHERE r.name = 'values'"
)
PRUNE = (
    'DELETE FROM value_changes'
    f" WHERE revision = (SELECT value - {KEPT} FROM revisions WHERE name = 'values')"
)


def _body(table: str, *, pruned: bool) -> str:
    statements = [COUNT, RECORD.format(touched=TOUCHED[table])]
    return '; '.join([*statements, PRUNE] if pruned else statements)


def _triggers(*, pruned: bool) -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table in TABLES:
        if postgresql:
            op.execute(
                f'CREATE OR REPLACE FUNCTION {table}_count_values() RETURNS trigger'
                f' LANGUAGE plpgsql AS $$ BEGIN {_body(table, pruned=pruned)}; RETURN NULL; END $$'
            )
            continue
        for event, name in (('INSERT', 'values'), ('UPDATE', 'updates')):
            op.execute(f'DROP TRIGGER IF EXISTS {table}_count_{name}')
            op.execute(
                f'CREATE TRIGGER {table}_count_{name} AFTER {event} ON {table}'
                f' BEGIN {_body(table, pruned=pruned)}; END'
            )


def upgrade() -> None:
    _triggers(pruned=True)
    op.execute(
        'DELETE FROM value_changes'
        f" WHERE revision <= (SELECT value - {KEPT} FROM revisions WHERE name = 'values')"
    )


def downgrade() -> None:
    _triggers(pruned=False)
