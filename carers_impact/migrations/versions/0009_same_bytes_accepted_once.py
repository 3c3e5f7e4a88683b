"""the same bytes accepted once per extract, organisation and quarter, in the database

A unique index on the accepted submissions' (extract, organisation, period,
sha256): two submissions of the same file at the same moment can no longer
both be accepted. Where a database already holds such twins, the one that is
current (else the first) stays accepted and the others become duplicates,
each with an event saying so; their rows stay in the history.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02 01:00:00
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0006'
branch_labels = None
depends_on = None

ACCEPTED = sa.text("status = 'accepted'")


def _demote_twins() -> None:
    conn = op.get_bind()
    twins = conn.execute(sa.text(
        "SELECT s.id, s.extract, s.organisation, s.period, s.sha256, "
        "c.submission_id IS NOT NULL AS is_current "
        "FROM submissions s LEFT JOIN current_submissions c ON c.submission_id = s.id "
        "WHERE s.status = 'accepted' AND EXISTS (SELECT 1 FROM submissions o "
        "WHERE o.status = 'accepted' AND o.id <> s.id AND o.sha256 = s.sha256 "
        "AND o.extract = s.extract AND o.organisation = s.organisation AND o.period = s.period) "
        "ORDER BY s.id"
    )).all()
    groups: dict[tuple, list] = {}
    for row in twins:
        groups.setdefault((row.extract, row.organisation, row.period, row.sha256), []).append(row)
    now = datetime.now(UTC)
    for rows in groups.values():
        kept = next((r for r in rows if r.is_current), rows[0])
        for row in rows:
            if row.id == kept.id:
                continue
            conn.execute(
                sa.text("UPDATE submissions SET status = 'duplicate' WHERE id = :id"), {"id": row.id}
            )
            conn.execute(
                sa.text(
                    "INSERT INTO submission_events (submission_id, action, actor, at, detail) "
                    "VALUES (:id, 'duplicate', 'upgrade', :at, :detail)"
                ),
                {"id": row.id, "at": now, "detail": f"the same bytes as submission {kept.id}"},
            )


def upgrade() -> None:
    _demote_twins()
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(
            'uq_submissions_accepted_sha256',
            ['extract', 'organisation', 'period', 'sha256'],
            unique=True,
            sqlite_where=ACCEPTED,
            postgresql_where=ACCEPTED,
        )


def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('uq_submissions_accepted_sha256')
