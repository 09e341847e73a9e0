"""flow: 批示件 on file, 分解 and 节点, 立项 and 复核, 调整, evidence requirements and return
categories

New item states (待立项审批, 待领导复核, 分解办理中); sub-items point at their parent; source
files, milestones, adjustments and lead-unit changes get tables; the admin's workflow policy is
one row. Returns recorded before get the category 其他; instructions are linked to the leader
whose name exactly one person of the bureau has.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

OLD_STATES = ("registered", "assigned", "in_progress", "under_review", "closed", "archived",
              "cancelled")
NEW_STATES = ("registered", "awaiting_approval", "assigned", "in_progress", "under_review",
              "awaiting_confirmation", "split", "closed", "archived", "cancelled")
REQUEST_STATES = ("pending", "approved", "refused")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _states(states) -> str:
    return "state IN (" + ", ".join(f"'{s}'" for s in states) + ")"


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, webapp.database.UTCDateTime(timezone=True), nullable=nullable)


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["user_account.id"],
                                   name=op.f(f"fk_{table}_{column}_user_account"))


def _item_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["item_id"], ["supervision_item.id"],
                                   name=op.f(f"fk_{table}_item_id_supervision_item"))


def upgrade():
    with op.batch_alter_table("supervision_item", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_supervision_item_item_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_supervision_item_item_state"),
                                         _states(NEW_STATES))
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(_when("split_at"))
        batch_op.add_column(sa.Column("approval_required", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(_when("approved_at"))
        batch_op.add_column(sa.Column("approved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("approval_note", sa.Text(), nullable=True))
        batch_op.add_column(_when("confirmed_at"))
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confirmation_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("evidence_required", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("evidence_figure", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(op.f("fk_supervision_item_parent_id_supervision_item"),
                                    "supervision_item", ["parent_id"], ["id"])
        batch_op.create_foreign_key(op.f("fk_supervision_item_approved_by_id_user_account"),
                                    "user_account", ["approved_by_id"], ["id"])
        batch_op.create_foreign_key(op.f("fk_supervision_item_confirmed_by_id_user_account"),
                                    "user_account", ["confirmed_by_id"], ["id"])
        batch_op.create_index(op.f("ix_supervision_item_parent_id"), ["parent_id"], unique=False)
    with op.batch_alter_table("supervision_item", schema=None) as batch_op:
        batch_op.alter_column("approval_required", server_default=None)

    with op.batch_alter_table("instruction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leader_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_instruction_leader_id_person"), "person",
                                    ["leader_id"], ["id"])
        batch_op.create_index(op.f("ix_instruction_leader_id"), ["leader_id"], unique=False)

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "return_category", _enum("return_category", "insufficient_evidence",
                                     "not_as_required", "too_brief", "other"), nullable=True))
        batch_op.add_column(sa.Column("figure", sa.String(length=32), nullable=True))
    # returns per unit and category from the index alone (supervision/stats.py)
    op.drop_index("ix_feedback_unit_review", table_name="feedback")
    op.create_index("ix_feedback_unit_review", "feedback",
                    ["unit_id", "review_state", "reviewed_at", "return_category"])

    op.create_table(
        "source_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("source_kind", "instruction", "incoming", "minutes", "other"),
                  nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        _when("uploaded_at", nullable=False),
        _item_fk("source_file"), _user_fk("source_file", "uploaded_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_file")),
    )
    op.create_index(op.f("ix_source_file_item_id"), "source_file", ["item_id"], unique=False)

    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        _when("created_at", nullable=False),
        _when("reached_at"),
        sa.Column("reached_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _item_fk("milestone"), _user_fk("milestone", "created_by_id"),
        _user_fk("milestone", "reached_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
    )
    op.create_index(op.f("ix_milestone_item_id"), "milestone", ["item_id"], unique=False)
    op.create_index(op.f("ix_milestone_due_date"), "milestone", ["due_date"], unique=False)

    op.create_table(
        "adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", _enum("adjustment_state", *REQUEST_STATES), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        _when("requested_at", nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        _when("decided_at"),
        sa.Column("decision_note", sa.Text(), nullable=True),
        _item_fk("adjustment"), _user_fk("adjustment", "requested_by_id"),
        _user_fk("adjustment", "decided_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustment")),
    )
    op.create_index(op.f("ix_adjustment_item_id"), "adjustment", ["item_id"], unique=False)

    op.create_table(
        "item_unit_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("from_unit_id", sa.Integer(), nullable=False),
        sa.Column("to_unit_id", sa.Integer(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        _when("changed_at", nullable=False),
        _item_fk("item_unit_change"),
        sa.ForeignKeyConstraint(["from_unit_id"], ["unit.id"],
                                name=op.f("fk_item_unit_change_from_unit_id_unit")),
        sa.ForeignKeyConstraint(["to_unit_id"], ["unit.id"],
                                name=op.f("fk_item_unit_change_to_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_unit_change")),
    )
    op.create_index("ix_item_unit_change_item_day", "item_unit_change",
                    ["item_id", "changed_on"], unique=False)

    op.create_table(
        "workflow_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("approval_sources", sa.JSON(), nullable=False),
        sa.Column("confirm_instructions", sa.Boolean(), nullable=False),
        sa.Column("adjust_needs_approval", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        _when("updated_at"),
        _user_fk("workflow_policy", "updated_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_policy")),
    )
    _existing_rows()


def _existing_rows():
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE feedback SET return_category = 'other' "
                         "WHERE review_state = 'returned'"))
    leaders: dict[str, list[int]] = {}
    for pid, name in conn.execute(sa.text(
            "SELECT id, name FROM person WHERE unit_id IS NULL AND active")):
        leaders.setdefault(name, []).append(pid)
    for name, ids in leaders.items():
        if len(ids) == 1:
            conn.execute(sa.text("UPDATE instruction SET leader_id = :pid "
                                 "WHERE leader_name = :name"), {"pid": ids[0], "name": name})


def downgrade():
    op.drop_table("workflow_policy")
    op.drop_index("ix_item_unit_change_item_day", table_name="item_unit_change")
    op.drop_table("item_unit_change")
    op.drop_index(op.f("ix_adjustment_item_id"), table_name="adjustment")
    op.drop_table("adjustment")
    op.drop_index(op.f("ix_milestone_due_date"), table_name="milestone")
    op.drop_index(op.f("ix_milestone_item_id"), table_name="milestone")
    op.drop_table("milestone")
    op.drop_index(op.f("ix_source_file_item_id"), table_name="source_file")
    op.drop_table("source_file")
    op.drop_index("ix_feedback_unit_review", table_name="feedback")
    op.create_index("ix_feedback_unit_review", "feedback",
                    ["unit_id", "review_state", "reviewed_at"])
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_feedback_return_category"), type_="check")
        batch_op.drop_column("figure")
        batch_op.drop_column("return_category")
    with op.batch_alter_table("instruction", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_instruction_leader_id"))
        batch_op.drop_constraint(op.f("fk_instruction_leader_id_person"), type_="foreignkey")
        batch_op.drop_column("leader_id")
    with op.batch_alter_table("supervision_item", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_supervision_item_parent_id"))
        for name in ("parent_id_supervision_item", "approved_by_id_user_account",
                     "confirmed_by_id_user_account"):
            batch_op.drop_constraint(op.f(f"fk_supervision_item_{name}"), type_="foreignkey")
        for column in ("evidence_figure", "evidence_required", "confirmation_note",
                       "confirmed_by_id", "confirmed_at", "approval_note", "approved_by_id",
                       "approved_at", "approval_required", "split_at", "parent_id"):
            batch_op.drop_column(column)
        batch_op.drop_constraint(op.f("ck_supervision_item_item_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_supervision_item_item_state"),
                                         _states(OLD_STATES))
