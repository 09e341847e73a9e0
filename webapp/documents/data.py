"""The plain data each kind of document is rendered from (doc_templates/README.md), built from
the database: str, int, list, dict and None only — stored as the document's data_json."""

from __future__ import annotations

from datetime import date

from webapp.documents.models import DocumentKind, IssuerSettings
from webapp.documents.settings import cc_list
from webapp.errors import InvalidInput
from webapp.supervision.models import (
    CHANNEL_LABELS,
    FeedbackKind,
    ReviewState,
    SupervisionItem,
    Urgency,
)


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
        "source_label": item.source_label,
        "source_ref": item.source_ref or "",
        "urgency_label": "" if item.urgency == Urgency.NORMAL else item.urgency_label,
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
    """督办通知 to the item's lead unit."""
    lead = item.lead_unit.name if item.lead_unit else ""
    return common(settings, title=_title(item, "督办通知"), recipients=[lead], today=today) | {
        "item": item_part(item)}


def reminder_data(item: SupervisionItem, settings: IssuerSettings, *, today: date,
                  new_due_date: date | None = None) -> dict:
    """催办通知 for an overdue item: what was due, reminders so far, the new date."""
    if new_due_date is not None and new_due_date <= today:
        raise InvalidInput("新的办结时限应晚于今天", field="new_due_date")
    lead = item.lead_unit.name if item.lead_unit else ""
    reminders = [
        {"date": _local(r.created_at).isoformat(), "channel_label": CHANNEL_LABELS[r.channel],
         "note": r.note or ""}
        for r in item.reminders
    ]
    return common(settings, title=_title(item, "催办通知"), recipients=[lead], today=today) | {
        "item": item_part(item),
        "reminders": reminders,
        "days_overdue": max(0, (today - item.due_date).days) if item.due_date else 0,
        "new_due_date": _iso(new_due_date),
    }


def _local(moment) -> date:
    from webapp.database import local_date

    return local_date(moment)


def closing_report_data(item: SupervisionItem, settings: IssuerSettings, *,
                        today: date) -> dict:
    """办结报告 of a closed item: timeline, final feedback, review opinion, sign-off."""
    from webapp.auth.models import User
    from webapp.extensions import db
    from webapp.supervision.timeline import item_timeline

    final = [f for f in item.feedback
             if f.kind == FeedbackKind.FINAL and f.review_state == ReviewState.ACCEPTED]
    feedback = final[-1] if final else None
    reviewer = db.session.get(User, feedback.reviewed_by_id) if feedback and \
        feedback.reviewed_by_id else None
    timeline = []
    for entry in item_timeline(item.code):
        text = entry.label + "".join(f"，{k}：{v}" for k, v in entry.details[:3])
        timeline.append({"date": entry.at.date().isoformat(), "text": text})
    opinion = item.review_opinion or (feedback.review_note if feedback else None) or "同意办结。"
    return common(settings, title=_title(item, "办结报告"), recipients=[], today=today) | {
        "item": item_part(item),
        "timeline": timeline,
        "feedback": {
            "actions_taken": feedback.actions_taken if feedback else "",
            "result": (feedback.result or "") if feedback else "",
        },
        "review_opinion": opinion,
        "reviewer": " ".join(x for x in (settings.printer or "", reviewer.name if reviewer
                                         else "") if x),
        "closed_date": _iso(item.closed_on) or today.isoformat(),
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def statistics_table(start: date, end: date) -> dict:
    """Every lead unit's figures for the period, as the circular's table."""
    from webapp.supervision.stats import unit_statistics

    stats = unit_statistics(start, end, "unit")
    rows = [[r.label, r.due, r.closed, r.on_time, r.overdue_now, r.reminders,
             _pct(r.closing_rate), _pct(r.on_time_rate)] for r in [*stats.rows, stats.totals]]
    return {
        "title": "督办事项办理情况统计表",
        "columns": ["单位", "到期", "办结", "按期办结", "当前逾期", "催办", "报结率", "按期办结率"],
        "rows": rows,
        "totals": stats.totals,
    }


def circular_data(settings: IssuerSettings, *, start: date, end: date, today: date,
                  summary: str | None, requirements: str | None,
                  praised: list[dict], criticised: list[dict]) -> dict:
    """通报 for a period: the office's summary, praised and criticised units with the office's
    reasons, every unit's figures, and the published inspections' findings."""
    table = statistics_table(start, end)
    totals = table.pop("totals")
    if not summary:
        summary = (
            f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日，"
            f"全局到期督办事项{totals.due}件，已办结{totals.closed}件，其中按期办结"
            f"{totals.on_time}件，报结率{_pct(totals.closing_rate)}；"
            f"目前逾期未办结{totals.overdue_now}件，期间催办{totals.reminders}次。"
        )
    title = circular_title(start, end)
    return common(settings, title=title, recipients=["各单位"], today=today) | {
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


BUILDERS = {
    DocumentKind.NOTICE: notice_data,
    DocumentKind.REMINDER: reminder_data,
    DocumentKind.CLOSING_REPORT: closing_report_data,
}
