"""people: persons of each unit; items point at their 分管领导, 第一责任人 and 直接责任人

Every account gets a person record (its name, unit and phone). The free-text names already
on items are matched to persons where exactly one person of the right unit fits ("所长 张伟"
and "张伟" both name 张伟 the 所长); the rest stay as legacy text, which the office links to a
person later (/people/legacy).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
import re

import sqlalchemy as sa
from alembic import op

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ROLES = ("supervising_leader", "first_responsible", "direct_responsible")


def upgrade():
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("post", sa.String(length=64), nullable=True),
        sa.Column("mobile", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", webapp.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_person_unit_id_unit")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_person_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("user_id", name=op.f("uq_person_user_id")),
    )
    op.create_index("ix_person_unit_name", "person", ["unit_id", "name"], unique=False)
    with op.batch_alter_table("supervision_item", schema=None) as batch_op:
        for role in ROLES:
            batch_op.add_column(sa.Column(f"{role}_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(op.f(f"fk_supervision_item_{role}_id_person"), "person",
                                        [f"{role}_id"], ["id"])
        batch_op.create_index(op.f("ix_supervision_item_supervising_leader_id"),
                              ["supervising_leader_id"], unique=False)
    _people_of_accounts()
    _link_names()


def _people_of_accounts():
    conn = op.get_bind()
    users = conn.execute(sa.text("SELECT id, name, unit_id, phone, created_at FROM user_account"
                                 " ORDER BY id")).all()
    for user_id, name, unit_id, phone, created_at in users:
        conn.execute(sa.text(
            "INSERT INTO person (unit_id, name, mobile, user_id, active, created_at) "
            "VALUES (:unit, :name, :phone, :user, :active, :at)"),
            {"unit": unit_id, "name": name, "phone": phone, "user": user_id, "active": True,
             "at": created_at})


def _match(text: str, people: list) -> list:
    """The rule of webapp.people.services.match_name, frozen here as this migration ran it."""
    text = re.sub(r"\s+", " ", text.strip())
    exact = [p for p in people
             if text == p[1] or (p[2] and text.replace(" ", "") == p[2] + p[1])]
    return exact or [p for p in people if " " in text and text.rsplit(" ", 1)[1] == p[1]]


def _link_names():
    conn = op.get_bind()
    people: dict = {}
    for pid, unit_id, name, post in conn.execute(sa.text(
            "SELECT id, unit_id, name, post FROM person WHERE active")):
        people.setdefault(unit_id, []).append((pid, name, post))
    items = conn.execute(sa.text(
        "SELECT id, lead_unit_id, supervising_leader, first_responsible, direct_responsible "
        "FROM supervision_item")).all()
    for item_id, lead, *names in items:
        for role, text in zip(ROLES, names, strict=True):
            if not text:
                continue
            scope = None if role == "supervising_leader" else lead
            found = _match(text, people.get(scope, []))
            if len(found) == 1:
                conn.execute(sa.text(f"UPDATE supervision_item SET {role}_id = :pid, "  # noqa: S608
                                     f"{role} = :name WHERE id = :id"),
                             {"pid": found[0][0], "name": found[0][1], "id": item_id})


def downgrade():
    with op.batch_alter_table("supervision_item", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_supervision_item_supervising_leader_id"))
        for role in ROLES:
            batch_op.drop_constraint(op.f(f"fk_supervision_item_{role}_id_person"),
                                     type_="foreignkey")
            batch_op.drop_column(f"{role}_id")
    op.drop_index("ix_person_unit_name", table_name="person")
    op.drop_table("person")
