"""JSON API of 签发 (webapp/documents/signoff.py): drafts, 核稿, 签发, 退回, 撤回, and the draft's
files as the leader reads them."""

from __future__ import annotations

from flask import Blueprint
from pydantic import Field

from webapp import api
from webapp.api.declare import Body, DayText, File, Id, Out, operation
from webapp.auth.access import actor
from webapp.auth.models import User
from webapp.documents import kinds, services, signoff
from webapp.documents.api import IssueBody, _inspection_id
from webapp.documents.models import OPEN_DRAFT_STATES, DocumentDraft, DraftState
from webapp.errors import InvalidInput, NotFound
from webapp.extensions import db
from webapp.supervision.access import get_item

bp = Blueprint("document_drafts_api", __name__)


class DraftCheckBody(Body):
    """核稿: the leader asked to sign."""

    signer: Id = Field(title="签发领导", description="user id of a leader")


class DraftReturnBody(Body):
    comment: str = Field(title="退回意见")


class DraftWithdrawBody(Body):
    reason: str = Field(title="撤回理由")


class DraftPerson(Out):
    id: int
    name: str


class IssuedRef(Out):
    id: int
    doc_number: str


class DraftOut(Out):
    """A draft that needs 签发, and where it stands"""

    id: int
    ref: str
    kind: str = Field(description="a kind of webapp/documents/kinds.py")
    title: str
    state: DraftState
    item: str | None
    period_start: DayText | None
    period_end: DayText | None
    drafted_by: DraftPerson
    checked_by: DraftPerson | None
    signer: DraftPerson | None
    signed_at: str | None
    comment: str | None
    document: IssuedRef | None


class DraftList(Out):
    """Open drafts (待核稿, 待签发, 已退回), newest first (200)"""

    drafts: list[DraftOut]


def _person(user: User | None) -> DraftPerson | None:
    return DraftPerson(id=user.id, name=user.name) if user is not None else None


def _out(d: DocumentDraft) -> DraftOut:
    return DraftOut(
        id=d.id, ref=d.ref, kind=str(d.kind), title=d.title, state=d.state,
        item=d.item.code if d.item else None,
        period_start=d.period_start.isoformat() if d.period_start else None,
        period_end=d.period_end.isoformat() if d.period_end else None,
        drafted_by=_person(d.drafted_by), checked_by=_person(d.checked_by),
        signer=_person(d.signer), signed_at=d.signed_at.isoformat() if d.signed_at else None,
        comment=d.comment,
        document=IssuedRef(id=d.document.id, doc_number=d.document.doc_number)
        if d.document else None)


def _options(body: IssueBody, user: User) -> services.Options:
    return services.Options(
        new_due_date=body.new_due_date, start=body.start, end=body.end, summary=body.summary,
        requirements=body.requirements,
        praised=[p.model_dump() for p in body.praised or []],
        criticised=[c.model_dump() for c in body.criticised or []],
        charts=bool(body.charts),
        inspection_id=_inspection_id(body.inspection, user))


@operation(bp, "/documents/drafts", summary="Open drafts awaiting 核稿 or 签发 (office, leaders)",
           answers={200: DraftList}, errors=(403,))
def list_drafts():
    from sqlalchemy import select

    user = actor()
    if user.role not in signoff.SEE_DRAFTS:
        return DraftList(drafts=[])
    stmt = select(DocumentDraft).where(DocumentDraft.state.in_(OPEN_DRAFT_STATES))
    drafts = db.session.scalars(stmt.order_by(DocumentDraft.id.desc()).limit(200))
    return DraftList(drafts=[_out(d) for d in drafts])


@operation(bp, "/documents/drafts", "POST", summary="拟稿 (office): a draft of a kind that "
           "needs 签发; the number is taken when a leader signs it", body=IssueBody,
           answers={201: DraftOut}, errors=(403, 404, 409))
def create(body: IssueBody):
    user = actor()
    item = get_item(body.item, user) if body.item else None
    draft = signoff.draft_document(body.kind, actor=user, item=item,
                                   options=_options(body, user))
    return _out(draft), 201


@operation(bp, "/documents/drafts/<id:draft_id>", summary="One draft", answers={200: DraftOut},
           errors=(404,))
def get(draft_id: int):
    return _out(signoff.get_draft(draft_id, actor()))


@operation(bp, "/documents/drafts/<id:draft_id>/file.<fmt>",
           summary="The draft as the leader reads it (草稿, no number): pdf or docx",
           answers={200: File((services.PDF, services.DOCX))}, errors=(404, 422))
def file(draft_id: int, fmt: str):
    from webapp.documents.views import _draft_response

    draft = signoff.get_draft(draft_id, actor())
    if fmt not in ("pdf", "docx"):
        raise NotFound("unknown format")
    return _draft_response(signoff.preview(draft, actor=actor(), fmt=fmt), fmt, draft.title)


@operation(bp, "/documents/drafts/<id:draft_id>/revise", "POST",
           summary="修改 (office): new choices for a draft not yet sent or returned",
           body=IssueBody, answers={200: DraftOut}, errors=(403, 404, 409))
def revise(draft_id: int, body: IssueBody):
    user = actor()
    draft = signoff.get_draft(draft_id, user)
    if kinds.get(body.kind) is not kinds.get(draft.kind):
        raise InvalidInput("kind differs from the draft's", field="kind")
    return _out(signoff.revise_draft(draft, actor=user, options=_options(body, user)))


@operation(bp, "/documents/drafts/<id:draft_id>/check", "POST",
           summary="核稿 (office): send the draft to a leader for 签发", body=DraftCheckBody,
           answers={200: DraftOut}, errors=(403, 404, 409))
def check(draft_id: int, body: DraftCheckBody):
    user = actor()
    draft = signoff.get_draft(draft_id, user)
    return _out(signoff.check_draft(draft, actor=user, signer=db.session.get(User, body.signer)))


@operation(bp, "/documents/drafts/<id:draft_id>/sign", "POST",
           summary="签发 (the leader asked): the document is issued and numbered",
           answers={200: DraftOut}, errors=(403, 404, 409))
def sign(draft_id: int):
    user = actor()
    draft = signoff.get_draft(draft_id, user)
    signoff.sign_draft(draft, actor=user)
    return _out(draft)


@operation(bp, "/documents/drafts/<id:draft_id>/return", "POST",
           summary="退回 (the leader asked): back to the office with a comment",
           body=DraftReturnBody,           answers={200: DraftOut}, errors=(403, 404, 409))
def return_(draft_id: int, body: DraftReturnBody):
    user = actor()
    draft = signoff.get_draft(draft_id, user)
    return _out(signoff.return_draft(draft, actor=user, comment=body.comment))


@operation(bp, "/documents/drafts/<id:draft_id>/withdraw", "POST",
           summary="撤回 (office): drop a draft that is not signed", body=DraftWithdrawBody,
           answers={200: DraftOut}, errors=(403, 404, 409))
def withdraw(draft_id: int, body: DraftWithdrawBody):
    user = actor()
    draft = signoff.get_draft(draft_id, user)
    return _out(signoff.withdraw_draft(draft, actor=user, reason=body.reason))


api.register(bp)
