"""document.archive_code: a document knows it was archived (the archive domain sets it)

The documents domain refuses to void an archived document; it used to ask the archive's table
for that, which made documents and archive import each other. The archive now records the
档号 on the document when it files the signed copy; existing archive records fill it here.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("archive_code", sa.String(length=40), nullable=True))
    op.execute("UPDATE document SET archive_code = (SELECT archive_record.archive_code "
               "FROM archive_record WHERE archive_record.document_id = document.id)")


def downgrade():
    with op.batch_alter_table("document") as batch:
        batch.drop_column("archive_code")
