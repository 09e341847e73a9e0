"""考核: scores and reasons from the items, who sees what, appeals, freezing, the Excel."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from tests.helpers import login
from tests.scores.conftest import day, item
from webapp.audit.models import AuditEvent
from webapp.auth.models import User
from webapp.extensions import db
from webapp.scores import services
from webapp.scores.models import ScoreAppeal, ScorePeriod, ScoreSnapshot
from webapp.supervision.models import ItemUnitChange


def _scores(client, headers, period_id):
    resp = client.get(f"/api/v1/score-periods/{period_id}", headers=headers)
    assert resp.status_code == 200, resp.json
    return {s["unit"]: s for s in resp.json["scores"]}


def _points(score):
    return {ln["kind"]: ln["effective_points"] for ln in score["lines"]}


def test_scores_and_reasons_follow_the_rules(client, scored, office, api_headers):
    scores = _scores(client, api_headers(office), scored["period"])
    a, b, w = scores["城关派出所"], scores["交警大队"], scores["户政服务窗口"]
    assert _points(a) == {"overdue": -4.0, "praise": 2.0, "early_close": 0.5}  # 2 + 4 × 0.5
    assert _points(b) == {"returned": -1.0, "criticism": -3.0}
    assert (a["total"], b["total"], w["total"]) == (98.5, 96.0, 100.0)
    assert (w["rank"], a["rank"], b["rank"]) == (1, 2, 3)
    overdue = next(ln for ln in a["lines"] if ln["kind"] == "overdue")
    assert overdue["count"] == 1 and "逾期 1 件，合计 4 天" in overdue["detail"]
    assert [e["item_code"] for e in overdue["entries"]] == [scored["late"]]
    brief = client.get(f"/api/v1/score-periods/{scored['period']}?items=false",
                       headers=api_headers(office)).json["scores"]
    assert [(s["unit"], s["total"]) for s in brief] == [
        (u, s["total"]) for u, s in scores.items()]
    assert all(ln["entries"] == [] and ln["count"] for s in brief for ln in s["lines"])
    praise = next(ln for ln in a["lines"] if ln["kind"] == "praise")
    assert praise["entries"][0]["item_code"] == scored["early"]
    assert "某公督〔2026〕3号" in praise["entries"][0]["note"]


def test_each_reason_opens_its_items(client, scored, office):
    login(client, office)
    pid = scored["period"]
    page = client.get(f"/scores/{pid}").get_data(as_text=True)
    with client.application.app_context():
        a_id = item(scored["late"]).lead_unit_id
        b_id = item(scored["returned"]).lead_unit_id
    assert f'/scores/{pid}/units/{a_id}/overdue"' in page
    overdue = client.get(f"/scores/{pid}/units/{a_id}/overdue")
    text = overdue.get_data(as_text=True)
    assert overdue.status_code == 200
    assert f'href="/items/{scored["late"]}"' in text and "逾期 4 天" in text
    assert scored["other"] not in text and scored["early"] not in text
    early = client.get(f"/scores/{pid}/units/{a_id}/early_close").get_data(as_text=True)
    assert f'href="/items/{scored["early"]}"' in early and scored["late"] not in early
    returned = client.get(f"/scores/{pid}/units/{b_id}/returned").get_data(as_text=True)
    assert f'href="/items/{scored["returned"]}"' in returned
    assert client.get(f"/scores/{pid}/units/{b_id}/overdue").status_code == 404  # none


def test_a_liaison_sees_only_their_own_unit(client, scored, liaison_a, api_headers, units):
    pid = scored["period"]
    scores = _scores(client, api_headers(liaison_a), pid)
    assert list(scores) == ["城关派出所"]
    login(client, liaison_a)
    page = client.get(f"/scores/{pid}")
    assert page.status_code == 200 and "城关派出所" in page.get_data(as_text=True)
    assert "交警大队" not in page.get_data(as_text=True)
    b = units["B"].id
    assert client.get(f"/scores/{pid}/units/{b}").status_code == 404
    assert client.get(f"/scores/{pid}/units/{b}/returned").status_code == 404
    wb = load_workbook(BytesIO(client.get(f"/scores/{pid}/export.xlsx").data))
    names = [r[1] for r in wb["考核得分"].iter_rows(min_row=3, values_only=True)]
    assert names == ["城关派出所"]
    resp = client.post(f"/api/v1/score-periods/{pid}/appeals", headers=api_headers(liaison_a),
                       json={"unit_id": b, "kind": "criticism", "reason": "替别的单位申诉"})
    assert resp.status_code == 404


def test_an_inspector_sees_no_scores(client, scored, inspector, api_headers):
    resp = client.get("/api/v1/score-periods", headers=api_headers(inspector))
    assert resp.status_code == 403 and resp.json["error"]["message"].startswith("考核结果")
    login(client, inspector)
    assert client.get(f"/scores/{scored['period']}").status_code == 403


def test_an_appeal_changes_the_score_only_through_a_decision(app, client, scored, liaison_a,
                                                             office, leader, api_headers):
    pid, la = scored["period"], api_headers(liaison_a)
    resp = client.post(f"/api/v1/score-periods/{pid}/appeals", headers=la,
                       json={"kind": "overdue", "reason": "到期前已电话报告延期，系审批延误"})
    assert resp.status_code == 201, resp.json
    appeal = resp.json
    assert appeal["state"] == "pending" and appeal["points_before"] == -4.0
    assert _scores(client, api_headers(office), pid)["城关派出所"]["total"] == 98.5  # filed only
    again = client.post(f"/api/v1/score-periods/{pid}/appeals", headers=la,
                        json={"kind": "overdue", "reason": "再次申诉"})
    assert again.status_code == 409 and "待处理的申诉" in again.json["error"]["message"]
    # the unit cannot decide its own appeal
    refused = client.post(f"/api/v1/score-appeals/{appeal['id']}/decision", headers=la,
                          json={"accept": True, "points": 0, "comment": "自己采纳"})
    assert refused.status_code == 403
    ok = client.post(f"/api/v1/score-appeals/{appeal['id']}/decision",
                     headers=api_headers(leader),
                     json={"accept": True, "points": -1.5, "comment": "延误部分不扣分"})
    assert ok.status_code == 200 and ok.json["state"] == "accepted"
    a = _scores(client, api_headers(office), pid)["城关派出所"]
    overdue = next(ln for ln in a["lines"] if ln["kind"] == "overdue")
    assert (overdue["points"], overdue["effective_points"]) == (-4.0, -1.5)
    assert a["total"] == 101.0
    twice = client.post(f"/api/v1/score-appeals/{appeal['id']}/decision",
                        headers=api_headers(office),
                        json={"accept": False, "comment": "不予采纳"})
    assert twice.status_code == 409 and "已处理" in twice.json["error"]["message"]
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "score_appeal").order_by(AuditEvent.id)).all()
    assert actions == ["score_appeal_file", "score_appeal_decide"]


def test_a_rejected_appeal_leaves_the_score(client, scored, liaison_a, office, api_headers):
    pid = scored["period"]
    appeal = client.post(f"/api/v1/score-periods/{pid}/appeals", headers=api_headers(liaison_a),
                         json={"kind": "praise", "reason": "应加更多分"}).json
    resp = client.post(f"/api/v1/score-appeals/{appeal['id']}/decision",
                       headers=api_headers(office),
                       json={"accept": False, "comment": "按规则计分"})
    assert resp.status_code == 200 and resp.json["state"] == "rejected"
    assert _scores(client, api_headers(office), pid)["城关派出所"]["total"] == 98.5


def test_appeal_and_decision_through_the_pages(client, app, scored, liaison_a, office):
    pid = scored["period"]
    login(client, liaison_a)
    unit = client.get(f"/scores/{pid}").get_data(as_text=True)
    assert "提出申诉" in unit
    resp = client.post(f"/scores/{pid}/units/{liaison_a.unit_id}/appeals",
                       data={"kind": "overdue", "reason": "系审核期间产生"})
    assert resp.status_code == 302
    with app.app_context():
        appeal_id = services.get_appeal(1, db.session.get(User, office.id)).id
    office_client = login(app.test_client(), office)
    page = office_client.get(f"/scores/{pid}/units/{liaison_a.unit_id}").get_data(as_text=True)
    assert "系审核期间产生" in page and "提交处理意见" in page
    bad = office_client.post(f"/scores/appeals/{appeal_id}/decide",
                             data={"accept": "1", "points": "", "comment": "采纳"})
    assert bad.status_code == 422 and "请填写调整后的分值" in bad.get_data(as_text=True)
    ok = office_client.post(f"/scores/appeals/{appeal_id}/decide",
                            data={"accept": "1", "points": "-2", "comment": "部分采纳"})
    assert ok.status_code == 302
    page = office_client.get(f"/scores/{pid}/units/{liaison_a.unit_id}").get_data(as_text=True)
    assert "申诉采纳，原为 -4" in page and "100.5" in page


def test_a_frozen_period_survives_later_changes(app, client, scored, make_item, make_period,
                                                office, api_headers):
    pid, headers = scored["period"], api_headers(office)
    live_pid = make_period(name="对照周期")
    before = _scores(client, headers, pid)
    resp = client.post(f"/api/v1/score-periods/{pid}/freeze", headers=headers)
    assert resp.status_code == 200 and resp.json["live"] is False
    assert client.post(f"/api/v1/score-periods/{pid}/freeze", headers=headers).status_code == 409
    # later: another item of A falls overdue, and one not yet due is found due long ago
    today = day(app)
    make_item("in_progress", title="后来逾期", due_date=today - timedelta(days=2))
    with app.app_context():
        item(scored["other"]).due_date = today - timedelta(days=30)
        db.session.commit()
    frozen = _scores(client, headers, pid)
    assert {u: s["total"] for u, s in frozen.items()} == {u: s["total"] for u, s in before.items()}
    assert {u: s["lines"] for u, s in frozen.items()} == {u: s["lines"] for u, s in before.items()}
    live = _scores(client, headers, live_pid)["城关派出所"]
    assert live["total"] < before["城关派出所"]["total"]  # the unfrozen period moved
    # recomputing is explicit, office/admin only, and on the record
    resp = client.post(f"/api/v1/score-periods/{pid}/recompute", headers=headers)
    assert resp.status_code == 200, resp.json
    a_id = str(frozen["城关派出所"]["unit_id"])
    assert resp.json["changed"][a_id]["before"] == 98.5
    assert resp.json["changed"][a_id]["after"] == live["total"]
    assert _scores(client, headers, pid)["城关派出所"]["total"] == live["total"]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "score_period_recompute"))
        assert event.details["changed"][a_id]["before"] == 98.5


def test_recompute_is_for_office_and_admin_of_frozen_periods(client, scored, leader, office,
                                                             api_headers):
    pid = scored["period"]
    resp = client.post(f"/api/v1/score-periods/{pid}/recompute", headers=api_headers(office))
    assert resp.status_code == 409 and "实时计算" in resp.json["error"]["message"]
    resp = client.post(f"/api/v1/score-periods/{pid}/freeze", headers=api_headers(leader))
    assert resp.status_code == 403


def test_an_item_moved_after_its_due_date_counts_for_the_unit_that_had_it(
        app, client, make_item, make_period, units, office, api_headers):
    today = day(app)
    code = make_item("in_progress", due_date=today - timedelta(days=6))
    with app.app_context():
        moved = item(code)
        moved.lead_unit_id = units["B"].id
        db.session.add(ItemUnitChange(item_id=moved.id, from_unit_id=units["A"].id,
                                      to_unit_id=units["B"].id,
                                      changed_on=today - timedelta(days=1)))
        db.session.commit()
    scores = _scores(client, api_headers(office), make_period())
    assert _points(scores["城关派出所"]) == {"overdue": -5.0}  # 2 + 6 × 0.5 = 5, the cap
    assert _points(scores["交警大队"]) == {}


def test_sub_items_count_for_their_units_and_the_split_parent_for_none(
        app, client, make_item, make_period, office, api_headers):
    parent = make_item("split")
    with app.app_context():
        for child in item(parent).children:
            child.due_date = day(app) - timedelta(days=1)
        item(parent).due_date = day(app) - timedelta(days=1)
        db.session.commit()
    scores = _scores(client, api_headers(office), make_period())
    assert _points(scores["城关派出所"]) == {"overdue": -2.5}
    assert _points(scores["交警大队"]) == {"overdue": -2.5}
    codes = [e["item_code"] for s in scores.values() for ln in s["lines"] for e in ln["entries"]]
    assert parent not in codes and len(codes) == 2


def _cells(row_html: str) -> list[str]:
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row_html, re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def test_the_excel_equals_the_screen(client, scored, office):
    from webapp.scores.rules import fmt

    login(client, office)
    pid = scored["period"]
    html = client.get(f"/scores/{pid}").get_data(as_text=True)
    body = html.split('<table class="scores">')[1].split("</table>")[0]
    head = _cells(body.split("<tbody>")[0])
    screen = [_cells(r) for r in body.split("<tbody>")[1].split("</tr>") if "<td" in r]
    resp = client.get(f"/scores/{pid}/export.xlsx")
    assert resp.status_code == 200
    ws = load_workbook(BytesIO(resp.data))["考核得分"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[1]) == head
    excel = [[str(r[0]), r[1], *("—" if v is None else fmt(v) for v in r[2:])] for r in rows[2:]]
    assert excel == screen and len(screen) == 3
    detail = load_workbook(BytesIO(resp.data))["扣分加分明细"]
    lines = {(r[0], r[1]): r[2] for r in detail.iter_rows(min_row=2, values_only=True)}
    assert lines[("城关派出所", "逾期")] == -4 and lines[("交警大队", "通报批评")] == -3


def test_bad_input_is_refused_in_chinese(client, scored, office, liaison_a, api_headers):
    headers = api_headers(office)
    resp = client.post("/api/v1/score-periods", headers=headers, json={
        "name": "倒置", "start_on": "2026-03-31", "end_on": "2026-03-01"})
    assert resp.status_code == 422 and resp.json["error"]["message"] == "结束日期不能早于开始日期"
    resp = client.post("/api/v1/score-periods", headers=headers, json={
        "name": "坏规则", "start_on": "2026-01-01", "end_on": "2026-03-31",
        "rules": {"overdue_day": -1}})
    assert resp.status_code == 422 and "逾期每天扣分" in resp.json["error"]["message"]
    resp = client.post("/api/v1/score-periods", headers=headers, json={
        "name": "2026年第四季度", "start_on": "2026-01-01", "end_on": "2026-03-31"})
    assert resp.status_code == 409 and "已有名为" in resp.json["error"]["message"]
    pid = scored["period"]
    resp = client.post(f"/api/v1/score-periods/{pid}/appeals", headers=api_headers(liaison_a),
                       json={"kind": "returned", "reason": "本单位没有被退回"})
    assert resp.status_code == 422 and "没有“反馈被退回重办”一项" in resp.json["error"]["message"]
    resp = client.post(f"/api/v1/score-periods/{pid}/appeals", headers=api_headers(liaison_a),
                       json={"kind": "overdue", "reason": " "})
    assert resp.status_code == 422 and "申诉理由" in resp.json["error"]["message"]
    assert client.get("/api/v1/score-periods/999", headers=headers).status_code == 404
    login(client, office)
    page = client.post("/scores", data={"name": "页面", "start_on": "2026-01-01",
                                         "end_on": "2026-02-01", "base": "一百"})
    assert page.status_code == 422 and "基础分应为数字" in page.get_data(as_text=True)
    page = client.post("/scores/citations", data={"unit_id": "", "kind": "praise",
                                                  "cited_on": "2026-01-05", "reason": "x"})
    assert page.status_code == 422 and "请选择单位" in page.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.scalar(select(db.func.count(ScorePeriod.id))) == 1


def test_rules_are_locked_once_frozen(client, scored, office, api_headers):
    login(client, office)
    pid = scored["period"]
    resp = client.post(f"/scores/{pid}/rules", data={"overdue_item": "3"})
    assert resp.status_code == 302
    assert _scores(client, api_headers(office), pid)["城关派出所"]["total"] == 97.5
    client.post(f"/scores/{pid}/freeze")
    resp = client.post(f"/scores/{pid}/rules", data={"overdue_item": "1"})
    assert resp.status_code == 409 and "已冻结" in resp.get_data(as_text=True)


def test_two_concurrent_freezes_freeze_once(app, scored, office, admin, api_headers):
    heads = [api_headers(office), api_headers(admin)]
    url = f"/api/v1/score-periods/{scored['period']}/freeze"
    barrier = threading.Barrier(2)
    statuses: list = [None, None]

    def freeze(i):
        c = app.test_client()
        barrier.wait()
        statuses[i] = c.post(url, headers=heads[i]).status_code

    threads = [threading.Thread(target=freeze, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [200, 409]
    with app.app_context():
        assert db.session.scalar(select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "score_period_freeze")) == 1
        assert db.session.scalar(select(db.func.count(ScoreSnapshot.id))) == 3


def test_two_concurrent_decisions_decide_once(app, scored, liaison_a, office, leader,
                                              api_headers):
    client = app.test_client()
    appeal = client.post(f"/api/v1/score-periods/{scored['period']}/appeals",
                         headers=api_headers(liaison_a),
                         json={"kind": "overdue", "reason": "请复核"}).json
    heads = [api_headers(office), api_headers(leader)]
    barrier = threading.Barrier(2)
    statuses: list = [None, None]

    def decide(i):
        c = app.test_client()
        barrier.wait()
        statuses[i] = c.post(f"/api/v1/score-appeals/{appeal['id']}/decision", headers=heads[i],
                             json={"accept": i == 0, "points": -1, "comment": f"处理{i}"}
                             ).status_code

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [200, 409]
    with app.app_context():
        count = db.session.scalar(select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "score_appeal_decide"))
    assert count == 1


def test_the_demo_has_a_period_with_results_and_an_appeal(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        period = db.session.scalar(select(ScorePeriod))
        appeal = db.session.scalar(select(ScoreAppeal))
        office = db.session.scalar(select(User).where(User.username == "office"))
        res = services.visible_result(period, office)
        assert appeal is not None and appeal.state == "pending"
        kinds = {ln.kind for r in res.rows for ln in r.lines}
        assert {"overdue", "praise", "criticism"} <= kinds
        assert len({r.total for r in res.rows}) > 2


def test_a_decision_adjusts_a_frozen_result_too(client, scored, liaison_a, office,
                                                api_headers):
    pid, headers = scored["period"], api_headers(office)
    assert client.post(f"/api/v1/score-periods/{pid}/freeze", headers=headers).status_code == 200
    appeal = client.post(f"/api/v1/score-periods/{pid}/appeals", headers=api_headers(liaison_a),
                         json={"kind": "overdue", "reason": "请复核逾期天数"}).json
    assert appeal["points_before"] == -4.0
    assert _scores(client, headers, pid)["城关派出所"]["total"] == 98.5
    resp = client.post(f"/api/v1/score-appeals/{appeal['id']}/decision", headers=headers,
                       json={"accept": True, "points": -3, "comment": "核减一天"})
    assert resp.status_code == 200
    assert _scores(client, headers, pid)["城关派出所"]["total"] == 99.5
