"""An item's timeline (时间线), built once from its audit events: `steps` for the API, and
`item_timeline` in Chinese for the pages (what, who, when, details)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from webapp.audit.services import events_for
from webapp.auth.models import User
from webapp.database import local_time
from webapp.extensions import db
from webapp.supervision.models import ReminderChannel, ReturnReason, Source, SourceKind
from webapp.supervision.workflow import EVENT_LABELS

# Detail keys shown on the timeline, in this order, with their Chinese labels.
DETAIL_LABELS = {
    "title": "标题",
    "source": "来源",
    "lead_unit": "承办单位",
    "assisting_units": "协办单位",
    "first_responsible": "第一责任人",
    "direct_responsible": "直接责任人",
    "from_unit": "原承办单位",
    "to_unit": "新承办单位",
    "due_date": "办理时限",
    "new_due_date": "申请延至",
    "channel": "方式",
    "text": "批示",
    "parent": "上级事项",
    "children": "子事项",
    "units": "承办单位",
    "child": "最后办结的子事项",
    "open_children": "未办结的子事项",
    "kind": "类别",
    "filename": "文件",
    "evidence": "证据要求",
    "category": "退回类别",
    "awaiting_confirmation": "报请领导复核",
    "reason": "理由",
    "note": "意见",
    "opinion": "审核意见",
    "completed": "是否完成",
    "attachments": "附件",
    "on_time": "是否按期",
    "archive_code": "档号",
}


@dataclass(frozen=True)
class Step:
    """One recorded step: the event's time (UTC), action and its label, the actor, details."""

    at: datetime
    action: str
    label: str
    actor: User | None
    details: dict


def steps(code: str) -> list[Step]:
    """Every recorded step of the item, oldest first (the caller has checked visibility);
    no IP addresses or hashes."""
    events = events_for("item", code)
    ids = {e.actor_id for e in events if e.actor_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return [Step(e.at, e.action, EVENT_LABELS.get(e.action, e.action), users.get(e.actor_id),
                 e.details) for e in events]


@dataclass(frozen=True)
class Entry:
    at: datetime  # local time
    label: str  # 交办, 签收, …
    who: str  # 王督办（督办员）, or 系统
    details: list[tuple[str, str]]


_CHOICES = {"source": Source, "channel": ReminderChannel, "category": ReturnReason,
            "kind": SourceKind}


def _value(key: str, value) -> str | None:
    if value in (None, "", []):
        return None
    if key in _CHOICES and value in _CHOICES[key]._value2member_map_:
        return _CHOICES[key](value).label
    if key == "completed":
        return "已完成" if value else "未完成"
    if key == "on_time":
        return "按期办结" if value else "超期办结"
    if value is True:
        return "是"
    if key == "attachments":
        return f"{len(value)} 个"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _details(action: str, details: dict) -> list[tuple[str, str]]:
    details = dict(details)
    if action == "submit_progress" and details.get("completed"):
        details.pop("completed")  # a progress report is not expected to be complete
    rows = [(label, _value(key, details.get(key))) for key, label in DETAIL_LABELS.items()]
    # 调整: each field changed, before → after
    rows += [(label, f"{before} → {after}")
             for label, (before, after) in (details.get("changes") or {}).items()]
    return [(label, text) for label, text in rows if text is not None]


def item_timeline(code: str) -> list[Entry]:
    """The item's steps as the pages show them, in Chinese and local time."""
    return [Entry(local_time(s.at), s.label + ("（自动）" if s.details.get("automatic") else ""),
                  f"{s.actor.name}（{s.actor.role.label}）" if s.actor else "系统",
                  _details(s.action, s.details)) for s in steps(code)]
