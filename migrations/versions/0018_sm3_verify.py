"""SM3 beside SHA-256 for issued and archived files; a verify code per document (扫码验真)

Existing rows get both now: SM3 read from the stored files (a missing file keeps NULL, as
archive-verify then reports it missing anyway) and a random verify code.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""
import hashlib
import secrets
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _sm3(sha256):
    """SM3 of the stored blob named by `sha256` (the store's layout: blobs/ab/cd/<sha>)."""
    if not sha256:
        return None
    path = Path(current_app.config["UPLOAD_ROOT"]) / "blobs" / sha256[:2] / sha256[2:4] / sha256
    if not path.is_file():
        return None
    digest = hashlib.new("sm3")
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def upgrade():
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdf_sm3", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("docx_sm3", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("verify_code", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_document_verify_code"),
                                          ["verify_code"])
    with op.batch_alter_table("archive_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sm3", sa.String(length=64), nullable=True))

    conn = op.get_bind()
    docs = conn.execute(sa.text("SELECT id, pdf_sha256, docx_sha256 FROM document")).all()
    for doc_id, pdf, docx in docs:
        conn.execute(sa.text("UPDATE document SET pdf_sm3 = :p, docx_sm3 = :d, "
                             "verify_code = :c WHERE id = :id"),
                     {"p": _sm3(pdf), "d": _sm3(docx), "c": secrets.token_urlsafe(12),
                      "id": doc_id})
    for rec_id, sha in conn.execute(sa.text("SELECT id, sha256 FROM archive_record")).all():
        conn.execute(sa.text("UPDATE archive_record SET sm3 = :s WHERE id = :id"),
                     {"s": _sm3(sha), "id": rec_id})


def downgrade():
    with op.batch_alter_table("archive_record", schema=None) as batch_op:
        batch_op.drop_column("sm3")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_document_verify_code"), type_="unique")
        batch_op.drop_column("verify_code")
        batch_op.drop_column("docx_sm3")
        batch_op.drop_column("pdf_sm3")
