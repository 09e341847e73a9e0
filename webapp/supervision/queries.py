"""Finding items: the filtered, paginated list every page and API call uses (through the
visibility filter, so counts never reveal hidden items)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from math import ceil

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.database import local_today
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.supervision.access import visible_items
from webapp.supervision.lights import Light, deadline_light, light_condition
from webapp.supervision.models import ItemState, Source, SupervisionItem
from webapp.validation import clean_text, parse_choice, parse_date

MAX_PER_PAGE = 100


@dataclass
class ItemFilters:
    states: list[ItemState] = field(default_factory=list)
    unit_id: int | None = None  # lead unit
    source: Source | None = None
    light: Light | None = None
    due_from: date | None = None
    due_to: date | None = None
    text: str | None = None  # in code, title or content
    page: int = 1
    per_page: int = 20

    @classmethod
    def from_args(cls, args) -> ItemFilters:
        """From a query string (MultiDict); bad values raise InvalidInput with the field."""
        states = [parse_choice(s, ItemState, field="state", label="状态")
                  for s in args.getlist("state") if s]
        text = clean_text(args.get("q"), field="q", label="关键词", required=False,
                          max_len=100, single_line=True)
        return cls(
            states=states,
            unit_id=_int(args.get("unit"), None, field="unit"),
            source=parse_choice(args.get("source"), Source, field="source", label="来源",
                                required=False),
            light=parse_choice(args.get("light"), Light, field="light", label="红黄绿灯",
                               required=False),
            due_from=parse_date(args.get("due_from"), field="due_from", label="时限起",
                                required=False),
            due_to=parse_date(args.get("due_to"), field="due_to", label="时限止",
                              required=False),
            text=text,
            page=max(1, _int(args.get("page"), 1, field="page")),
            per_page=min(MAX_PER_PAGE, max(1, _int(args.get("per_page"), 20, field="per_page"))),
        )


def _int(value: str | None, default: int | None, *, field: str) -> int | None:
    """A small whole number from the query string; absent or not digits → the default.

    Digits outside ASCII ("²" passes str.isdigit() but not int()) and more than 9 digits
    (beyond every database's integer) are refused.
    """
    if not value or not value.isdigit():
        return default
    if not value.isascii() or len(value) > 9:
        raise InvalidInput(f"{field} 超出范围", field=field)
    return int(value)


@dataclass
class ItemPage:
    items: list[SupervisionItem]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def _where(stmt, f: ItemFilters, today: date, yellow_days: int):
    if f.states:
        stmt = stmt.where(SupervisionItem.state.in_(f.states))
    if f.unit_id:
        stmt = stmt.where(SupervisionItem.lead_unit_id == f.unit_id)
    if f.source:
        stmt = stmt.where(SupervisionItem.source == f.source)
    if f.light:
        stmt = stmt.where(light_condition(f.light, today=today, yellow_days=yellow_days))
    if f.due_from:
        stmt = stmt.where(SupervisionItem.due_date >= f.due_from)
    if f.due_to:
        stmt = stmt.where(SupervisionItem.due_date <= f.due_to)
    if f.text:
        like = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(SupervisionItem.code.like(like, escape="\\"),
                              SupervisionItem.title.like(like, escape="\\"),
                              SupervisionItem.content.like(like, escape="\\")))
    return stmt


def search_items(actor: User, f: ItemFilters) -> ItemPage:
    """One page of the items `actor` may see that match `f`, newest first, with the total."""
    today, yellow = local_today(), current_app.config["YELLOW_LIGHT_DAYS"]
    base = _where(visible_items(actor), f, today, yellow)
    total = db.session.scalar(
        _where(visible_items(actor, select(func.count(SupervisionItem.id))), f, today, yellow)
    )
    rows = db.session.scalars(
        base.options(selectinload(SupervisionItem.lead_unit))
        .order_by(SupervisionItem.id.desc())
        .limit(f.per_page)
        .offset((f.page - 1) * f.per_page)
    ).all()
    return ItemPage(list(rows), total or 0, f.page, f.per_page)


def light_of(item: SupervisionItem) -> Light:
    return deadline_light(item.state, item.due_date, today=local_today(),
                          yellow_days=current_app.config["YELLOW_LIGHT_DAYS"])
