"""evidence types: room for the Office media types in feedback_attachment.content_type

Feedback evidence now includes Word and Excel files, whose media types are longer than 64
characters (application/vnd.openxmlformats-officedocument.wordprocessingml.document is 71).
127 is the longest a type or subtype may be (RFC 6838).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback_attachment') as batch:
        batch.alter_column('content_type', existing_type=sa.String(length=64),
                           type_=sa.String(length=127), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('feedback_attachment') as batch:
        batch.alter_column('content_type', existing_type=sa.String(length=127),
                           type_=sa.String(length=64), existing_nullable=False)
