"""turn-the-curve stories: the story behind a measure's curve, partners, what works, actions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'curve_stories',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('area', sa.String(length=40), nullable=False),
        sa.Column('measure_id', sa.String(length=60), nullable=False),
        sa.Column('period', sa.String(length=12), nullable=False),
        sa.Column('story', sa.Text(), nullable=False),
        sa.Column('partners', sa.Text(), nullable=False),
        sa.Column('what_works', sa.Text(), nullable=False),
        sa.Column('actions', sa.Text(), nullable=False),
        sa.Column('event', sa.Text(), nullable=True),
        sa.Column('event_date', sa.Date(), nullable=True),
        sa.Column('author', sa.String(length=100), nullable=False),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_curve_stories')),
    )
    with op.batch_alter_table('curve_stories', schema=None) as batch_op:
        batch_op.create_index('ix_curve_stories_area_measure', ['area', 'measure_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('curve_stories', schema=None) as batch_op:
        batch_op.drop_index('ix_curve_stories_area_measure')
    op.drop_table('curve_stories')
