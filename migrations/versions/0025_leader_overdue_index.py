"""leader's overdue items: a covering index by 分管领导, state and due date

Every page a leader opens counts their overdue items (the to-do badge: `supervising_leader_id
= ?` among the overdue ones). Without it SQLite read the overdue items' table rows to check the
leader (~10 ms at 100,000 items, on every page, the dashboard included); with it the count
seeks the leader's own slice.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 05:10:00

"""
from alembic import op

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_supervision_item_leader_open', 'supervision_item',
                    ['supervising_leader_id', 'state', 'due_date', 'final_feedback_on'])


def downgrade():
    op.drop_index('ix_supervision_item_leader_open', table_name='supervision_item')
