"""merge the domain branches (inspections, documents and archive, statistics indexes)

Revision ID: 0006
Revises: 0003, 0004, 0005
Create Date: 2026-11-27

The first schema was written by domain in parallel, each branch starting from 0001; this
revision joins them so that later migrations have a single head again.
"""

revision = "0006"
down_revision = ("0003", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
