"""/api/v1 of the 督办台账: the item list as Excel (same filters as GET /api/v1/items), the
import of the template, and batch 催办 / 交办."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, request
from pydantic import Field

from webapp import api
from webapp.api.declare import Body, File, Out, RawBody, operation
from webapp.auth.access import actor as current_actor
from webapp.auth.models import Role
from webapp.database import local_today
from webapp.errors import NotAllowed
from webapp.ledger import batch, export, importer
from webapp.spreadsheets import MIME
from webapp.supervision.models import ReminderChannel
from webapp.supervision.queries import ItemFilters

bp = Blueprint("ledger_api", __name__)


@operation(bp, "/items/export.xlsx", summary="督办台账: the items this user may see that match "
           "the list's filters (and sort), as an Excel workbook", query=ItemFilters,
           answers={200: File((MIME,))}, errors=(403,))
def export_items(query: ItemFilters):
    user = current_actor()
    if user.role == Role.INSPECTOR:
        raise NotAllowed("督查员不使用督办事项列表")
    return export.send(export.write(user, query)[0], f"督办台账-{local_today().isoformat()}.xlsx")


class ImportResult(Out):
    count: int
    codes: list[str]


@operation(bp, "/items/import", "POST", summary="导入 (office): register the rows of the Excel "
           "template (GET /items/import/template.xlsx), all or none; refusals name row and column "
           "in error.problems", raw_body=RawBody((MIME, "application/octet-stream")),
           answers={201: ImportResult}, errors=(400, 403, 422))
def import_items():
    codes = importer.import_items(request.get_data(), actor=current_actor(),
                                  filename=request.headers.get("X-Filename"))
    return ImportResult(count=len(codes), codes=codes), 201


class BatchBody(Body):
    action: batch.BatchAction = Field(title="批量操作")
    codes: list[str] = Field(title="事项编号", max_length=batch.MAX_ITEMS)
    channel: ReminderChannel | None = Field(None, title="催办方式", description="催办: phone, "
                                            "in_person or system (default phone)")
    note: str | None = Field(None, title="催办说明")
    lead_unit_id: int | None = Field(None, title="承办单位", description="交办")
    due_date: date | None = Field(None, title="办理时限", description="交办")
    assisting_unit_ids: list[int] = Field(default_factory=list, title="协办单位")
    supervising_leader: str | int | None = Field(None, title="分管领导")
    first_responsible: str | int | None = Field(None, title="第一责任人")
    direct_responsible: str | int | None = Field(None, title="直接责任人")


class BatchItem(Out):
    code: str
    done: bool
    message: str


class BatchResult(Out):
    done: int
    refused: int
    items: list[BatchItem]


@operation(bp, "/items/batch", "POST", summary="批量催办 / 批量交办 (office): each item through "
           "its own action and audit event; refused items are listed with the reason, the others "
           "done", body=BatchBody, answers={200: BatchResult}, errors=(403,))
def batch_items(body: BatchBody):
    if body.action == batch.BatchAction.REMIND:
        args = {"channel": body.channel or ReminderChannel.PHONE, "note": body.note}
    else:
        args = {"lead_unit": body.lead_unit_id, "due_date": body.due_date,
                "assisting_units": body.assisting_unit_ids,
                "supervising_leader": body.supervising_leader,
                "first_responsible": body.first_responsible,
                "direct_responsible": body.direct_responsible}
    outcomes = batch.run(current_actor(), body.action, body.codes, args)
    return BatchResult(done=sum(o.done for o in outcomes),
                       refused=sum(not o.done for o in outcomes),
                       items=[BatchItem(code=o.code, done=o.done, message=o.message)
                              for o in outcomes])


api.register(bp)


def init_app(app: Flask) -> None:
    """Nothing to do: importing this module registered the routes under /api/v1."""
