"""publication lifecycle: snapshots, revisions, withdrawals, schedules; stale areas

Each publication keeps the exact values it made public (published_values), so
the public figures change only when a quarter is published again. Quarters
published before this migration get a snapshot of their current values.

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-01 23:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0004'
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def _measure_key():
    return [
        sa.Column('area', sa.String(length=40), nullable=False),
        sa.Column('measure_id', sa.String(length=60), nullable=False),
        sa.Column('period', sa.String(length=12), nullable=False),
        sa.Column('breakdown', sa.String(length=30), nullable=False),
        sa.Column('breakdown_value', sa.String(length=100), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table('published_periods', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), server_default='published', nullable=False))
        batch_op.add_column(sa.Column('first_published_at', Timestamp, nullable=True))
        batch_op.add_column(sa.Column('revised_at', Timestamp, nullable=True))
        batch_op.add_column(sa.Column('revision_reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('override_reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('withdrawn_at', Timestamp, nullable=True))
        batch_op.add_column(sa.Column('withdrawal_notice', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('publication_id', sa.Integer(), nullable=True))
    op.create_table('publications',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('area', sa.String(length=40), nullable=False),
        sa.Column('period', sa.String(length=12), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('at', Timestamp, nullable=False),
        sa.Column('by', sa.String(length=100), nullable=False),
        sa.Column('reason', sa.Text(), server_default='', nullable=False),
        sa.Column('override_reason', sa.Text(), server_default='', nullable=False),
        sa.Column('scheduled_for', Timestamp, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    )
    op.create_index('ix_publications_area_period', 'publications', ['area', 'period'])
    op.create_table('scheduled_publications',
        sa.Column('area', sa.String(length=40), nullable=False),
        sa.Column('period', sa.String(length=12), nullable=False),
        sa.Column('publish_at', Timestamp, nullable=False),
        sa.Column('scheduled_by', sa.String(length=100), nullable=False),
        sa.Column('reason', sa.Text(), server_default='', nullable=False),
        sa.Column('override_reason', sa.Text(), server_default='', nullable=False),
        sa.PrimaryKeyConstraint('area', 'period', name=op.f('pk_scheduled_publications')),
    )
    op.create_table('stale_areas',
        sa.Column('area', sa.String(length=40), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('since', Timestamp, nullable=False),
        sa.Column('reason', sa.Text(), server_default='', nullable=False),
        sa.PrimaryKeyConstraint('area', name=op.f('pk_stale_areas')),
    )
    op.create_table('published_values',
        sa.Column('publication_id', sa.Integer(), nullable=False),
        *_measure_key(),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('numerator', sa.Float(), nullable=True),
        sa.Column('denominator', sa.Float(), nullable=True),
        sa.Column('lower_ci', sa.Float(), nullable=True),
        sa.Column('upper_ci', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint(
            'publication_id', 'area', 'measure_id', 'period', 'breakdown', 'breakdown_value',
            name=op.f('pk_published_values'),
        ),
    )
    op.create_table('public_periods',
        sa.Column('area', sa.String(length=40), nullable=False),
        sa.Column('period', sa.String(length=12), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('first_published_at', Timestamp, nullable=False),
        sa.Column('published_at', Timestamp, nullable=False),
        sa.Column('revised_at', Timestamp, nullable=True),
        sa.Column('revision_reason', sa.Text(), server_default='', nullable=False),
        sa.Column('withdrawn_at', Timestamp, nullable=True),
        sa.Column('withdrawal_notice', sa.Text(), server_default='', nullable=False),
        sa.PrimaryKeyConstraint('area', 'period', name=op.f('pk_public_periods')),
    )
    _snapshot_quarters_already_published()


def _snapshot_quarters_already_published() -> None:
    """Quarters published before: a publication record and a snapshot of today's values."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT area, period, published_at, published_by FROM published_periods"
    )).all()
    for area, period, published_at, published_by in rows:
        publication_id = conn.execute(
            sa.text(
                "INSERT INTO publications (area, period, action, at, by, reason, override_reason) "
                "VALUES (:area, :period, 'published', :at, :by, '', '') RETURNING id"
            ),
            {"area": area, "period": period, "at": published_at, "by": published_by},
        ).scalar_one()
        periods = [period]
        if period.endswith("Q4"):
            periods.append(period.split(" ")[0])  # the financial year follows its Q4
        for label in periods:
            conn.execute(
                sa.text(
                    "INSERT INTO published_values (publication_id, area, measure_id, period, "
                    "breakdown, breakdown_value, value, numerator, denominator, lower_ci, "
                    "upper_ci) SELECT :pid, area, measure_id, period, breakdown, "
                    "breakdown_value, value, numerator, denominator, lower_ci, upper_ci "
                    "FROM measure_values WHERE area = :area AND period = :period"
                ),
                {"pid": publication_id, "area": area, "period": label},
            )
        conn.execute(
            sa.text(
                "UPDATE published_periods SET first_published_at = published_at, "
                "publication_id = :pid WHERE area = :area AND period = :period"
            ),
            {"pid": publication_id, "area": area, "period": period},
        )
        conn.execute(
            sa.text(
                "INSERT INTO public_periods (area, period, status, first_published_at, "
                "published_at, revision_reason, withdrawal_notice) "
                "VALUES (:area, :period, 'published', :at, :at, '', '')"
            ),
            {"area": area, "period": period, "at": published_at},
        )


def downgrade() -> None:
    op.drop_table('public_periods')
    op.drop_table('published_values')
    op.drop_table('stale_areas')
    op.drop_table('scheduled_publications')
    op.drop_index('ix_publications_area_period', table_name='publications')
    op.drop_table('publications')
    with op.batch_alter_table('published_periods', schema=None) as batch_op:
        for column in ('publication_id', 'withdrawal_notice', 'withdrawn_at', 'override_reason',
                       'revision_reason', 'revised_at', 'first_published_at', 'status'):
            batch_op.drop_column(column)
