"""GET /api/v1/todo: what waits for the caller, with counts per kind."""

from __future__ import annotations

from flask import Blueprint, Flask
from pydantic import Field

from webapp import api
from webapp.api.declare import Out, Query, operation
from webapp.auth.access import actor
from webapp.todo import services
from webapp.todo.kinds import KINDS

bp = Blueprint("todo_api", __name__)


class TodoEntry(Out):
    kind: str
    kind_label: str
    item_code: str | None = Field(description="the item's code (items' kinds)")
    ref: str = Field(description="item code, document number, inspection uuid or message id")
    title: str | None
    since: str | None
    note: str | None
    href: str = Field(description="the page where the action is taken")
    unread: bool


class Todo(Out):
    """The caller's to-do"""

    counts: dict[str, int]
    labels: dict[str, str]
    entries: list[TodoEntry]


class TodoQuery(Query):
    kind: str | None = Field(None, title="类别", description="one kind only (a key of counts)")


@operation(bp, "/todo", summary="My to-do: entries (newest 50 per kind) and counts per kind",
           query=TodoQuery, answers={200: Todo})
def todo(query: TodoQuery):
    me = actor()
    kind = query.kind if query.kind in KINDS else None
    rows = services.entries(me, kind)
    return Todo(counts=services.counts(me),
                labels={k.key: k.label for k in services.kinds_for(me)},
                entries=[TodoEntry(kind=e.kind, kind_label=e.kind_label,
                                   item_code=e.ref if e.href.startswith("/items/") else None,
                                   ref=e.ref, title=e.title,
                                   since=e.since.isoformat() if e.since else None, note=e.note,
                                   href=e.href, unread=e.unread) for e in rows])


api.register(bp)


def init_app(app: Flask) -> None:
    """Nothing to do: importing this module registered the routes under /api/v1."""
