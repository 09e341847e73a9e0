"""The item pages through a real client: who sees what, the whole life cycle driven through the
HTML forms, bad input refused with a Chinese message and nothing saved, CSRF and escaping."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from webapp.auth.models import User
from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision.models import (
    ExtensionRequest,
    Feedback,
    FeedbackAttachment,
    Instruction,
    SupervisionItem,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _today(app):
    with app.app_context():
        return local_today()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _item(app, code) -> dict:
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        return {"state": str(item.state), "due_date": item.due_date,
                "lead_unit_id": item.lead_unit_id, "feedback": len(item.feedback)}


def _client(app, persona):
    return login(app.test_client(), persona)


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _with_attachment(app, code) -> int:
    """Add a progress feedback with a PDF to the item (through the services); its id."""
    from webapp.media.files import ingest_file
    from webapp.supervision import services
    from webapp.supervision.models import FeedbackKind

    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        liaison = db.session.scalar(select(User).where(User.unit_id == item.lead_unit_id))
        info = ingest_file(io.BytesIO(PDF))
        fb = services.submit_feedback(item, actor=liaison, kind=FeedbackKind.PROGRESS,
                                      actions_taken="已排查", attachments=[("排查表.pdf", info)])
        db.session.commit()
        return fb.attachments[0].id


# --- who sees which page ----------------------------------------------------------------------


def test_every_page_renders_for_each_role_that_may_see_it(
        app, make_item, office, leader, admin, liaison_a):
    codes = {state: make_item(state) for state in
             ("registered", "assigned", "in_progress", "under_review", "closed", "cancelled")}
    for persona in (office, leader, admin):
        c = _client(app, persona)
        listing = _text(c.get("/items/"))
        assert all(code in listing for code in codes.values())
        for code in codes.values():
            resp = c.get(f"/items/{code}")
            assert resp.status_code == 200, (persona.username, code)
            assert "时间线" in _text(resp)
        assert c.get("/items/new").status_code == (200 if persona is office else 403)
    c = _client(app, liaison_a)
    listing = _text(c.get("/items/"))
    assert codes["in_progress"] in listing
    assert codes["registered"] not in listing  # not assigned to anyone yet
    assert c.get(f"/items/{codes['closed']}").status_code == 200
    assert c.get(f"/items/{codes['registered']}").status_code == 404
    assert c.get("/items/new").status_code == 403


def test_inspectors_are_sent_away_from_items(app, make_item, inspector):
    code = make_item("in_progress")
    c = _client(app, inspector)
    resp = c.get("/items/")
    assert resp.status_code == 403 and "督查员" in _text(resp)
    assert c.get(f"/items/{code}").status_code == 404


def test_anonymous_users_are_sent_to_login(client, make_item):
    code = make_item("assigned")
    assert client.get("/items/").status_code == 302
    resp = client.post(f"/items/{code}/acknowledge")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


ACTIONS = ["assign", "acknowledge", "hand-back", "hand-back/decide", "extension",
           "extension/decide", "feedback", "accept", "return", "remind", "cancel", "instruct"]


def test_liaison_of_another_unit_gets_404_everywhere(app, make_item, liaison_b):
    code = make_item("in_progress")
    attachment_id = _with_attachment(app, code)
    c = _client(app, liaison_b)
    assert c.get(f"/items/{code}").status_code == 404
    assert c.get(f"/items/{code}/attachments/{attachment_id}").status_code == 404
    for action in ACTIONS:
        resp = c.post(f"/items/{code}/{action}", data={"reason": "x", "kind": "final",
                                                       "actions_taken": "x", "result": "x"})
        assert resp.status_code == 404, action
    assert code not in _text(c.get("/items/"))
    assert _item(app, code)["feedback"] == 1  # nothing more was saved


def test_attachment_download_is_access_checked(app, make_item, office, liaison_a, units):
    code = make_item("in_progress")
    attachment_id = _with_attachment(app, code)
    other = make_item("in_progress")
    for persona in (office, liaison_a):
        resp = _client(app, persona).get(f"/items/{code}/attachments/{attachment_id}")
        assert resp.status_code == 200
        assert resp.data == PDF
        assert resp.headers["Content-Type"] == "application/pdf"
        assert resp.headers["Content-Disposition"].startswith("attachment;")
        assert "sandbox" in resp.headers["Content-Security-Policy"]
        resp.close()
    # The attachment id under another item's code is not found.
    assert _client(app, office).get(f"/items/{other}/attachments/{attachment_id}").status_code \
        == 404


def test_forms_shown_follow_role_state_and_lead_unit(app, make_item, office, leader, liaison_a,
                                                     liaison_b, units):
    assigned = make_item("assigned")
    helped = make_item("in_progress", lead_unit_id=units["B"].id,
                       assisting_unit_ids=[units["A"].id])
    page = _text(_client(app, liaison_a).get(f"/items/{assigned}"))
    assert f"/items/{assigned}/acknowledge" in page and f"/items/{assigned}/hand-back" in page
    assert f"/items/{assigned}/assign" not in page
    page = _text(_client(app, liaison_a).get(f"/items/{helped}"))
    assert "协办单位" in page and f"/items/{helped}/feedback" not in page
    assert f"/items/{helped}/feedback" in _text(_client(app, liaison_b).get(f"/items/{helped}"))
    page = _text(_client(app, office).get(f"/items/{assigned}"))
    assert f"/items/{assigned}/remind" in page and f"/items/{assigned}/cancel" in page
    assert f"/items/{assigned}/acknowledge" not in page
    assert f"/items/{assigned}/instruct" in _text(_client(app, leader).get(f"/items/{assigned}"))
    # The server decides, whatever the page showed: an assisting unit cannot submit feedback.
    resp = _client(app, liaison_a).post(f"/items/{helped}/feedback",
                                        data={"kind": "progress", "actions_taken": "x"})
    assert resp.status_code == 403 and "承办单位" in _text(resp)


# --- the life cycle through the forms ---------------------------------------------------------


def test_whole_life_cycle_through_the_forms(app, office, leader, liaison_a, units):
    today = _today(app)
    desk, unit, chief = _client(app, office), _client(app, liaison_a), _client(app, leader)

    resp = desk.post("/items/new", data={
        "source": "leader_instruction", "urgency": "urgent", "title": "接处警超时问题整改",
        "content": "部分警情出警超过规定时限。", "instruction_text": "请城关所限期整改。",
        "instruction_leader": "李局长", "instruction_date": today.isoformat()})
    assert resp.status_code == 302
    code = resp.headers["Location"].rsplit("/", 1)[1]
    assert _item(app, code)["state"] == "registered"

    due = today + timedelta(days=5)
    resp = desk.post(f"/items/{code}/assign", data={
        "lead_unit": units["A"].id, "assisting_units": [units["W"].id], "due_date": due,
        "supervising_leader": "李局长", "first_responsible": "张所长",
        "direct_responsible": "李副所长"}, follow_redirects=True)
    assert resp.status_code == 200 and "已交办" in _text(resp)
    assert _item(app, code)["state"] == "assigned"

    assert unit.post(f"/items/{code}/acknowledge").status_code == 302
    assert _item(app, code)["state"] == "in_progress"

    later = today + timedelta(days=20)
    assert unit.post(f"/items/{code}/extension", data={
        "new_due_date": later.isoformat(), "reason": "需协调户政窗口数据"}).status_code == 302
    assert chief.post(f"/items/{code}/extension/decide",
                      data={"decision": "approve", "note": "同意"}).status_code == 302
    assert _item(app, code)["due_date"] == later

    resp = unit.post(f"/items/{code}/feedback", data={
        "kind": "final", "actions_taken": "调整排班，增加备勤警力。",
        "result": "出警超时问题已解决。",
        "completed": "yes", "evidence": [(io.BytesIO(PDF), "整改报告.pdf")]},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    assert _item(app, code)["state"] == "under_review"
    assert _count(app, FeedbackAttachment) == 1

    assert desk.post(f"/items/{code}/return",
                     data={"reason": "缺少出警记录统计",
                                                  "category": "too_brief"}).status_code == 302
    assert _item(app, code)["state"] == "in_progress"
    assert unit.post(f"/items/{code}/feedback", data={
        "kind": "final", "actions_taken": "补充十月出警记录统计。",
        "result": "平均出警时间 8 分钟。",
        "completed": "yes"}).status_code == 302
    resp = desk.post(f"/items/{code}/accept", data={"opinion": "整改到位"},
                     follow_redirects=True)
    assert "事项已办结" in _text(resp)
    assert _item(app, code)["state"] == "closed"

    page = _text(desk.get(f"/items/{code}"))
    timeline = page[page.index("时间线"):]
    steps = ["登记", "交办", "签收", "申请延期", "同意延期", "办结反馈", "退回重办",
             "办结反馈", "审核通过"]
    found = re.findall(r"<strong>([^<]+)</strong> · ", timeline)
    assert found == steps
    assert "王督办（督办员）" in timeline and "陈联络（联络员）" in timeline
    assert "李局长（局领导）" in timeline and "缺少出警记录统计" in timeline
    assert "整改报告.pdf" in page


def test_hand_back_reminder_instruction_and_cancel_through_forms(
        app, make_item, office, leader, liaison_a, units):
    code = make_item("assigned")
    desk, unit = _client(app, office), _client(app, liaison_a)
    assert unit.post(f"/items/{code}/hand-back", data={"reason": "属交警职责"}).status_code == 302
    resp = desk.post(f"/items/{code}/hand-back/decide",
                     data={"decision": "approve", "new_lead_unit": units["B"].id})
    assert resp.status_code == 302
    assert _item(app, code)["lead_unit_id"] == units["B"].id
    assert unit.get(f"/items/{code}").status_code == 404  # no longer theirs
    assert desk.post(f"/items/{code}/remind",
                     data={"channel": "phone", "note": "电话催刘联络"}).status_code == 302
    assert _client(app, leader).post(f"/items/{code}/instruct",
                                     data={"text": "抓紧办理"}).status_code == 302
    assert _count(app, Instruction) == 1
    assert desk.post(f"/items/{code}/cancel", data={"reason": "重复登记"}).status_code == 302
    page = _text(desk.get(f"/items/{code}"))
    assert "已撤销" in page and "电话催办" in page and "同意退回并转办" in page


# --- bad input ---------------------------------------------------------------------------------


def test_register_refusals_keep_typed_values_and_save_nothing(app, office):
    desk = _client(app, office)
    base = {"source": "complaint", "title": "户籍窗口排队", "content": "群众反映排队久"}
    cases = [
        ({**base, "title": ""}, 422, "请填写标题"),
        ({**base, "source": "nonsense"}, 422, "事项来源的取值无效"),
        ({**base, "content": "a" * 6000}, 422, "不能超过 5000 个字"),
        ({**base, "title": "户籍\x07窗口"}, 422, "控制字符"),
        ({**base, "source": "leader_instruction"}, 422, "请填写批示内容"),
        ({**base, "instruction_text": "阅", "instruction_leader": "李局长",
          "instruction_date": "2026-13-01"}, 422, "批示日期不是有效日期"),
        ({**base, "content": "字" * (10 * 1024 * 1024)}, 413, "太大"),
    ]
    for data, status, message in cases:
        resp = desk.post("/items/new", data=data)
        assert resp.status_code == status, message
        assert message in _text(resp)
    resp = desk.post("/items/new", data={**base, "title": ""})
    assert 'value="户籍窗口排队"' not in _text(resp)  # the empty title stays empty …
    assert re.search(r'<input name="title"[^>]*aria-invalid="true"', _text(resp))
    assert "群众反映排队久" in _text(resp)  # … and what was typed is kept
    assert _count(app, SupervisionItem) == 0


def test_action_refusals_show_the_message_and_change_nothing(app, make_item, office, liaison_a,
                                                              units):
    registered, working = make_item("registered"), make_item("in_progress")
    desk, unit = _client(app, office), _client(app, liaison_a)
    yesterday = (_today(app) - timedelta(days=1)).isoformat()
    resp = desk.post(f"/items/{registered}/assign", data={
        "lead_unit": units["A"].id, "due_date": yesterday, "first_responsible": "张所长",
        "direct_responsible": "李副所长"})
    assert resp.status_code == 422 and "办理时限不能早于今天" in _text(resp)
    assert 'value="张所长"' in _text(resp)  # typed values kept in the re-shown form
    assert 'id="act-assign" open' in _text(resp)  # … which is open
    assert _item(app, registered)["state"] == "registered"
    resp = desk.post(f"/items/{registered}/assign", data={"due_date": "2030-01-01"})
    assert resp.status_code == 422 and "请选择承办单位" in _text(resp)
    resp = unit.post(f"/items/{working}/extension", data={"new_due_date": yesterday,
                                                          "reason": "x"})
    assert resp.status_code == 422 and "必须晚于现在的办理时限" in _text(resp)
    assert _count(app, ExtensionRequest) == 0
    resp = unit.post(f"/items/{working}/feedback", data={"kind": "final", "actions_taken": "x"})
    assert resp.status_code == 422 and "请填写办理结果" in _text(resp)
    resp = desk.post(f"/items/{working}/accept")
    assert resp.status_code == 409 and "不能执行“审核通过”" in _text(resp)
    resp = unit.post(f"/items/{working}/remind", data={"channel": "phone"})
    assert resp.status_code == 403
    assert _count(app, Feedback) == 0
    assert _item(app, working)["state"] == "in_progress"


def test_wrong_evidence_type_saves_nothing(app, make_item, liaison_a):
    code = make_item("in_progress")
    resp = _client(app, liaison_a).post(f"/items/{code}/feedback", data={
        "kind": "final", "actions_taken": "已整改", "result": "已完成", "completed": "yes",
        "evidence": [(io.BytesIO(PDF), "好.pdf"),
                     (io.BytesIO(b"MZ\x90\x00 not a document at all" * 4), "报告.pdf")]},
        content_type="multipart/form-data")
    assert resp.status_code == 415
    assert "不支持的文件类型" in _text(resp)
    assert "已整改" in _text(resp)  # the typed text is still in the form
    assert _count(app, Feedback) == 0 and _count(app, FeedbackAttachment) == 0
    assert _item(app, code)["state"] == "in_progress"


def test_bad_list_filters_are_a_422_page(app, office):
    resp = _client(app, office).get("/items/?light=purple")
    assert resp.status_code == 422 and "红黄绿灯的取值无效" in _text(resp)
    assert _client(app, office).get("/items/?due_from=yesterday").status_code == 422


def test_list_filters_and_pagination(app, make_item, office, units):
    today = _today(app)
    red = make_item("in_progress", due_date=today - timedelta(days=3), title="电动车盗窃积压")
    for _ in range(3):
        make_item("assigned", lead_unit_id=units["B"].id)
    c = _client(app, office)
    page = _text(c.get("/items/?light=red"))
    assert red in page and "红灯（逾期）" in page and "共 1 项" in page
    page = _text(c.get(f"/items/?unit={units['B'].id}&state=assigned&state=closed&per_page=2"))
    assert "共 3 项" in page and "第 1 / 2 页" in page
    assert "page=2" in page and "state=closed" in page  # the pager keeps the filters


# --- CSRF and escaping ------------------------------------------------------------------------


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


@pytest.mark.usefixtures("csrf_on")
def test_csrf_is_enforced_on_forms(app, office):
    desk = app.test_client()
    token = _token(_text(desk.get("/login")))
    assert desk.post("/login", data={"username": office.username, "password": office.password,
                                     "csrf_token": token}).status_code == 302
    data = {"source": "complaint", "title": "标题", "content": "内容"}
    resp = desk.post("/items/new", data=data)
    assert resp.status_code == 400
    assert _count(app, SupervisionItem) == 0
    token = _token(_text(desk.get("/items/new")))
    assert desk.post("/items/new", data={**data, "csrf_token": token}).status_code == 302
    assert _count(app, SupervisionItem) == 1


def test_user_text_is_escaped(app, make_item, office):
    code = make_item("in_progress", title="<script>alert(1)</script>",
                     content="<img src=x onerror=alert(2)>")
    c = _client(app, office)
    for url in ("/items/", f"/items/{code}"):
        page = _text(c.get(url))
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in _text(c.get(f"/items/{code}"))
