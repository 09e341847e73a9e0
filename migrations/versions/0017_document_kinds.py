"""document kinds from one table: document.kind without a CHECK constraint

The kinds are rows of webapp/documents/kinds.py; the application checks the name, so a new
kind needs no migration.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

KINDS = ("notice", "reminder", "circular", "closing_report", "inspection_record")


def upgrade():
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_document_document_kind"), type_="check")
        batch_op.alter_column("kind", existing_type=sa.Enum(*KINDS, name="document_kind",
                                                            native_enum=False, length=32),
                              type_=sa.String(length=32), existing_nullable=False)


def downgrade():
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=32),
                              type_=sa.Enum(*KINDS, name="document_kind", native_enum=False,
                                            create_constraint=True, length=32),
                              existing_nullable=False)
