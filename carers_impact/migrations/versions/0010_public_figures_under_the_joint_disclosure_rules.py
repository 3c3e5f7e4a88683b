"""public figures made again from their snapshots under the joint disclosure rules

Percentages, rates and their intervals are now worked out from counts rounded
to 5, and suppression holds across breakdowns, measures, years and quarters
(docs/disclosure.md). The public table of every area is made again from the
publication snapshots it was made from; the snapshots and the publication
record do not change. Downgrading leaves the public table as it is.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:30:00
"""

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from measures.domain.catalogue import load_catalogue
    from measures.storage.public_table import rewrite_public

    rewrite_public(op.get_bind(), catalogue=load_catalogue())


def downgrade() -> None:
    pass
