"""photo.added_at: when the phone added the photo to the record

A photo without an EXIF capture time (a screenshot, a picture forwarded by a chat app) had
only its upload time for a caption, shown unlabelled. The phone knows when the photo was
added to the record and sends it with the record; the caption labels which time it shows.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa

import webapp.database


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('photo') as batch:
        batch.add_column(sa.Column('added_at', webapp.database.UTCDateTime(timezone=True),
                                   nullable=True))


def downgrade():
    with op.batch_alter_table('photo') as batch:
        batch.drop_column('added_at')
