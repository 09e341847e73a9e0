"""GET /dashboard (the page) and GET /api/v1/dashboard: leaders and the office only."""

from __future__ import annotations

from flask import Blueprint, render_template
from pydantic import Field

from webapp import api
from webapp.api.declare import DayText, Out, operation
from webapp.auth.access import actor, roles_required
from webapp.auth.models import Role
from webapp.dashboard.data import build
from webapp.errors import NotAllowed

VIEWERS = (Role.LEADER, Role.OFFICE)

bp = Blueprint("dashboard", __name__, template_folder="templates")
api_bp = Blueprint("dashboard_api", __name__)


@bp.route("/dashboard")
@roles_required(*VIEWERS)
def dashboard():
    return render_template("dashboard/dashboard.html", d=build())


class DashboardFigure(Out):
    section: str = Field(description="which part of the dashboard: 当前, 按月, 单位排名, …")
    label: str
    value: int
    href: str = Field(description="/api/v1/items?… or /api/v1/inspections?…: its total = value")
    page: str = Field(description="the same list as a page")


class DashboardOut(Out):
    """Every figure of the dashboard"""

    today: DayText
    start: DayText = Field(description="first day of the twelve months")
    end: DayText = Field(description="last day of the twelve months")
    figures: list[DashboardFigure]


@operation(api_bp, "/dashboard", summary="Every figure of the dashboard with the list it "
           "comes from (leader, office; others 403)", answers={200: DashboardOut}, errors=(403,))
def dashboard_api():
    user = actor()
    if user is None or user.role not in VIEWERS:
        raise NotAllowed("驾驶舱仅供领导和督查室使用")
    d = build(charts=False)
    return DashboardOut(today=d.today.isoformat(), start=d.start.isoformat(),
                        end=d.end.isoformat(),
                        figures=[DashboardFigure(section=f.section, label=f.label, value=f.value,
                                                 href=f.href, page=f.page) for f in d.figures])


api.register(api_bp)


def init_app(app) -> None:
    app.register_blueprint(bp)
