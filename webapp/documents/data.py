"""The plain data each kind of document is rendered from (doc_templates/README.md), built from
the database: str, int, list, dict and None only — stored as the document's data_json."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from webapp.audit.services import events_for
from webapp.auth.models import User
from webapp.database import local_date, local_time
from webapp.documents.models import IssuerSettings
from webapp.documents.rendering.blocks import cn_date
from webapp.documents.settings import cc_list
from webapp.errors import InvalidInput, StateConflict
from webapp.extensions import db
from webapp.supervision.models import (
    FeedbackKind,
    ReminderChannel,
    ReviewState,
    SupervisionItem,
    Urgency,
)
from webapp.supervision.stats import unit_statistics
from webapp.validation import LONG, clean_text, parse_id

# 紧急程度 in the 版头 (GB/T 9704 7.2.3) from the item's urgency.
DOC_URGENCY = {Urgency.VERY_URGENT: "特急", Urgency.URGENT: "加急"}
# How a reminder reads in a sentence ("2026年12月11日电话催办").
REMINDER_ACTIONS = {
    ReminderChannel.SYSTEM: "系统自动提醒",
    ReminderChannel.PHONE: "电话催办",
    ReminderChannel.IN_PERSON: "当面催办",
    ReminderChannel.DOCUMENT: "印发催办通知",
}
CLOSING_REPORT_TO = "局党委"  # 主送机关 of a 办结报告 (a report to the bureau's leadership)
MAX_UNITS_NAMED = 20  # praised or criticised units in one circular


@dataclass
class Options:
    """What the office chooses when issuing: a reminder's new date; a circular's period and
    texts; the inspection of a record."""

    new_due_date: date | None = None
    start: date | None = None
    end: date | None = None
    summary: str | None = None
    requirements: str | None = None
    praised: list[dict] = field(default_factory=list)  # [{"unit_id": 3, "reason": "…"}]
    criticised: list[dict] = field(default_factory=list)
    inspection_id: int | None = None
    charts: bool = False  # a circular: with charts (by unit, overdue by days)


@dataclass
class Source:
    """What a kind's builder (webapp/documents/kinds.py) builds its data from."""

    item: SupervisionItem | None
    options: Options
    settings: IssuerSettings
    today: date


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def common(settings: IssuerSettings, *, title: str, recipients: list[str], today: date) -> dict:
    """Fields every kind carries: title, 主送, 成文日期, 署名, 附注, 抄送, 印发."""
    contact = None
    if settings.contact_name or settings.contact_phone:
        contact = {"name": settings.contact_name or "", "phone": settings.contact_phone or ""}
    return {
        "title": title,
        "recipients": recipients,
        "issue_date": today.isoformat(),
        "signature": settings.signature or settings.mark,
        "contact": contact,
        "cc": cc_list(settings),
        "printer": settings.printer or "",
        "print_date": today.isoformat(),
        "attachments": [],
    }


def item_part(item: SupervisionItem) -> dict:
    """The "item" block shared by notice, reminder and closing report."""
    return {
        "code": item.code,
        "title": item.title,
        "content": item.content,
        "source_label": item.source.label,
        "source_ref": item.source_ref or "",
        "urgency_label": "" if item.urgency == Urgency.NORMAL else item.urgency.label,
        "instructions": [
            {"leader": i.leader_name, "text": i.text, "date": _iso(i.instructed_on)}
            for i in item.instructions
        ],
        "requirements": item.requirements or "",
        "due_date": _iso(item.due_date),
        "lead_unit": item.lead_unit.name if item.lead_unit else "",
        "assisting_units": [u.name for u in item.assisting_units],
        "supervising_leader": item.supervising_leader or "",
        "first_responsible": item.first_responsible or "",
        "direct_responsible": item.direct_responsible or "",
    }


def item_title(item_title: str, kind_label: str) -> str:
    """标题 of a document about one item: 关于<事项名称>的<文种>."""
    return f"关于{item_title}的{kind_label}"


def circular_title(start: date, end: date) -> str:
    """标题 of the 通报 for a period."""
    return (f"关于{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月"
            f"{end.day}日督办工作情况的通报")


def _title(item: SupervisionItem, kind_label: str) -> str:
    return item_title(item.title, kind_label)


def notice_data(item: SupervisionItem, settings: IssuerSettings, *, today: date) -> dict:
    """督办通知 to the item's lead unit (特急/加急 in the 版头 from the item's urgency)."""
    lead = item.lead_unit.name if item.lead_unit else ""
    return common(settings, title=_title(item, "督办通知"), recipients=[lead], today=today) | {
        "item": item_part(item), "urgency": DOC_URGENCY.get(item.urgency, "")}


