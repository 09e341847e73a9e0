"""Finding items: the filtered, paginated list every page and API call uses (through the
visibility filter, so counts never reveal hidden items)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from math import ceil
from typing import Annotated

from flask import current_app
from pydantic import (
    BeforeValidator,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import ColumnElement, Select, case, func, or_, select

from webapp.api.declare import Day, Query, refusal
from webapp.auth.models import User
from webapp.database import local_today
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.org.models import Unit
from webapp.people.models import Person
from webapp.people.services import person_for_user
from webapp.supervision.access import visible_items
from webapp.supervision.figures import Bucket, Figure, FigureSpec
from webapp.supervision.figures import condition as figure_condition
from webapp.supervision.lights import Light, deadline_light, light_condition
from webapp.supervision.models import (
    Instruction,
    ItemState,
    Source,
    SupervisionItem,
    Urgency,
)
from webapp.supervision.stats import Group
from webapp.validation import clean_text

MAX_PER_PAGE = 100
PAGE_SIZES = (20, 50, 100)  # the list's page-size selector
# What the keyword search looks in: code, title, content and the people the item names.
TEXT_COLUMNS = (SupervisionItem.code, SupervisionItem.title, SupervisionItem.content,
                SupervisionItem.supervising_leader, SupervisionItem.first_responsible,
                SupervisionItem.direct_responsible)


def _whole(value: object) -> object:
    """A small whole number from the query string; not digits (a typo, "-3") → the default.

    Digits outside ASCII ("²" passes str.isdigit() but not int()) and more than 9 digits
    (beyond every database's integer) are refused.
    """
    if not isinstance(value, str):
        return value
    if not value.isdigit():
        return None
    if not value.isascii() or len(value) > 9:
        raise PydanticCustomError("number_range", "超出范围")
    return int(value)


Whole = Annotated[int | None, BeforeValidator(_whole),
                  WithJsonSchema({"type": "integer", "minimum": 0})]


class SortKey(Labelled):
    """The list's sortable columns (`sort=`); without one, newest first."""

    CODE = "code", "编号"
    TITLE = "title", "标题"
    UNIT = "unit", "承办单位"
    STATE = "state", "状态"
    DUE = "due", "办理时限"
    URGENCY = "urgency", "紧急程度"
    REGISTERED = "registered", "登记时间"


class SortDir(Labelled):
    ASC = "asc", "升序"
    DESC = "desc", "降序"


def _declared_order(column, enum_cls) -> ColumnElement:
    """States and urgencies sort in their declared order (the workflow's, 平件 → 特急)."""
    return case({member: i for i, member in enumerate(enum_cls)}, value=column)


# Codes are numbered in order of registration, a sub-item's after its parent's (2026-045-1):
# the parent's id, then the item's, orders them as numbers (2026-999 before 2026-1000).
SORT_COLUMNS = {SortKey.CODE: func.coalesce(SupervisionItem.parent_id, SupervisionItem.id),
                SortKey.TITLE: SupervisionItem.title,
                SortKey.UNIT: Unit.name,
                SortKey.STATE: _declared_order(SupervisionItem.state, ItemState),
                SortKey.DUE: SupervisionItem.due_date,
                SortKey.URGENCY: _declared_order(SupervisionItem.urgency, Urgency),
                SortKey.REGISTERED: SupervisionItem.registered_at}


class ItemFilters(Query):
    """The item list's filters and page, for the pages and the API alike."""

    states: list[ItemState] = Field(default_factory=list, alias="state", title="状态",
                                    description="repeatable")
    unit_id: Whole = Field(None, alias="unit", title="承办单位", description="lead unit id")
    source: Source | None = Field(None, title="来源")
    light: Light | None = Field(None, title="红黄绿灯")
    due_from: Day | None = Field(None, title="时限起")
    due_to: Day | None = Field(None, title="时限止")
    text: str | None = Field(None, alias="q", title="关键词",
                             description="in code, title, content, people, 文号 or 档号")
    supervised: bool = Field(False, title="我分管的",
                             description="only items whose 分管领导 is the caller")
    instructed: bool = Field(False, title="我批示的",
                             description="only items the caller wrote a 批示 on")
    # A number of the dashboard or the statistics (supervision/figures.py): its items exactly.
    figure: Figure | None = Field(None, title="数字", description="open, overdue, due_soon, "
                                  "due, closed, on_time (the last three need start and end)")
    start: Day | None = Field(None, title="统计期间起", description="with figure")
    end: Day | None = Field(None, title="统计期间止", description="with figure")
    group: Group | None = Field(None, title="统计口径", description="with figure and key")
    key: str | None = Field(None, max_length=64, title="统计对象",
                            description="a line of the grouping: unit id, person key, source; "
                            "'-' for not set")
    bucket: Bucket | None = Field(None, title="逾期天数", description="with figure=overdue")
    sort: SortKey | None = Field(None, title="排序", description="default: newest first")
    dir: SortDir = Field(SortDir.ASC, title="排序方向")
    page: Whole = Field(1, title="页码")
    per_page: Whole = Field(20, title="每页条数", description=f"at most {MAX_PER_PAGE}")

    @field_validator("states", mode="before")
    @classmethod
    def _no_empty_states(cls, value):
        return [v for v in value if v] if isinstance(value, list) else value

    @field_validator("source", "light", "due_from", "due_to", "figure", "start", "end", "group",
                     "key", "bucket", "sort", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return None if value == "" else value

    @field_validator("dir", mode="before")
    @classmethod
    def _default_dir(cls, value):
        return SortDir.ASC if value in ("", None) else value

    @field_validator("supervised", "instructed", mode="before")
    @classmethod
    def _yes(cls, value):
        return value in ("1", "true", "yes", True)

    @field_validator("text", mode="before")
    @classmethod
    def _clean_text(cls, value):
        return clean_text(value, field="q", label="关键词", required=False, max_len=100,
                          single_line=True)

    @model_validator(mode="after")
    def _clamp(self) -> ItemFilters:
        self.page = max(1, self.page or 1)
        self.per_page = min(MAX_PER_PAGE, max(1, self.per_page or 20))
        return self

    def figure_spec(self) -> FigureSpec | None:
        if self.figure is None:
            return None
        return FigureSpec(self.figure, self.start, self.end, self.group, self.key, self.bucket)

    @classmethod
    def from_args(cls, args) -> ItemFilters:
        """From a query string (MultiDict); bad values raise InvalidInput with the field."""
        data = {key: args.getlist(key) if key == "state" else args.get(key) for key in args}
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise refusal(err, cls, shape_status=422) from None


@dataclass(frozen=True, slots=True)
class UnitName:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An item as a list shows it: one row of the list's query, not an ORM object (a page of
    rows costs a fraction of a page of items). Same attribute names as SupervisionItem."""

    id: int
    code: str
    title: str
    state: ItemState
    source: Source
    urgency: Urgency
    due_date: date | None
    final_feedback_on: date | None
    registered_at: datetime
    lead_unit: UnitName | None
    light: Light





@dataclass
class ItemPage:
    items: list[ItemRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


_ROW_COLUMNS = (SupervisionItem.id, SupervisionItem.code, SupervisionItem.title,
                SupervisionItem.state, SupervisionItem.source, SupervisionItem.urgency,
                SupervisionItem.due_date, SupervisionItem.final_feedback_on,
                SupervisionItem.registered_at, SupervisionItem.lead_unit_id, Unit.name)


def _where(stmt, f: ItemFilters, today: date, yellow_days: int, actor: User):
    if f.supervised:
        me = person_for_user(actor)
        stmt = stmt.where(SupervisionItem.supervising_leader_id == (me.id if me else -1))
    if f.instructed:
        me = person_for_user(actor)
        mine = select(Instruction.item_id).where(Instruction.leader_id == (me.id if me else -1))
        stmt = stmt.where(SupervisionItem.id.in_(mine))
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
    if (spec := f.figure_spec()) is not None:
        stmt = stmt.where(figure_condition(spec, today=today, yellow_days=yellow_days))
    if f.text:
        like = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(*(column.like(like, escape="\\") for column in TEXT_COLUMNS),
                              *_text_elsewhere(like)))
    return stmt


def _text_elsewhere(like: str) -> list:
    """The keyword in the item's people (their current names; the legacy text is a column
    of the item) and in its documents' 文号 and 档号.

    webapp.documents and webapp.archive import this domain, so this module must not import
    theirs (no cycle between domains): their tables are read at the table level, from the
    shared metadata every model registers in (webapp.models imports them all at start-up)."""
    people = select(Person.id).where(Person.name.like(like, escape="\\"))
    found = [SupervisionItem.supervising_leader_id.in_(people),
             SupervisionItem.first_responsible_id.in_(people),
             SupervisionItem.direct_responsible_id.in_(people)]
    tables = db.metadata.tables
    if "document" in tables:
        doc = tables["document"]
        found.append(SupervisionItem.id.in_(
            select(doc.c.item_id).where(or_(doc.c.doc_number.like(like, escape="\\"),
                                            doc.c.archive_code.like(like, escape="\\")))))
    if "archive_record" in tables:
        rec = tables["archive_record"]
        found.append(SupervisionItem.id.in_(
            select(rec.c.item_id).where(rec.c.archive_code.like(like, escape="\\"))))
    return found


def ordering(f: ItemFilters) -> tuple:
    """ORDER BY of the list (and its export): the chosen column, then the id; else newest
    first. A sort by 承办单位 needs the outer join to Unit the list makes."""
    if f.sort is None:
        return (SupervisionItem.id.desc(),)
    column = SORT_COLUMNS[f.sort]
    if f.dir == SortDir.DESC:
        return (column.desc().nulls_last(), SupervisionItem.id.desc())
    return (column.asc().nulls_last(), SupervisionItem.id.asc())


def matching(actor: User, f: ItemFilters, *columns) -> Select:
    """SELECT `columns` of every item `actor` may see that matches `f` (no page), joined to
    the lead unit and in the list's order: for exports and batch actions."""
    today, yellow = local_today(), current_app.config["YELLOW_LIGHT_DAYS"]
    return (_where(visible_items(actor, select(*columns)), f, today, yellow, actor)
            .outerjoin(Unit, Unit.id == SupervisionItem.lead_unit_id)
            .order_by(*ordering(f)))


