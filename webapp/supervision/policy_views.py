"""审批规则 (admin): which sources need a leader's 立项, whether the 批示 leader confirms 办结
(复核), whether 调整 needs a leader's approval — the page /admin/workflow and
GET/PUT /api/v1/workflow/policy."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from pydantic import Field

from webapp import api
from webapp.api.declare import Body, Out, operation
from webapp.auth.access import actor, roles_required
from webapp.auth.models import Role
from webapp.errors import NotAllowed
from webapp.supervision import policy
from webapp.supervision.models import Source
from webapp.transaction import on_refusal
from webapp.validation import parse_choice

bp = Blueprint("workflow_policy", __name__, url_prefix="/admin/workflow",
               template_folder="templates")
api_bp = Blueprint("workflow_policy_api", __name__)


def _page(status: int = 200, error: str | None = None):
    return render_template("supervision/policy.html", policy=policy.current(), Source=Source,
                           error=error), status


@bp.get("/")
@roles_required(Role.ADMIN)
def policy_page():
    return _page()


@bp.post("/")
@roles_required(Role.ADMIN)
@on_refusal(lambda err: _page(err.status, err.message))
def update_policy():
    form = request.form
    policy.update(actor=actor(), approval_sources=[
        parse_choice(v, Source, field="approval_sources", label="事项来源")
        for v in form.getlist("approval_sources")],
        confirm_instructions=form.get("confirm_instructions") == "1",
        adjust_needs_approval=form.get("adjust_needs_approval") == "1")
    flash("审批规则已保存", "success")
    return redirect(url_for(".policy_page"))


class PolicyOut(Out):
    """The admin's workflow policy"""

    approval_sources: list[Source] = Field(description="sources whose items need 立项")
    confirm_instructions: bool = Field(description="the 批示 leader confirms 办结 (复核)")
    adjust_needs_approval: bool = Field(description="调整 of an assigned item needs a leader")


class PolicyBody(Body):
    approval_sources: list[Source] = Field(title="须立项审批的来源")
    confirm_instructions: bool = Field(title="批示事项办结须领导复核")
    adjust_needs_approval: bool = Field(title="调整须领导审批")


def _out(p: policy.Policy) -> PolicyOut:
    return PolicyOut(approval_sources=p.approval_list, confirm_instructions=p.confirm_instructions,
                     adjust_needs_approval=p.adjust_needs_approval)


@operation(api_bp, "/workflow/policy", summary="The workflow policy (any signed-in user)",
           answers={200: PolicyOut})
def get_policy():
    return _out(policy.current())


@operation(api_bp, "/workflow/policy", "PUT", summary="Set the workflow policy (admin)",
           body=PolicyBody, answers={200: PolicyOut}, errors=(403,))
def put_policy(body: PolicyBody):
    user = actor()
    if user is None or user.role != Role.ADMIN:
        raise NotAllowed("只有系统管理员可以设置审批规则")
    return _out(policy.update(actor=user, approval_sources=body.approval_sources,
                              confirm_instructions=body.confirm_instructions,
                              adjust_needs_approval=body.adjust_needs_approval))


api.register(api_bp)


def init_app(app) -> None:
    app.register_blueprint(bp)