def reminder_data(item: SupervisionItem, settings: IssuerSettings, *, today: date,
                  new_due_date: date | None = None) -> dict:
    """催办通知 for an overdue item: what was due, reminders so far, the new date."""
    if new_due_date is not None and new_due_date <= today:
        raise InvalidInput("新的办结时限应晚于今天", field="new_due_date")
    lead = item.lead_unit.name if item.lead_unit else ""
    reminders = [
        {"date": _local(r.created_at).isoformat(), "channel_label": REMINDER_ACTIONS[r.channel],
         "note": r.note or ""}
        for r in item.reminders
    ]
    return common(settings, title=_title(item, "催办通知"), recipients=[lead], today=today) | {
        "item": item_part(item),
        "urgency": DOC_URGENCY.get(item.urgency, ""),
        "reminders": reminders,
        "days_overdue": max(0, (today - item.due_date).days) if item.due_date else 0,
        "new_due_date": _iso(new_due_date),
    }


def _local(moment) -> date:
    return local_date(moment)


def closing_report_data(item: SupervisionItem, settings: IssuerSettings, *,
                        today: date) -> dict:
    """办结报告 of a closed item: timeline, final feedback, review opinion, sign-off."""
    """办结报告 of a closed item: timeline, final feedback (a split item: its sub-items'),
    review opinion, the leader's 复核, sign-off; the 批示件/来文 and the evidence as 附件."""
    from webapp.auth.models import User
    from webapp.extensions import db
    from webapp.supervision.sources import shown_with

    final = [f for f in item.feedback
             if f.kind == FeedbackKind.FINAL and f.review_state == ReviewState.ACCEPTED]
    feedback = final[-1] if final else None
    reviewer = db.session.get(User, feedback.reviewed_by_id) if feedback and \
        feedback.reviewed_by_id else None
    opinion = item.review_opinion or (feedback.review_note if feedback else None) or "同意办结。"
    files = [f"{_stem(f.filename)}（{f.kind.label}）" for f in shown_with(item)]
    files += [_stem(a.filename) for a in feedback.attachments] if feedback else []
    data = common(settings, title=_title(item, "办结报告"), recipients=[CLOSING_REPORT_TO],
                  today=today)
    confirmer = db.session.get(User, item.confirmed_by_id) if item.confirmed_by_id else None
    return data | {
        "attachments": [f for f in files if f],
        "item": item_part(item),
        "timeline": process(item),
        "feedback": _children_result(item) if item.children else {
            "actions_taken": feedback.actions_taken if feedback else "",
            "result": (feedback.result or "") if feedback else "",
        },
        "confirmation": {"leader": confirmer.name if confirmer else "",
                         "date": _local(item.confirmed_at).isoformat(),
                         "note": item.confirmation_note or ""} if item.confirmed_at else None,
        "review_opinion": opinion,
        "reviewer": " ".join(x for x in (settings.printer or "", reviewer.name if reviewer
                                         else "") if x),
        "closed_date": _iso(item.closed_on) or today.isoformat(),
    }


def _children_result(item: SupervisionItem) -> dict:
    """办理结果 of a split item: how it was split, and each sub-item's outcome."""
    lines = []
    for child in item.children:
        accepted = [f for f in child.feedback
                    if f.kind == FeedbackKind.FINAL and f.review_state == ReviewState.ACCEPTED]
        unit = child.lead_unit.name if child.lead_unit else ""
        outcome = _clause(accepted[-1].result) if accepted and accepted[-1].result else \
            child.state.label
        lines.append(f"{unit}（{child.code}）：{outcome}")
    units = "、".join(dict.fromkeys(c.lead_unit.name for c in item.children if c.lead_unit))
    return {"actions_taken": f"本事项分解为{len(item.children)}个子事项，由{units}分别承办。",
            "result": "；".join(lines) + "。"}


def _stem(filename: str | None) -> str:
    """An attachment's name for the 附件说明: the file name without its extension."""
    name = (filename or "").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0].strip() if "." in name else name.strip()


def _cn(value: object) -> str:
    return cn_date(value)


def _clause(text: object) -> str:
    """User text inside a sentence: no final punctuation (the sentence adds its own)."""
    return str(text or "").strip().rstrip("。；;，,、.!！").strip()


