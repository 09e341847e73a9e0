"""dashboard: item_due_day (due, closed, on time per unit and due day, kept by triggers) and
indexes for the open-item figures and the inspections' same-place lookup

The dashboard (webapp/dashboard) counts on every request. Twelve months of due / closed / on
time per unit read a third of all items even from a covering index (~35 ms at 100,000 items
on SQLite, ~10x at 1,000,000); item_due_day holds those counts per unit and due day — at most
units x days rows whatever the number of items — kept by triggers in the same transaction as
every insert, update and delete of an item, so no code path can forget it. `flask
figures-check` compares it with the items, `flask figures-check --rebuild` rebuilds it.
Open, overdue and due-soon counts read one covering index led by the state (the open slice).
The statistics per person and per source get covering indexes by due date and by closing date
(as 0005 gave the per-unit ones), and hand-back requests one by date.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 03:40:00

"""
import sqlalchemy as sa
from alembic import op

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


COUNTED = "{r}.lead_unit_id IS NOT NULL AND {r}.due_date IS NOT NULL AND {r}.state <> 'cancelled'"
DONE = "CASE WHEN {r}.state IN ('closed', 'archived') THEN 1 ELSE 0 END"
ON_TIME = ("CASE WHEN {r}.state IN ('closed', 'archived') AND {r}.closed_on <= {r}.due_date "
           "THEN 1 ELSE 0 END")


def _sql(template: str, r: str) -> str:
    return template.format(r=r)


def _add(r: str) -> str:
    return (f"INSERT INTO item_due_day (unit_id, due_date, due, closed, on_time) "
            f"SELECT {r}.lead_unit_id, {r}.due_date, 1, {_sql(DONE, r)}, {_sql(ON_TIME, r)} "
            f"WHERE {_sql(COUNTED, r)} "
            f"ON CONFLICT (due_date, unit_id) DO UPDATE SET due = item_due_day.due + 1, "
            f"closed = item_due_day.closed + excluded.closed, "
            f"on_time = item_due_day.on_time + excluded.on_time")


def _remove(r: str) -> str:
    return (f"UPDATE item_due_day SET due = due - 1, closed = closed - {_sql(DONE, r)}, "
            f"on_time = on_time - {_sql(ON_TIME, r)} "
            f"WHERE {_sql(COUNTED, r)} AND unit_id = {r}.lead_unit_id "
            f"AND due_date = {r}.due_date")


TRACKED = "lead_unit_id, due_date, state, closed_on"
PEOPLE = ['split_at', 'parent_id', 'source', 'first_responsible_id', 'first_responsible',
          'direct_responsible_id', 'direct_responsible']
PEOPLE_DUE = ['due_date', 'state', 'closed_on', *PEOPLE]
PEOPLE_CLOSED = ['closed_on', 'state', 'assigned_at', *PEOPLE]


def upgrade():
    op.create_table(
        'item_due_day',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('due', sa.Integer(), nullable=False),
        sa.Column('closed', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('due_date', 'unit_id', name=op.f('pk_item_due_day')),
    )
    # a covering index: the twelve months read (due_date, unit) slices without table rows
    op.create_index('ix_item_due_day_counts', 'item_due_day',
                    ['due_date', 'unit_id', 'due', 'closed', 'on_time'])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION item_due_day_track() RETURNS trigger AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') THEN {_remove('OLD')}; END IF;
              IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add('NEW')}; END IF;
              RETURN NULL;
            END $$ LANGUAGE plpgsql""")
        op.execute(f"CREATE TRIGGER item_due_day_track AFTER INSERT OR DELETE OR UPDATE OF "
                   f"{TRACKED} ON supervision_item FOR EACH ROW "
                   f"EXECUTE FUNCTION item_due_day_track()")
    else:
        op.execute(f"CREATE TRIGGER item_due_day_insert AFTER INSERT ON supervision_item "
                   f"BEGIN {_add('NEW')}; END")
        op.execute(f"CREATE TRIGGER item_due_day_delete AFTER DELETE ON supervision_item "
                   f"BEGIN {_remove('OLD')}; END")
        op.execute(f"CREATE TRIGGER item_due_day_update AFTER UPDATE OF {TRACKED} "
                   f"ON supervision_item BEGIN {_remove('OLD')}; {_add('NEW')}; END")
    op.execute(f"INSERT INTO item_due_day (unit_id, due_date, due, closed, on_time) "
               f"SELECT lead_unit_id, due_date, count(*), sum({_sql(DONE, 'i')}), "
               f"sum({_sql(ON_TIME, 'i')}) FROM supervision_item i WHERE {_sql(COUNTED, 'i')} "
               f"GROUP BY lead_unit_id, due_date")
    op.create_index('ix_supervision_item_open_figures', 'supervision_item',
                    ['state', 'due_date', 'final_feedback_on', 'split_at', 'lead_unit_id',
                     'parent_id', 'source'])
    op.create_index('ix_inspection_unit_place', 'inspection',
                    ['target_unit_id', 'place', 'started_at'])
    op.create_index('ix_item_unit_change_day', 'item_unit_change', ['changed_on', 'item_id'])
    # statistics per person and per source (stats.py): index-only range scans by due date and
    # by closing date, as 0005 gave the per-unit ones
    op.create_index('ix_supervision_item_people_due', 'supervision_item', PEOPLE_DUE)
    op.create_index('ix_supervision_item_people_closed', 'supervision_item', PEOPLE_CLOSED)
    op.create_index('ix_hand_back_request_requested', 'hand_back_request',
                    ['requested_at', 'item_id'])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER item_due_day_track ON supervision_item")
        op.execute("DROP FUNCTION item_due_day_track()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER item_due_day_{name}")
    op.drop_table('item_due_day')
    op.drop_index('ix_hand_back_request_requested', table_name='hand_back_request')
    op.drop_index('ix_supervision_item_people_closed', table_name='supervision_item')
    op.drop_index('ix_supervision_item_people_due', table_name='supervision_item')
    op.drop_index('ix_item_unit_change_day', table_name='item_unit_change')
    op.drop_index('ix_inspection_unit_place', table_name='inspection')
    op.drop_index('ix_supervision_item_open_figures', table_name='supervision_item')
