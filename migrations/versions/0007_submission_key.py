"""one-time submission keys: a double click or a repeated form does its work once

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

import webapp.database

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "submission_key",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", webapp.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_submission_key")),
    )
    op.create_index("ix_submission_key_user_created", "submission_key",
                    ["user_id", "created_at"], unique=False)


def downgrade():
    op.drop_index("ix_submission_key_user_created", table_name="submission_key")
    op.drop_table("submission_key")
