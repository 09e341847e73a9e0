"""Turning the pages' posted forms into service arguments (choices, dates, yes/no, units).

Text is passed through as typed: the services check it (length, control characters, required).
Only what the services expect as typed values (dates, enums, booleans, ids) is parsed here.
"""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from webapp.errors import InvalidInput
from webapp.supervision.models import (
    MANUAL_CHANNELS,
    FeedbackKind,
    ReminderChannel,
    ReturnReason,
    Source,
    SourceKind,
    Urgency,
)
from webapp.validation import parse_choice, parse_date, parse_id


def date_field(form: MultiDict, name: str, label: str) -> date | None:
    return parse_date(form.get(name, ""), field=name, label=label, required=False)



def _unit_id(form: MultiDict, name: str, label: str, *, required: bool = True) -> int | None:
    return parse_id(form.get(name), field=name, label=label, required=required)


def decision(form: MultiDict) -> bool:
    value = form.get("decision")
    if value not in ("approve", "refuse"):
        raise InvalidInput("请选择同意或不同意", field="decision")
    return value == "approve"


def register_args(form: MultiDict) -> dict:
    """登记 form → register_item keyword arguments."""
    return {
        "title": form.get("title", ""),
        "content": form.get("content", ""),
        "source": parse_choice(form.get("source"), Source, field="source", label="事项来源"),
        "urgency": parse_choice(form.get("urgency") or "normal", Urgency, field="urgency",
                                label="紧急程度"),
        "source_ref": form.get("source_ref"),
        "requirements": form.get("requirements"),
        "instruction_text": form.get("instruction_text"),
        "instruction_leader": form.get("instruction_leader"),
        "instruction_date": date_field(form, "instruction_date", "批示日期"),
    }


def _assisting(form: MultiDict, name: str = "assisting_units") -> list[int]:
    return [parse_id(v, field="assisting_units", label="协办单位")
            for v in form.getlist(name) if v]


def assign_args(form: MultiDict) -> dict:
    """交办 form → assign_item keyword arguments."""
    return {
        "lead_unit": _unit_id(form, "lead_unit", "承办单位"),
        "assisting_units": _assisting(form),
        "supervising_leader": form.get("supervising_leader"),
        "first_responsible": form.get("first_responsible"),
        "direct_responsible": form.get("direct_responsible"),
        "due_date": date_field(form, "due_date", "办理时限"),
        **evidence_args(form),
    }


def evidence_args(form: MultiDict, suffix: str = "") -> dict:
    """证据要求 checkboxes and the number's name (evidence.required checks them)."""
    return {"evidence_required": form.getlist(f"evidence{suffix}"),
            "evidence_figure": form.get(f"evidence_figure{suffix}")}


SPLIT_ROWS = 6  # rows of the 分解 form; more sub-items through the API
_CHILD_FIELDS = ("lead_unit", "due_date", "first_responsible", "direct_responsible",
                 "supervising_leader", "title", "requirements", "evidence_figure")


def split_args(form: MultiDict) -> list[dict]:
    """分解 form → one dict of split.Child fields per filled row (empty rows are skipped)."""
    children = []
    for i in range(SPLIT_ROWS):
        sfx = f"-{i}"
        if not any((form.get(f + sfx) or "").strip() for f in _CHILD_FIELDS):
            continue
        children.append({
            "lead_unit": _unit_id(form, "lead_unit" + sfx, "承办单位", required=False),
            "due_date": date_field(form, "due_date" + sfx, "办理时限"),
            "assisting_units": _assisting(form, "assisting_units" + sfx),
            "supervising_leader": form.get("supervising_leader" + sfx),
            "first_responsible": form.get("first_responsible" + sfx),
            "direct_responsible": form.get("direct_responsible" + sfx),
            "title": form.get("title" + sfx), "requirements": form.get("requirements" + sfx),
            **evidence_args(form, sfx),
        })
    return children


def adjust_args(form: MultiDict) -> dict:
    """调整 form → adjust_item keyword arguments: the text fields come filled with the current
    values, a unit or person field left empty means "unchanged"."""
    args = {"reason": form.get("reason", ""), "title": form.get("title", ""),
            "content": form.get("content", ""), "requirements": form.get("requirements", ""),
            **evidence_args(form)}
    if form.get("units") == "1":  # the item has units: the form showed them
        if form.get("lead_unit"):
            args["lead_unit"] = _unit_id(form, "lead_unit", "承办单位")
        args["assisting_units"] = _assisting(form)
        for role in ("supervising_leader", "first_responsible", "direct_responsible"):
            if (form.get(role) or "").strip():
                args[role] = form.get(role)
    return args


def source_kind(form: MultiDict) -> SourceKind:
    return parse_choice(form.get("source_kind") or "instruction", SourceKind,
                        field="source_kind", label="文件类别")


def decide_hand_back_args(form: MultiDict) -> dict:
    approve = decision(form)
    return {
        "approve": approve,
        "note": form.get("note"),
        "new_lead_unit": _unit_id(form, "new_lead_unit", "新的承办单位", required=approve),
        "due_date": date_field(form, "due_date", "新的办理时限"),
    }


def extension_args(form: MultiDict) -> dict:
    return {"new_due_date": date_field(form, "new_due_date", "申请延至的日期"),
            "reason": form.get("reason", "")}


def decide_extension_args(form: MultiDict) -> dict:
    return {"approve": decision(form), "note": form.get("note")}


def feedback_args(form: MultiDict) -> dict:
    """反馈 form → submit_feedback keyword arguments (without the attachments)."""
    completed = form.get("completed", "yes")
    if completed not in ("yes", "no"):
        raise InvalidInput("请选择是否已完成", field="completed")
    return {
        "kind": parse_choice(form.get("kind"), FeedbackKind, field="kind", label="反馈类型"),
        "actions_taken": form.get("actions_taken", ""),
        "result": form.get("result"),
        "completed": completed == "yes",
        "not_done_reason": form.get("not_done_reason"),
        "next_steps": form.get("next_steps"),
        "figure": form.get("figure"),
    }


def return_args(form: MultiDict) -> dict:
    return {"category": parse_choice(form.get("category"), ReturnReason, field="category",
                                     label="退回原因类别"),
            "reason": form.get("reason", "")}


def remind_args(form: MultiDict) -> dict:
    channel = parse_choice(form.get("channel"), ReminderChannel, field="channel",
                           label="催办方式")
    if channel not in MANUAL_CHANNELS:
        raise InvalidInput("催办方式的取值无效", field="channel")
    return {"channel": channel, "note": form.get("note")}
