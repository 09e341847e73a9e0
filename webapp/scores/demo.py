"""Demo 考核: a period over the demo items' months with a 表扬 and a 通报批评, scored live, and
one unit's 申诉 waiting for the office."""

from __future__ import annotations

from datetime import timedelta

from webapp.auth.models import User
from webapp.database import local_today
from webapp.org.models import Unit
from webapp.scores import compute, services
from webapp.scores.models import CitationKind


def load_demo_scores(units: dict[str, Unit], users: dict[str, User]) -> None:
    today = local_today()
    office = users["office"]
    services.add_citation(actor=office, unit_id=units["HZ"].id, kind=CitationKind.PRAISE,
                          cited_on=today - timedelta(days=10),
                          reason="户籍窗口推行预约办理，群众排队时间明显缩短",
                          doc_number="某公督〔2026〕8号")
    services.add_citation(actor=office, unit_id=units["JJDD"].id,
                          kind=CitationKind.CRITICISM, cited_on=today - timedelta(days=5),
                          reason="暗访发现夜间值班民警脱岗", doc_number="某公督〔2026〕9号")
    # whole months, as a bureau sets them: from the month three months back to this month's end
    start = (today - timedelta(days=90)).replace(day=1)
    end = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    name = f"演示考核周期（{start.year}年{start.month}月至{end.year}年{end.month}月）"
    period = services.create_period(actor=office, name=name, start_on=start, end_on=end,
                                    rules={})
    # the first liaison whose unit lost points files an appeal on its first deduction
    result = compute.result(period)
    liaisons = {u.unit_id: u for u in users.values() if u.unit_id is not None}
    for row in reversed(result.rows):  # lowest score first
        deduction = next((ln for ln in row.lines if ln.points < 0), None)
        if deduction is not None and row.unit_id in liaisons:
            services.file_appeal(period, actor=liaisons[row.unit_id], unit_id=row.unit_id,
                                 kind=deduction.kind,
                                 reason="其中一件已在到期前电话报告办理进展并申请延期，"
                                        "延期审批期间产生的逾期请予核减。")
            break
