"""One transaction per request, and side effects only after it committed.

Every request runs its handler inside one database transaction (see `DubanFlask`): when the
handler answers with a status below 400 the transaction commits, when it raises or answers
400 or more it rolls back. Handlers and services never commit; services `flush`. Work that
must follow a successful commit (rendering files, waking the notification worker) is queued
with `after_commit` and runs only once the commit succeeded, each job then committing its own
writes. A handler that truly needs several commits (issue a document, then render it; stream
a photo without holding a lock) says so with `@manual` and calls `commit()` itself.

Writers that must not race take a lock first: `lock_row` for one row (SELECT … FOR UPDATE),
`lock_key` for something that has no row yet (a period's circular). On SQLite both are no-ops:
a request that may write begins with BEGIN IMMEDIATE, which serializes writers already.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial, wraps

from flask import Flask, request
from sqlalchemy import text

from webapp import once
from webapp.errors import DomainError
from webapp.extensions import db

log = logging.getLogger(__name__)

_QUEUE = "duban_after_commit"


def after_commit(fn: Callable[..., object], *args: object, **kwargs: object) -> None:
    """Run `fn(*args, **kwargs)` after the current transaction commits; never if it rolls back."""
    db.session.info.setdefault(_QUEUE, []).append(partial(fn, *args, **kwargs))


def commit() -> None:
    """Commit, then run the queued after-commit jobs, each in a transaction of its own.

    A failing job is logged and rolled back: what the request committed stays committed.
    """
    try:
        db.session.commit()
    except BaseException:
        rollback()
        raise
    while queue := db.session.info.pop(_QUEUE, None):
        for job in queue:
            try:
                job()
                db.session.commit()
            except Exception:
                log.exception("after-commit job %r failed", getattr(job, "func", job))
                db.session.rollback()


def rollback() -> None:
    """Roll back and forget the queued after-commit jobs."""
    db.session.info.pop(_QUEUE, None)
    db.session.rollback()


def manual(view: Callable) -> Callable:
    """Mark a view that commits itself (it calls `commit()`); the request boundary leaves it
    alone. Use it only where a flow needs more than one commit."""
    view.manual_transaction = True  # type: ignore[attr-defined]
    return view


def on_refusal(render: Callable[..., object]):
    """Page decorator: when the view's service refuses (a DomainError), roll back first, then
    answer `render(err, **view_args)` — the page again, with the message and what was typed.
    The answer's status is the error's, so the request boundary does not commit."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except DomainError as err:
                rollback()
                return render(err, *args, **kwargs)

        return wrapped

    return decorator


def lock_row(obj: object) -> None:
    """Hold `obj`'s row until the transaction ends and re-read it (PostgreSQL: FOR UPDATE).

    A second writer waits here, then sees the first one's committed state, so its checks
    refuse what the first already did. Related collections are re-read on next access.
    """
    db.session.refresh(obj, with_for_update=True)


def lock_key(key: str) -> None:
    """Serialize writers of something that has no row yet (PostgreSQL: an advisory lock held
    until the transaction ends; SQLite: BEGIN IMMEDIATE already serializes writers)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7712, hashtext(:key))"),
                           {"key": key})


class DubanFlask(Flask):
    """Flask with the request's transaction boundary around every view."""

    def dispatch_request(self):  # type: ignore[override]
        rule = request.url_rule
        view = self.view_functions.get(rule.endpoint) if rule is not None else None
        if view is None or getattr(view, "manual_transaction", False):
            try:
                return super().dispatch_request()
            except BaseException:
                rollback()
                raise
        try:
            duplicate = once.claim()
            response = duplicate or self.make_response(super().dispatch_request())
        except BaseException:
            rollback()
            raise
        if response.status_code < 400:
            once.remember(response)
            commit()
        else:
            rollback()
        return response


def init_app(app: Flask) -> None:
    """Nothing to bind: the boundary lives in DubanFlask, which create_app instantiates."""
