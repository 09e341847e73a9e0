"""The 协办意见 form's POST (on the item page) and POST /api/v1/items/{code}/assisting_input."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required
from pydantic import Field

from webapp import api
from webapp.api.declare import Body, Out, TimeText, operation
from webapp.assist import services
from webapp.auth.access import actor
from webapp.auth.models import Role
from webapp.errors import InvalidInput
from webapp.media.files import ingest_file
from webapp.supervision.access import get_item
from webapp.supervision.models import OPEN_STATES

bp = Blueprint("assist", __name__, url_prefix="/items", template_folder="templates")
api_bp = Blueprint("assist_api", __name__)
MAX_FILES = 10


@bp.post("/<code>/assisting-input")
@login_required
def submit(code: str):
    user = current_user._get_current_object()
    item = get_item(code, user)
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if len(files) > MAX_FILES:
        raise InvalidInput(f"最多 {MAX_FILES} 个附件", field="files")
    services.submit(item, actor=user, text=request.form.get("text"),
                    files=[(f.filename, ingest_file(f.stream)) for f in files])
    flash("协办意见已提交，承办单位和督办员会收到", "success")
    return redirect(url_for("supervision.item_detail", code=code))


class AssistBody(Body):
    text: str = Field(title="协办意见")


class AssistOut(Out):
    """The assisting input recorded"""

    id: int
    unit_id: int
    text: str
    submitted_at: TimeText


@operation(api_bp, "/items/<code>/assisting_input", "POST",
           summary="协办意见: an assisting unit's part, to the lead unit and the office",
           body=AssistBody, answers={201: AssistOut}, errors=(403, 409))
def submit_api(code: str, body: AssistBody):
    row = services.submit(get_item(code, actor()), actor=actor(), text=body.text)
    return AssistOut(id=row.id, unit_id=row.unit_id, text=row.text,
                     submitted_at=row.submitted_at.isoformat()), 201


def register_api() -> None:
    api.register(api_bp)


def may_assist(item) -> bool:
    """Whether the current user is an assisting unit's liaison who may send input now."""

    user = current_user
    return (user.is_authenticated and user.role == Role.LIAISON and item.state in OPEN_STATES
            and user.unit_id in {u.id for u in item.assisting_units})