def _event_sentence(action: str, d: dict, unit: str) -> str | None:
    """One step of the item as a clause of the 办理过程 (None: not worth a line)."""
    reason = f"，理由是{_clause(d['reason'])}" if d.get("reason") else ""
    note = f"（{_clause(d['note'])}）" if d.get("note") else ""
    if action == "register":
        return "办公室登记立项"
    if action == "assign":
        helpers = "、".join(d.get("assisting_units") or [])
        return (f"交办{d.get('lead_unit', '')}" + (f"，{helpers}协办" if helpers else "")
                + (f"，办理时限为{_cn(d['due_date'])}" if d.get("due_date") else ""))
    if action == "hand_back_approved":
        return f"办公室同意{d.get('from_unit', '')}的退回申请，改由{d.get('to_unit', '')}承办{note}"
    if action == "extension_approved":
        return f"同意延期，办理时限延至{_cn(d.get('due_date'))}{note}"
    if action == "remind":
        how = REMINDER_ACTIONS.get(d.get("channel"), "催办")
        return f"{how}{note}"
    if action == "instruct":
        return f"领导批示：“{_clause(d.get('text'))}”"
    if action in ("accept", "confirmed", "close"):
        who = {"accept": "办公室审核通过", "confirmed": "领导复核同意",
               "close": "子事项均已办结" if d.get("automatic") else "办公室办结分解事项"}[action]
        if d.get("awaiting_confirmation"):
            return f"{who}，报请领导复核"
        return f"{who}，事项{'按期' if d.get('on_time') else '超期'}办结"
    if action == "split":
        units = "、".join(d.get("units") or [])
        return f"分解为{len(d.get('children') or [])}个子事项，交办{units}"
    if action in ("adjust", "adjustment_approved"):
        return f"调整{'、'.join(d.get('changes') or {})}{reason}"
    return {
        "acknowledge": f"{unit}签收",
        "request_hand_back": f"{unit}申请退回{reason}",
        "hand_back_refused": f"办公室不同意退回{note}",
        "request_extension": f"{unit}申请延期至{_cn(d.get('new_due_date'))}{reason}",
        "extension_refused": f"不同意延期{note}",
        "submit_progress": f"{unit}报送阶段反馈",
        "submit_final": f"{unit}报送办结反馈",
        "return": f"办公室退回重办{reason}",
        "approval_granted": "领导同意立项",
        "approval_returned": f"领导退回立项{note}",
        "confirmation_returned": f"领导复核未同意{note}",
    }.get(action)


