"""notify: the notification outbox and each person's outward channels

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UTC = webapp.database.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.Enum("inapp", "sms", "email", "webhook", name="notify_channel",
                                     native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("href", sa.String(length=300), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state", sa.Enum("pending", "sending", "sent", "dead", name="delivery_state",
                                   native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC, nullable=True),
        sa.Column("lease_until", UTC, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("sent_at", UTC, nullable=True),
        sa.Column("read_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["supervision_item.id"],
                                name=op.f("fk_notification_item_id_supervision_item")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_notification_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index("ix_notification_due", "notification", ["state", "next_attempt_at"])
    op.create_index("ix_notification_person", "notification",
                    ["person_id", "channel", "read_at"])
    op.create_index("ix_notification_once", "notification",
                    ["person_id", "item_id", "channel", "day"])
    op.create_table(
        "notify_preference",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sms", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("webhook", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_notify_preference_person_id_person")),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_notify_preference")),
    )


def downgrade():
    op.drop_table("notify_preference")
    op.drop_index("ix_notification_once", table_name="notification")
    op.drop_index("ix_notification_person", table_name="notification")
    op.drop_index("ix_notification_due", table_name="notification")
    op.drop_table("notification")
