"""login attempts: an outcome (pending/success/failure/throttled), a purpose and a device

Sign-in throttling (webapp/auth/throttle.py) records every attempt, throttled ones too, and
reserves a pending row before the password is checked so that parallel guesses cannot all
pass the check; it counts failures per account, per device cookie and per source address.
The boolean `success` becomes `outcome`; rows so far were all evaluated logins.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OUTCOMES = ("pending", "success", "failure", "throttled")
PURPOSES = ("login", "token", "password")


def upgrade():
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("purpose", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("device", sa.String(length=32), nullable=True))
    op.execute("UPDATE login_attempt SET purpose = 'login', "
               "outcome = CASE WHEN success THEN 'success' ELSE 'failure' END")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.alter_column("outcome", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column("purpose", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_check_constraint(op.f("ck_login_attempt_attempt_outcome"), _one_of("outcome", OUTCOMES))
        batch_op.create_check_constraint(op.f("ck_login_attempt_attempt_purpose"), _one_of("purpose", PURPOSES))
        batch_op.drop_column("success")
        batch_op.create_index("ix_login_attempt_ip_at", ["ip", "at"], unique=False)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def downgrade():
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("success", sa.Boolean(), nullable=True))
    op.execute("UPDATE login_attempt SET success = (outcome = 'success')")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.alter_column("success", existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_index("ix_login_attempt_ip_at")
        batch_op.drop_constraint("ck_login_attempt_attempt_outcome", type_="check")
        batch_op.drop_constraint("ck_login_attempt_attempt_purpose", type_="check")
        batch_op.drop_column("device")
        batch_op.drop_column("purpose")
        batch_op.drop_column("outcome")