def search_items(actor: User, f: ItemFilters) -> ItemPage:
    """One page of the items `actor` may see that match `f`, newest first, with the total.

    One query: the page's rows with their lead unit's name and the total as a window count
    (a page past the end costs a second, counting query)."""
    today, yellow = local_today(), current_app.config["YELLOW_LIGHT_DAYS"]
    stmt = (_where(visible_items(actor, select(*_ROW_COLUMNS, func.count().over())), f, today,
                   yellow, actor)
            .outerjoin(Unit, Unit.id == SupervisionItem.lead_unit_id)
            .order_by(*ordering(f))
            .limit(f.per_page).offset((f.page - 1) * f.per_page))
    rows = db.session.execute(stmt).all()
    if rows:
        total = rows[0][-1]
    else:
        total = db.session.scalar(_where(
            visible_items(actor, select(func.count(SupervisionItem.id))), f, today, yellow,
            actor))
    items = [ItemRow(id_, code, title, state, source, urgency, due, final_on, registered,
                     UnitName(unit_id, unit_name) if unit_id else None,
                     deadline_light(state, due, final_feedback_on=final_on, today=today,
                                    yellow_days=yellow))
             for (id_, code, title, state, source, urgency, due, final_on, registered, unit_id,
                  unit_name, _) in rows]
    return ItemPage(items, total or 0, f.page, f.per_page)


def light_of(item: SupervisionItem | ItemRow) -> Light:
    if isinstance(item, ItemRow):
        return item.light
    return deadline_light(item.state, item.due_date, final_feedback_on=item.final_feedback_on,
                          today=local_today(),
                          yellow_days=current_app.config["YELLOW_LIGHT_DAYS"])
