"""Gapless counters per (scope, year): item codes and document numbers (发文字号)."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db


class SequenceCounter(db.Model):
    __tablename__ = "sequence_counter"
    __table_args__ = (UniqueConstraint("scope", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    year: Mapped[int]
    value: Mapped[int] = mapped_column(default=0)


def next_number(scope: str, year: int) -> int:
    """Allocate the next number in the caller's transaction (gapless: a rollback returns it)."""
    return next_numbers(scope, year, 1)[0]


def next_numbers(scope: str, year: int, count: int) -> range:
    """Allocate the next `count` numbers at once, in the caller's transaction (gapless: a
    rollback returns them).

    The UPDATE takes the row lock on PostgreSQL; on SQLite the write transaction already holds
    the database lock (BEGIN IMMEDIATE). The first numbers of a year insert the row; a racing
    insert loses on the unique constraint and retries the update.
    """
    if count < 1:
        return range(0)
    stmt = (
        update(SequenceCounter)
        .where(SequenceCounter.scope == scope, SequenceCounter.year == year)
        .values(value=SequenceCounter.value + count)
        .returning(SequenceCounter.value)
    )
    value = db.session.execute(stmt).scalar()
    if value is not None:
        return range(value - count + 1, value + 1)
    try:
        with db.session.begin_nested():
            db.session.add(SequenceCounter(scope=scope, year=year, value=count))
        return range(1, count + 1)
    except Exception:  # unique violation: another transaction created the row first
        value = db.session.execute(stmt).scalar()
        if value is None:
            raise
        return range(value - count + 1, value + 1)


def current_number(scope: str, year: int) -> int:
    return (
        db.session.scalar(
            select(SequenceCounter.value).where(
                SequenceCounter.scope == scope, SequenceCounter.year == year
            )
        )
        or 0
    )
