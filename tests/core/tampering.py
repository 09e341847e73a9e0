"""Changing the audit table as someone holding the database could: past the append-only
guard (SQLite triggers, the PostgreSQL trigger), which is put back afterwards."""

from sqlalchemy import text

from webapp.extensions import db


def tamper(*statements) -> None:
    """Run statements (SQL text or SQLAlchemy) on audit_event with its guard lifted (inside an
    app context)."""
    from webapp.audit.models import SQLITE_GUARD

    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER audit_event_no_delete"))
    for statement in statements:
        db.session.execute(text(statement) if isinstance(statement, str) else statement)
    if postgres:
        db.session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))
    else:
        for sql in SQLITE_GUARD:
            db.session.execute(text(sql))
    db.session.commit()