def process(item: SupervisionItem) -> list[dict]:
    """办理过程 of an item, one sentence per day ending in 。, from its audit events."""
    from sqlalchemy import select


    events = events_for("item", item.code)
    ids = {e.actor_id for e in events if e.actor_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    days: dict[str, list[str]] = {}
    for event in events:
        user = users.get(event.actor_id)
        unit = user.unit.name if user is not None and user.unit is not None else "承办单位"
        clause = _event_sentence(event.action, event.details or {}, unit)
        if clause:
            days.setdefault(local_time(event.at).date().isoformat(), []).append(clause)
    return [{"date": day, "text": "；".join(clauses) + "。"} for day, clauses in days.items()]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def statistics_table(start: date, end: date) -> dict:
    """Every lead unit's figures for the period, as the circular's table."""
    stats = unit_statistics(start, end, "unit")
    rows = [[r.label, r.due, r.closed, r.on_time, r.overdue_now, r.reminders,
             _pct(r.closing_rate), _pct(r.on_time_rate)] for r in [*stats.rows, stats.totals]]
    return {
        "title": "督办事项办理情况统计表",
        "columns": ["单位", "到期", "办结", "按期办结", "当前逾期", "催办", "报结率", "按期办结率"],
        "rows": rows,
        "totals": stats.totals,
        "lines": stats.rows,
    }


def circular_charts(lines: list, totals, today: date) -> list[dict]:
    """The circular's charts (doc_templates/README.md): 报结率 and 按期办结率 by unit, from the
    very lines of its table (the same figures, the same text), and the items overdue now by
    days overdue (their total is the table's 当前逾期)."""
    from webapp.supervision.figures import overdue_by_bucket

    by_unit = [{"label": r.label, "bars": [
        {"value": round(r.closing_rate or 0, 4), "text": _pct(r.closing_rate)},
        {"value": round(r.on_time_rate or 0, 4), "text": _pct(r.on_time_rate)}]}
        for r in lines if r.due or r.closed]
    buckets = overdue_by_bucket(today)
    overdue = [{"label": b.label, "bars": [{"value": n, "text": f"{n}件"}]}
               for b, n in buckets.items()]
    spelled = "，".join(f"{b.label}{n}件" for b, n in buckets.items())
    total = sum(buckets.values())
    return [
        {"title": "各单位报结率与按期办结率", "series": ["报结率", "按期办结率"], "max": 1,
         "rows": by_unit,
         "text": "各单位报结率（办结数÷到期数）与按期办结率（按期办结数÷办结数）见上表，"
                 "图中数值与表中一致。" if by_unit else "本期间没有到期的督办事项。"},
        {"title": f"逾期未办结事项按逾期天数（截至{cn_date(today.isoformat())}）",
         "series": ["逾期事项"], "max": None, "rows": overdue,
         "text": f"截至{cn_date(today.isoformat())}，全局逾期未办结事项{total}件，其中{spelled}。"
         if total else f"截至{cn_date(today.isoformat())}，全局没有逾期未办结的事项。"},
    ]


def circular_data(settings: IssuerSettings, *, start: date, end: date, today: date,
                  summary: str | None, requirements: str | None,
                  praised: list[dict], criticised: list[dict], charts: bool = False) -> dict:
    """通报 for a period: the office's summary, praised and criticised units with the office's
    reasons, every unit's figures (and, when chosen, charts of them), and the published
    inspections' findings."""
    table = statistics_table(start, end)
    totals = table.pop("totals")
    lines = table.pop("lines")
    if not summary:
        summary = (
            f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日，"
            f"全局到期督办事项{totals.due}件，已办结{totals.closed}件，其中按期办结"
            f"{totals.on_time}件，报结率{_pct(totals.closing_rate)}；"
            f"目前逾期未办结{totals.overdue_now}件，期间催办{totals.reminders}次。"
        )
    title = circular_title(start, end)
    extra = {"charts": circular_charts(lines, totals, today)} if charts else {}
    return common(settings, title=title, recipients=["各单位"], today=today) | extra | {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "summary": summary,
        "praised": praised,
        "criticised": criticised,
        "table": table,
        "findings": inspection_findings(start, end),
        "requirements": requirements or "",
    }


def inspection_findings(start: date, end: date) -> list[dict]:
    """Findings of inspections published in the period (empty if inspections are absent)."""
    try:
        from webapp.documents import inspection_data
    except ImportError:  # pragma: no cover - the inspections domain is optional here
        return []
    return inspection_data.findings_for_period(start, end)


# --- the builders of the kind table (webapp/documents/kinds.py): Source -> data ------------


def build_notice(source: Source) -> dict:
    return notice_data(source.item, source.settings, today=source.today)


def build_reminder(source: Source) -> dict:
    return reminder_data(source.item, source.settings, today=source.today,
                         new_due_date=source.options.new_due_date)


def build_closing_report(source: Source) -> dict:
    return closing_report_data(source.item, source.settings, today=source.today)


def _named_units(rows: list[dict], label: str, key: str) -> list[dict]:
    from webapp.extensions import db
    from webapp.org.models import Unit

    if len(rows) > MAX_UNITS_NAMED:
        raise InvalidInput(f"{label}单位不能超过 {MAX_UNITS_NAMED} 个", field=key)
    result, seen = [], set()
    for row in rows:
        unit_id = row.get("unit_id")
        unit = db.session.get(Unit, parse_id(unit_id, field=key, label=f"{label}单位"))
        if unit is None:
            raise InvalidInput(f"{label}单位不存在", field=key)
        if unit.id in seen:
            raise InvalidInput(f"{label}单位“{unit.name}”重复", field=key)
        seen.add(unit.id)
        reason = clean_text(row.get("reason"), field=key, label=f"{label}“{unit.name}”的理由",
                            max_len=LONG)
        result.append({"unit": unit.name, "reason": reason})
    return result


def build_circular(source: Source) -> dict:
    """The 通报 from the office's choices, checked: a period, texts, named units."""
    from webapp.supervision.stats import check_period

    options = source.options
    if options.start is None or options.end is None:
        raise InvalidInput("请选择通报的统计期间", field="start")
    check_period(options.start, options.end)
    summary = clean_text(options.summary, field="summary", label="总体情况",
                         required=False, max_len=LONG)
    requirements = clean_text(options.requirements, field="requirements",
                              label="工作要求", required=False, max_len=LONG)
    praised = _named_units(options.praised, "表扬", "praised")
    criticised = _named_units(options.criticised, "批评", "criticised")
    both = {p["unit"] for p in praised} & {c["unit"] for c in criticised}
    if both:
        raise InvalidInput(f"同一单位不能既表扬又批评：{'、'.join(sorted(both))}",
                           field="criticised")
    return circular_data(source.settings, start=options.start, end=options.end,
                         today=source.today, summary=summary, requirements=requirements,
                         praised=praised, criticised=criticised, charts=bool(options.charts))


def inspection_of(options: Options):
    """The published inspection a record is about (422 / 409 otherwise)."""
    from webapp.extensions import db
    from webapp.inspections.models import Inspection, InspectionState

    inspection = db.session.get(Inspection, options.inspection_id or 0)
    if inspection is None:
        raise InvalidInput("检查记录不存在", field="inspection")
    if inspection.state != InspectionState.PUBLISHED:
        raise StateConflict("检查结果发布后才能印发暗访检查记录", code="invalid_state")
    return inspection
