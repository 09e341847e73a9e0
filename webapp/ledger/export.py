"""督办台账 to Excel: the item list with its current filters, as the list shows it, plus the
people, the dates, the light, the days overdue and the latest feedback.

Built for large lists: one query for the rows (the list's own filter, visibility and order,
with the unit's and the people's names joined in), read `BATCH` rows at a time
(`yield_per`), and one query per batch for the batch's latest feedback — no ORM objects, no
lazy loads. The workbook is openpyxl's write-only kind (rows go to a temporary file as they
are appended); the finished file is sent from a temporary file in chunks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date, datetime

from flask import Response, current_app
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from webapp.auth.models import User
from webapp.database import local_date, local_today
from webapp.extensions import db
from webapp.media.store import content_disposition
from webapp.org.models import Unit
from webapp.people.models import Person
from webapp.spreadsheets import MIME, append_row
from webapp.supervision.lights import Light, deadline_light, is_overdue
from webapp.supervision.models import Feedback, SupervisionItem
from webapp.supervision.queries import ItemFilters, matching

BATCH = 1000
EXCERPT = 120  # characters of the latest feedback
NO_UNIT = "未交办"  # as the list shows an item not yet assigned
NO_LIGHT = "不亮灯"  # as the list shows Light.NONE

# The list's columns first, in its order and with its words, then the rest.
HEADERS = ("编号", "标题", "承办单位", "状态", "办理时限", "红黄绿灯", "紧急程度",
           "来源", "分管领导", "第一责任人", "直接责任人", "登记日期", "交办日期",
           "办结反馈日期", "逾期天数", "最新反馈日期", "最新反馈摘要")
WIDTHS = (11, 40, 18, 10, 12, 14, 9, 14, 10, 10, 10, 12, 12, 13, 9, 13, 60)

_leader, _first, _direct = aliased(Person), aliased(Person), aliased(Person)
_COLUMNS = (SupervisionItem.id, SupervisionItem.code, SupervisionItem.title, Unit.name,
            SupervisionItem.state, SupervisionItem.due_date, SupervisionItem.urgency,
            SupervisionItem.source,
            func.coalesce(_leader.name, SupervisionItem.supervising_leader),
            func.coalesce(_first.name, SupervisionItem.first_responsible),
            func.coalesce(_direct.name, SupervisionItem.direct_responsible),
            SupervisionItem.registered_at, SupervisionItem.assigned_at,
            SupervisionItem.final_feedback_on)


def light_text(light: Light) -> str:
    return NO_LIGHT if light == Light.NONE else light.label


def _rows_query(actor: User, f: ItemFilters):
    return (matching(actor, f, *_COLUMNS)
            .outerjoin(_leader, _leader.id == SupervisionItem.supervising_leader_id)
            .outerjoin(_first, _first.id == SupervisionItem.first_responsible_id)
            .outerjoin(_direct, _direct.id == SupervisionItem.direct_responsible_id))


def _latest_feedback(item_ids: list[int]) -> dict[int, tuple[datetime, str]]:
    """item id → (submitted at, excerpt) of its latest feedback, for one batch of items."""
    latest = (select(func.max(Feedback.id)).where(Feedback.item_id.in_(item_ids))
              .group_by(Feedback.item_id))
    rows = db.session.execute(
        select(Feedback.item_id, Feedback.submitted_at, Feedback.actions_taken, Feedback.result)
        .where(Feedback.id.in_(latest)))
    return {item_id: (at, excerpt(actions, result)) for item_id, at, actions, result in rows}


def excerpt(actions: str, result: str | None) -> str:
    text = " ".join(actions.split())
    if result:
        text += " 办理结果：" + " ".join(result.split())
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"


def rows(actor: User, f: ItemFilters) -> Iterator[list]:
    """The export's rows (without the header), in the list's order."""
    today, yellow = local_today(), current_app.config["YELLOW_LIGHT_DAYS"]
    result = db.session.execute(_rows_query(actor, f).execution_options(yield_per=BATCH))
    for batch in result.partitions():
        feedback = _latest_feedback([r[0] for r in batch])
        for (id_, code, title, unit, state, due, urgency, source, leader, first, direct,
             registered, assigned, final_on) in batch:
            light = deadline_light(state, due, final_feedback_on=final_on, today=today,
                                   yellow_days=yellow)
            late = (today - due).days if is_overdue(state, due, final_on, today=today) else None
            last_at, last_text = feedback.get(id_, (None, None))
            yield [code, title, unit or NO_UNIT, state.label, due, light_text(light),
                   urgency.label, source.label, leader, first, direct, _day(registered),
                   _day(assigned), final_on, late, _day(last_at), last_text]


def _day(moment: datetime | None) -> date | None:
    return local_date(moment) if moment is not None else None


def write(actor: User, f: ItemFilters):
    """The workbook in a temporary file (rewound), and the number of items in it."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("督办台账")
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A2"
    append_row(ws, HEADERS)
    count = 0
    for row in rows(actor, f):
        append_row(ws, row)
        count += 1
    out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by chunks() once sent)
    wb.save(out)
    out.seek(0)
    return out, count


def chunks(file, size: int = 64 * 1024) -> Iterator[bytes]:
    with file:
        while block := file.read(size):
            yield block


def send(file, name: str) -> Response:
    """The finished workbook as a download, read from its temporary file in chunks."""
    return Response(chunks(file), mimetype=MIME, direct_passthrough=True, headers={
        "Content-Disposition": content_disposition(name, as_attachment=True)})
