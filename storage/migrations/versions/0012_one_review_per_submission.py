"""one decision per submission: the database refuses a second review of the same value

Two administrators deciding one value at the same moment (two processes) both passed the status
check and both inserted a review; the focal point was told "approved" and then "returned". From
now on a unique index on reviews.submission_id refuses the second insert, and the service tells
its author who decided what. A returned value that is sent again is a new submission, so one
review per submission is all the history there is.

Duplicates that race left behind are resolved first: the newest review of a submission is the
one every view has shown, and it stays; each older one is copied whole into the audit log
(action "review_superseded") before it is removed, so nothing is lost. Downgrading makes the
index non-unique again; the copies stay in the audit log.

Revision ID: 0012
Revises: 0011 (the head of main when this was written; the lead re-chains revisions on merge)
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = 'ix_reviews_submission_id'
REVIEWS = sa.table(
    'reviews',
    sa.column('id', sa.Integer),
    sa.column('submission_id', sa.Integer),
    sa.column('decision', sa.String),
    sa.column('comment', sa.Text),
    sa.column('reviewer_id', sa.Integer),
    sa.column('at', sa.String),
)
AUDIT = sa.table(
    'audit_log',
    sa.column('at', sa.DateTime(timezone=True)),
    sa.column('actor', sa.String),
    sa.column('action', sa.String),
    sa.column('entity', sa.String),
    sa.column('entity_key', sa.String),
    sa.column('detail', sa.JSON),
)


def _supersede_duplicates() -> None:
    connection = op.get_bind()
    newest = (
        sa.select(REVIEWS.c.submission_id, sa.func.max(REVIEWS.c.id).label('kept'))
        .group_by(REVIEWS.c.submission_id)
        .having(sa.func.count() > 1)
    )
    now = datetime.now(UTC)
    for submission_id, kept in connection.execute(newest).all():
        older = connection.execute(
            sa.select(REVIEWS).where(
                REVIEWS.c.submission_id == submission_id, REVIEWS.c.id != kept
            )
        ).all()
        for row in older:
            connection.execute(
                AUDIT.insert().values(
                    at=now,
                    actor='migration:0012',
                    action='review_superseded',
                    entity='reviews',
                    entity_key=str(row.id),
                    detail={
                        'submission_id': row.submission_id,
                        'decision': row.decision,
                        'comment': row.comment,
                        'reviewer_id': row.reviewer_id,
                        'at': str(row.at),
                        'kept_review': kept,
                    },
                )
            )
        connection.execute(
            REVIEWS.delete().where(REVIEWS.c.id.in_([row.id for row in older]))
        )


def upgrade() -> None:
    _supersede_duplicates()
    with op.batch_alter_table('reviews') as batch:
        batch.drop_index(INDEX)
        batch.create_index(INDEX, ['submission_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('reviews') as batch:
        batch.drop_index(INDEX)
        batch.create_index(INDEX, ['submission_id'], unique=False)
