"""initial schema: units, accounts, audit, counters, items

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 07:49:07.412341

"""
from alembic import op
import sqlalchemy as sa

import webapp.database
from webapp.audit.models import POSTGRES_GUARD, SQLITE_GUARD


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', webapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_event_hash'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)

    op.create_table('sequence_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sequence_counter')),
    sa.UniqueConstraint('scope', 'year', name=op.f('uq_sequence_counter_scope'))
    )
    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('police_station', 'traffic', 'window', 'criminal', 'department', 'other', name='unit_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_code')),
    sa.UniqueConstraint('name', name=op.f('uq_unit_name'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.Enum('admin', 'office', 'leader', 'inspector', 'liaison', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', webapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_user_account_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', webapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', webapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', webapp.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', webapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_login_attempt_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt'))
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempt_username_at', ['username', 'at'], unique=False)

    op.create_table('supervision_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('source', sa.Enum('leader_instruction', 'meeting', 'superior', 'inspection', 'complaint', 'other', name='item_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source_ref', sa.String(length=200), nullable=True),
    sa.Column('urgency', sa.Enum('normal', 'urgent', 'very_urgent', name='urgency', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('state', sa.Enum('registered', 'assigned', 'in_progress', 'under_review', 'closed', 'archived', 'cancelled', name='item_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requirements', sa.Text(), nullable=True),
    sa.Column('lead_unit_id', sa.Integer(), nullable=True),
    sa.Column('supervising_leader', sa.String(length=64), nullable=True),
    sa.Column('first_responsible', sa.String(length=64), nullable=True),
    sa.Column('direct_responsible', sa.String(length=64), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('original_due_date', sa.Date(), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', webapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('assigned_at', webapp.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', webapp.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', webapp.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('cancelled_at', webapp.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('archived_at', webapp.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_opinion', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['unit.id'], name=op.f('fk_supervision_item_lead_unit_id_unit')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user_account.id'], name=op.f('fk_supervision_item_registered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_item')),
    sa.UniqueConstraint('code', name=op.f('uq_supervision_item_code'))
    )
    with op.batch_alter_table('supervision_item', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_item_lead_unit', ['lead_unit_id', 'state'], unique=False)
        batch_op.create_index('ix_supervision_item_registered_at', ['registered_at'], unique=False)
        batch_op.create_index('ix_supervision_item_state_due', ['state', 'due_date'], unique=False)

    op.create_table('extension_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('old_due_date', sa.Date(), nullable=False),
    sa.Column('requested_due_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'refused', name='extension_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', webapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', webapp.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_extension_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['item_id'], ['supervision_item.id'], name=op.f('fk_extension_request_item_id_supervision_item')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_extension_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_extension_request_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_request'))
    )
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_request_item_id'), ['item_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('progress', 'final', name='feedback_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('actions_taken', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('not_done_reason', sa.Text(), nullable=True),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', webapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('review_state', sa.Enum('pending', 'accepted', 'returned', name='review_state', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', webapp.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['supervision_item.id'], name=op.f('fk_feedback_item_id_supervision_item')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_feedback_reviewed_by_id_user_account')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_feedback_submitted_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_feedback_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_unit_id'), ['unit_id'], unique=False)

    op.create_table('hand_back_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'refused', name='hand_back_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', webapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', webapp.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_hand_back_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['item_id'], ['supervision_item.id'], name=op.f('fk_hand_back_request_item_id_supervision_item')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_hand_back_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_hand_back_request_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hand_back_request'))
    )
    with op.batch_alter_table('hand_back_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hand_back_request_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hand_back_request_unit_id'), ['unit_id'], unique=False)

    op.create_table('instruction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('leader_name', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('instructed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', webapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['supervision_item.id'], name=op.f('fk_instruction_item_id_supervision_item')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_instruction_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instruction'))
    )
    with op.batch_alter_table('instruction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instruction_item_id'), ['item_id'], unique=False)

    op.create_table('item_assisting_unit',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['supervision_item.id'], name=op.f('fk_item_assisting_unit_item_id_supervision_item')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_item_assisting_unit_unit_id_unit')),
    sa.PrimaryKeyConstraint('item_id', 'unit_id', name=op.f('pk_item_assisting_unit'))
    )
    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('system', 'phone', 'in_person', 'document', name='reminder_channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', webapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_reminder_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['item_id'], ['supervision_item.id'], name=op.f('fk_reminder_item_id_supervision_item')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_reminder_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_unit_id'), ['unit_id'], unique=False)

    op.create_table('feedback_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_feedback_attachment_feedback_id_feedback')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_attachment'))
    )
    with op.batch_alter_table('feedback_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_attachment_feedback_id'), ['feedback_id'], unique=False)


    guard = POSTGRES_GUARD if op.get_bind().dialect.name == "postgresql" else SQLITE_GUARD
    for sql in guard:
        op.execute(sql)


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('feedback_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_attachment_feedback_id'))

    op.drop_table('feedback_attachment')
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_unit_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_item_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_created_at'))

    op.drop_table('reminder')
    op.drop_table('item_assisting_unit')
    with op.batch_alter_table('instruction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instruction_item_id'))

    op.drop_table('instruction')
    with op.batch_alter_table('hand_back_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hand_back_request_unit_id'))
        batch_op.drop_index(batch_op.f('ix_hand_back_request_item_id'))

    op.drop_table('hand_back_request')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_unit_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_item_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extension_request_item_id'))

    op.drop_table('extension_request')
    with op.batch_alter_table('supervision_item', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_item_state_due')
        batch_op.drop_index('ix_supervision_item_registered_at')
        batch_op.drop_index('ix_supervision_item_lead_unit')

    op.drop_table('supervision_item')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_username_at')

    op.drop_table('login_attempt')
    op.drop_table('api_token')
    op.drop_table('user_account')
    op.drop_table('unit')
    op.drop_table('sequence_counter')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_object')

    op.drop_table('audit_event')
