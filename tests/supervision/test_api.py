"""The supervision JSON API: the whole life cycle with a Bearer token, bad input answered with
a 4xx and nothing half-saved, evidence files, and CSRF for cookie-authenticated calls."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision.models import SupervisionItem

API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ROW_TABLES = ("supervision_item", "instruction", "item_assisting_unit", "hand_back_request",
              "extension_request", "feedback", "feedback_attachment", "reminder",
              "audit_event", "sequence_counter")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def rows(app):
    """Row counts of every supervision table (and the audit log and counters)."""

    def count() -> dict[str, int]:
        with app.app_context():
            return {t: db.session.scalar(text(f"SELECT count(*) FROM {t}"))  # noqa: S608
                    for t in ROW_TABLES}

    return count


def _future(app, days: int = 10) -> str:
    with app.app_context():
        return (local_today() + timedelta(days=days)).isoformat()


def _today(app) -> str:
    with app.app_context():
        return local_today().isoformat()


def _register_body(**extra) -> dict:
    return {"title": "整治城区主干道违停问题", "content": "群众反映主干道早晚高峰违停严重。",
            "source": "complaint", "urgency": "urgent", **extra}


def _assign_body(app, units, **extra) -> dict:
    return {"lead_unit_id": units["A"].id, "assisting_unit_ids": [units["W"].id],
            "supervising_leader": "李局长", "first_responsible": "张所长",
            "direct_responsible": "李副所长", "due_date": _future(app), **extra}


def _post(client, url, headers, body=None, **kw):
    return client.post(f"{API}{url}", headers=headers, json=body, **kw)


def _upload(client, code, headers, data: bytes, name="整改照片.pdf"):
    return client.post(f"{API}/items/{code}/attachments", data=data,
                       headers={**headers, "Content-Type": "application/octet-stream",
                                "X-Filename": quote(name)})


# --- the life cycle ------------------------------------------------------------------------


def test_full_life_cycle_through_the_api(app, client, as_, units):
    office, leader, unit = as_("office"), as_("leader"), as_("liaison_a")
    resp = _post(client, "/items", office, _register_body(
        source="leader_instruction",
        instruction={"text": "请交警大队牵头整治。", "leader": "李局长", "date": _today(app)}))
    assert resp.status_code == 201, resp.json
    code = resp.json["code"]
    assert resp.headers["Location"].endswith(f"{API}/items/{code}")
    assert resp.json["state"] == "registered"
    assert resp.json["instructions"][0]["leader"] == "李局长"
    assert "assign" in resp.json["allowed_actions"]

    resp = _post(client, f"/items/{code}/assign", office, _assign_body(app, units))
    assert resp.status_code == 200, resp.json
    assert resp.json["state"] == "assigned"
    assert resp.json["lead_unit"]["id"] == units["A"].id
    assert [u["id"] for u in resp.json["assisting_units"]] == [units["W"].id]
    assert resp.json["light"] == "green"

    detail = client.get(f"{API}/items/{code}", headers=unit).json
    assert detail["allowed_actions"] == ["acknowledge", "request_hand_back", "request_extension"]
    assert _post(client, f"/items/{code}/acknowledge", unit).json["state"] == "in_progress"

    resp = _post(client, f"/items/{code}/request_extension", unit,
                 {"new_due_date": _future(app, 20), "reason": "需协调城管部门"})
    assert resp.status_code == 200, resp.json
    assert resp.json["requests"]["extension"][0]["state"] == "pending"
    resp = _post(client, f"/items/{code}/decide_extension", leader, {"approve": True})
    assert resp.json["due_date"] == _future(app, 20)
    assert _post(client, f"/items/{code}/instruct", leader, {"text": "务必按期办结"}
                 ).status_code == 200
    assert _post(client, f"/items/{code}/remind", office, {"channel": "phone", "note": "电话催"}
                 ).json["reminders"][0]["channel"] == "phone"

    up = _upload(client, code, unit, PDF)
    assert up.status_code == 201, up.json
    assert up.json["content_type"] == "application/pdf"
    assert up.json["filename"] == "整改照片.pdf"
    resp = _post(client, f"/items/{code}/submit_progress", unit, {
        "actions_taken": "已清理违停车辆 120 辆", "completed": False,
        "not_done_reason": "夜间违停仍存在", "next_steps": "增加夜间巡查",
        "attachments": [{"sha256": up.json["upload_id"]}]})
    assert resp.status_code == 200, resp.json
    attachment = resp.json["feedback"][0]["attachments"][0]
    assert attachment["filename"] == "整改照片.pdf"
    assert attachment["size"] == len(PDF)

    final = {"actions_taken": "设置隔离护栏", "result": "违停明显减少"}
    assert _post(client, f"/items/{code}/submit_final", unit, final).json["state"] \
        == "under_review"
    assert _post(client, f"/items/{code}/return", office, {"reason": "请补充照片"}
                 ).json["state"] == "in_progress"
    assert _post(client, f"/items/{code}/submit_final", unit, final).status_code == 200
    resp = _post(client, f"/items/{code}/accept", office, {"opinion": "同意办结"})
    assert resp.status_code == 200, resp.json
    assert resp.json["state"] == "closed"
    assert resp.json["closed_on"] == _today(app)
    # 归档 happens by filing the signed scan (archive domain), not through an item endpoint.
    assert resp.json["allowed_actions"] == []

    # Anyone who sees the item may download its evidence; the bytes are the ones uploaded.
    for who in ("office", "liaison_a"):
        dl = client.get(f"{API}/items/{code}/attachments/{attachment['id']}", headers=as_(who))
        assert dl.status_code == 200
        assert dl.data == PDF
        assert dl.headers["Content-Type"] == "application/pdf"
        assert dl.headers["Content-Disposition"].startswith("attachment;")
        dl.close()

    timeline = client.get(f"{API}/items/{code}", headers=office).json["timeline"]
    labels = [e["label"] for e in timeline]
    assert labels[:3] == ["登记", "交办", "签收"]
    assert "同意延期" in labels and "上传附件" in labels and labels[-1] == "审核通过"
    assert all(set(e) == {"at", "action", "label", "actor", "details"} for e in timeline)
    assert timeline[0]["actor"] == {"name": "王督办", "role": "office"}
    assert "127.0.0.1" not in str(timeline)


def test_hand_back_moves_the_item_to_another_unit(app, client, as_, units, make_item):
    code = make_item("assigned")
    resp = _post(client, f"/items/{code}/request_hand_back", as_("liaison_a"),
                 {"reason": "不属于本所辖区"})
    assert resp.status_code == 200, resp.json
    resp = _post(client, f"/items/{code}/decide_hand_back", as_("office"),
                 {"approve": True, "new_lead_unit_id": units["B"].id, "note": "转交警大队"})
    assert resp.status_code == 200, resp.json
    assert resp.json["lead_unit"]["id"] == units["B"].id
    assert resp.json["state"] == "assigned"
    # Unit A no longer sees it; unit B does and acknowledges it.
    assert client.get(f"{API}/items/{code}", headers=as_("liaison_a")).status_code == 404
    resp = _post(client, f"/items/{code}/acknowledge", as_("liaison_b"))
    assert resp.status_code == 200
    assert resp.json["state"] == "in_progress"


def test_register_and_assign_in_one_call(app, client, as_, units):
    body = _register_body(assign=_assign_body(app, units))
    resp = _post(client, "/items", as_("office"), body)
    assert resp.status_code == 201, resp.json
    assert resp.json["state"] == "assigned"
    assert resp.json["first_responsible"] == "张所长"


def test_cancel(app, client, as_, make_item):
    code = make_item("in_progress")
    resp = _post(client, f"/items/{code}/cancel", as_("office"), {"reason": "重复登记"})
    assert resp.json["state"] == "cancelled"
    assert resp.json["cancel_reason"] == "重复登记"
    assert _post(client, f"/items/{code}/cancel", as_("office"), {"reason": "again"}
                 ).status_code == 409


# --- bad input: a 4xx, a JSON error, and nothing saved -------------------------------------


def _bad_register_cases(app, units):
    good_assign = _assign_body(app, units)
    return {
        "missing title": (_register_body(title=None), 422, "title"),
        "empty content": (_register_body(content="  "), 422, "content"),
        "unknown source": (_register_body(source="rumour"), 422, "source"),
        "title is a number": (_register_body(title=42), 400, "title"),
        "urgency is a list": (_register_body(urgency=["urgent"]), 400, "urgency"),
        "unknown field": (_register_body(colour="red"), 400, "colour"),
        "control character": (_register_body(title="违停\x07整治"), 422, "title"),
        "NUL in content": (_register_body(content="a\x00b"), 422, "content"),
        "lone surrogate": (_register_body(title="违停\ud800"), 422, "title"),
        "title on two lines": (_register_body(title="一\n二"), 422, "title"),
        "title too long": (_register_body(title="长" * 201), 422, "title"),
        "instruction without leader": (_register_body(
            source="leader_instruction", instruction={"text": "请办理", "date": _today(app)}),
            422, "instruction.leader"),
        "instruction is text": (_register_body(instruction="请办理"), 400, "instruction"),
        "assign: unknown unit": (_register_body(assign={**good_assign, "lead_unit_id": 999999}),
                                 422, "assign.lead_unit_id"),
        "assign: huge unit id": (_register_body(assign={**good_assign, "lead_unit_id": 2**70}),
                                 422, "assign.lead_unit_id"),
        "assign: unit id as text": (_register_body(
            assign={**good_assign, "lead_unit_id": "1; drop"}), 400, "assign.lead_unit_id"),
        "assign: due date in the past": (_register_body(
            assign={**good_assign, "due_date": "2001-01-01"}), 422, "assign.due_date"),
        "assign: not a date": (_register_body(assign={**good_assign, "due_date": "明天"}),
                               422, "assign.due_date"),
        "assign: no responsible": (_register_body(
            assign={**good_assign, "first_responsible": None}), 422,
            "assign.first_responsible"),
        "assign: unknown assisting unit": (_register_body(
            assign={**good_assign, "assisting_unit_ids": [units["B"].id, 999999]}),
            422, "assign.assisting_unit_ids"),
    }


def test_bad_register_bodies_save_nothing(app, client, as_, units, rows):
    office = as_("office")
    before = rows()
    for name, (body, status, field) in _bad_register_cases(app, units).items():
        resp = _post(client, "/items", office, body)
        assert resp.status_code == status, (name, resp.json)
        assert resp.json["error"]["field"] == field, name
        assert resp.json["error"]["message"], name
        assert rows() == before, name
    # The failed register+assign calls did not use up an item number.
    code = _post(client, "/items", office, _register_body()).json["code"]
    assert code.endswith("-001")


@pytest.mark.parametrize("raw", [
    b"not json", b"[1, 2, 3]", b"42", b'"title"', b"null", b"{", b"\xff\xfe",
    b'{"title": "x", "title": {"a": 1}}',
])
def test_malformed_bodies_are_400(client, as_, rows, units, raw):
    headers = {**as_("office"), "Content-Type": "application/json"}
    before = rows()
    resp = client.post(f"{API}/items", data=raw, headers=headers)
    assert resp.status_code == 400
    assert resp.json["error"]["code"] == "bad_request"
    assert rows() == before


def test_ten_megabytes_of_text_is_refused(app, client, as_, rows):
    office = as_("office")
    before = rows()
    resp = _post(client, "/items", office, _register_body(content="字" * 10_000_000))
    assert resp.status_code in (413, 422)
    assert resp.json["error"]["code"] in ("too_large", "invalid_input")
    assert rows() == before


def test_bad_action_bodies_save_nothing(app, client, as_, make_item, rows):
    code = make_item("in_progress")
    unit, office = as_("liaison_a"), as_("office")
    cases = [
        (unit, "request_extension", {"new_due_date": "2001-01-01", "reason": "x"}, 422),
        (unit, "request_extension", {"new_due_date": _future(app, 30)}, 422),
        (unit, "request_extension", {"new_due_date": 20270101, "reason": "x"}, 400),
        (unit, "submit_final", {"actions_taken": "做了", "completed": "yes"}, 400),
        (unit, "submit_final", {"actions_taken": "做了"}, 422),  # result is required
        (unit, "submit_final", {"actions_taken": "x" * 5001, "result": "ok"}, 422),
        (unit, "submit_progress", {"actions_taken": "做了", "attachments": "abc"}, 400),
        (unit, "submit_progress", {"actions_taken": "做了", "attachments": [{"sha256": 1}]},
         400),
        (unit, "submit_progress", {"actions_taken": "做了",
                                   "attachments": [{"sha256": "0" * 64}]}, 422),
        (unit, "submit_progress", {"actions_taken": "做了",
                                   "attachments": [{"filename": "a.pdf"}]}, 422),
        (unit, "submit_progress", {"actions_taken": "做了",
                                   "attachments": [{"sha256": "../../etc/passwd"}]}, 422),
        (office, "remind", {"channel": "pigeon"}, 422),
        (office, "remind", {}, 422),
        (office, "cancel", {"reason": ["a"]}, 400),
        (office, "cancel", [], 400),
        (office, "cancel", {"reason": "\x1b[31m"}, 422),
    ]
    before = rows()
    for headers, action, body, status in cases:
        resp = _post(client, f"/items/{code}/{action}", headers, body)
        assert resp.status_code == status, (action, body, resp.json)
        assert set(resp.json) == {"error"}
        assert rows() == before, (action, body)


@pytest.mark.parametrize("url", [
    "/items/{code}/destroy", "/items/{code}/archive", "/items/{code}/register",
    "/items/2026-99999", "/items/not-a-code", "/items/%00", "/items/{code}%00/accept",
    "/items/" + "9" * 300, "/items/{code}/attachments/99999999999999999999",
])
def test_unknown_things_are_404(client, as_, make_item, url):
    code = make_item("under_review")
    url = url.format(code=code)
    headers = as_("office")
    resp = client.post(f"{API}{url}", headers=headers, json={}) if "attachments" not in url \
        else client.get(f"{API}{url}", headers=headers)
    assert resp.status_code in (404, 405)
    assert "error" in resp.json
    assert client.get(f"{API}{url}", headers=headers).status_code in (404, 405)


@pytest.mark.parametrize(("query", "status"), [
    ("state=open", 422), ("light=purple", 422), ("due_from=yesterday", 422),
    ("q=%00", 422), ("q=a%0Ab", 422), ("page=99999999999999999999", 422),
    ("unit=99999999999999999999", 422), ("page=-3&per_page=abc", 200), ("q=%25_%5C", 200),
    ("unit=%C2%B2", 422), ("page=%D9%A1", 422), ("per_page=" + "9" * 5000, 422),
    ("unit=-1", 200), ("state=", 200), ("q=" + "字" * 6000, 422),
    ("source=complaint&state=in_progress&state=assigned&light=green", 200),
])
def test_list_query_garbage(client, as_, make_item, query, status):
    make_item("in_progress")
    for url in ("/items", "/items/count"):
        resp = client.get(f"{API}{url}?{query}", headers=as_("office"))
        assert resp.status_code == status, (url, resp.json)


def test_list_filters_and_pages(app, client, as_, make_item):
    codes = [make_item("in_progress"), make_item("registered"), make_item("assigned")]
    office = as_("office")
    page = client.get(f"{API}/items?state=in_progress&state=assigned&per_page=1",
                      headers=office).json
    assert page["total"] == 2 and page["pages"] == 2 and page["per_page"] == 1
    assert page["items"][0]["code"] == codes[2]
    assert set(page["items"][0]) >= {"code", "title", "state", "light", "lead_unit"}
    assert client.get(f"{API}/items?q={codes[1]}", headers=office).json["total"] == 1
    assert client.get(f"{API}/items/count?state=registered", headers=office).json == \
        {"total": 1}


# --- evidence files ---------------------------------------------------------------------


def _stored(app) -> list:
    from pathlib import Path

    root = Path(app.config["UPLOAD_ROOT"]) / "blobs"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(("data", "status"), [
    (b"GIF89a" + b"\0" * 64, 415),
    (b"<html><script>alert(1)</script></html>" * 3, 415),
    (b"MZ\x90\x00" + b"\0" * 100, 415),
    (b"%PDF-1.4 truncated, no end marker" * 3, 422),
    (b"", 422),
])
def test_wrong_evidence_files_are_refused(app, client, as_, make_item, rows, data, status):
    code, unit = make_item("in_progress"), as_("liaison_a")
    before = rows()
    resp = _upload(client, code, unit, data, name="evidence.png")
    assert resp.status_code == status, resp.json
    assert rows() == before
    assert _stored(app) == []


def test_evidence_type_comes_from_content(app, client, as_, make_item):
    code = make_item("in_progress")
    resp = _upload(client, code, as_("liaison_a"), _png(), name="report.pdf")
    assert resp.status_code == 201
    assert resp.json["content_type"] == "image/png"
    assert len(_stored(app)) == 1


def test_evidence_rules(app, client, as_, make_item, liaison_a, rows):
    code, other = make_item("in_progress"), make_item("in_progress")
    unit = as_("liaison_a")
    # Only the lead unit's liaison uploads, and only while feedback may be submitted.
    assert _upload(client, code, as_("office"), PDF).status_code == 403
    assert _upload(client, code, as_("liaison_b"), PDF).status_code == 404
    assert _upload(client, make_item("under_review"), unit, PDF).status_code == 409
    assert _upload(client, code, unit, PDF, name="bad\nname.pdf").status_code == 422
    bad_name = client.post(f"{API}/items/{code}/attachments", data=PDF,
                           headers={**unit, "X-Filename": "%FF%FE.pdf"})
    assert bad_name.status_code == 422
    # A blob uploaded for another item cannot be attached here (nor can a guessed hash).
    sha = _upload(client, other, unit, PDF).json["sha256"]
    before = rows()
    resp = _post(client, f"/items/{code}/submit_progress", unit,
                 {"actions_taken": "做了", "attachments": [{"sha256": sha}]})
    assert resp.status_code == 422
    assert resp.json["error"]["field"] == "attachments"
    assert rows() == before
    # The same blob uploaded for this item is fine; the filename given wins.
    assert _upload(client, code, unit, PDF).status_code == 201
    resp = _post(client, f"/items/{code}/submit_progress", unit,
                 {"actions_taken": "做了", "attachments": [{"sha256": sha.upper(),
                                                           "filename": "现场.pdf"}]})
    assert resp.status_code == 200, resp.json
    att = resp.json["feedback"][0]["attachments"][0]
    assert att["filename"] == "现场.pdf"
    # Another item's code cannot be used to download this attachment.
    assert client.get(f"{API}/items/{other}/attachments/{att['id']}",
                      headers=unit).status_code == 404


def test_upload_over_the_request_limit_is_413(app, client, as_, make_item, rows):
    code, unit = make_item("in_progress"), as_("liaison_a")
    before = rows()
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        resp = _upload(client, code, unit, PDF + b"0" * 2000)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert resp.status_code == 413
    assert resp.json["error"]["code"] == "too_large"
    assert rows() == before
    assert _stored(app) == []


# --- CSRF: cookie sessions need the header; Bearer clients do not -------------------------


def _csrf_login(client, persona) -> None:
    """Log in through the real form, with the CSRF token the login page carries."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    resp = client.post("/login", data={"username": persona.username,
                                       "password": persona.password,
                                       "csrf_token": token.group(1)})
    assert resp.status_code == 302


def test_session_api_calls_need_the_csrf_header(app, client, make_item, liaison_a, csrf_on,
                                                rows):
    code = make_item("assigned")
    _csrf_login(client, liaison_a)
    before = rows()
    resp = client.post(f"{API}/items/{code}/acknowledge", json={})
    assert resp.status_code == 400
    assert "error" in resp.json
    assert rows() == before
    csrf = client.get(f"{API}/csrf").json["csrf_token"]
    resp = client.post(f"{API}/items/{code}/acknowledge", json={},
                       headers={"X-CSRFToken": csrf})
    assert resp.status_code == 200, resp.json
    assert resp.json["state"] == "in_progress"


def test_bearer_calls_need_no_csrf(app, client, as_, make_item, csrf_on):
    code = make_item("assigned")
    headers = as_("liaison_a")  # the token endpoint itself is exempt too
    resp = _post(client, f"/items/{code}/acknowledge", headers)
    assert resp.status_code == 200, resp.json


def test_no_credentials_is_401(client, make_item):
    code = make_item("assigned")
    assert client.get(f"{API}/items").status_code == 401
    assert client.get(f"{API}/items/{code}").status_code == 401
    resp = client.post(f"{API}/items/{code}/acknowledge",
                       headers={"Authorization": "Bearer forged"})
    assert resp.status_code == 401


def test_responses_are_not_cached(client, as_, make_item):
    code = make_item("assigned")
    resp = client.get(f"{API}/items/{code}", headers=as_("office"))
    assert resp.headers["Cache-Control"] == "no-store"
    with client.application.app_context():
        assert db.session.scalar(select(func.count(SupervisionItem.id))) == 1


# --- garbage never makes a 500 -------------------------------------------------------------

GARBAGE = [0, -1, 2**64, 1.5, True, False, "", " ", "x" * 20_000, "\x00", "\ud800\udfff",
           "2026-02-30", "../../etc/passwd", [], [None], [0], [{}], {}, {"sha256": None},
           [{"sha256": "a" * 64, "filename": 5}], [2**40]]


def _fields(schema: dict, doc: dict) -> list[str]:
    return list(doc["components"]["schemas"][schema]["properties"])


@pytest.mark.parametrize("action", [
    "assign", "acknowledge", "request_hand_back", "decide_hand_back", "request_extension",
    "decide_extension", "submit_progress", "submit_final", "accept", "return", "remind",
    "cancel", "instruct", "register",
])
def test_garbage_in_every_field_is_a_4xx(app, client, as_, make_item, action):
    doc = client.get(f"{API}/openapi.json").json
    name = "".join(p.capitalize() for p in action.split("_")) + "Body"
    fields = _fields(name, doc)
    headers = {p: as_(p) for p in ("office", "leader", "liaison_a")}
    state = {"assign": "registered", "acknowledge": "assigned", "accept": "under_review",
             "return": "under_review"}.get(action, "in_progress")
    code = make_item(state)
    url = "/items" if action == "register" else f"/items/{code}/{action}"
    for field in fields or ["anything"]:
        for value in GARBAGE:
            for who in headers.values():
                resp = _post(client, url, who, {field: value})
                assert resp.status_code < 500, (action, field, value)
                assert resp.is_json
                if resp.status_code < 300:  # it happened to be acceptable: start again
                    code = make_item(state)
                    url = "/items" if action == "register" else f"/items/{code}/{action}"


def test_garbage_in_nested_register_fields_saves_nothing(app, client, as_, units, rows):
    office = as_("office")
    nested = {"assign": list(_assign_body(app, units)), "instruction": ["text", "leader", "date"]}
    for key, fields in nested.items():
        for field in fields:
            for value in GARBAGE:
                before = rows()
                resp = _post(client, "/items", office, _register_body(**{key: {field: value}}))
                assert resp.status_code < 500, (key, field, value)
                if resp.status_code >= 400:  # (an empty optional instruction is fine)
                    assert rows() == before, (key, field, value)


@pytest.mark.parametrize("name", ["%00.pdf", "a%0Ab.pdf", "%E2%80%AE.pdf", "x" * 300,
                                  "%C3%28", "..%2F..%2Fetc%2Fpasswd"])
def test_upload_filename_garbage(app, client, as_, make_item, name):
    code, unit = make_item("in_progress"), as_("liaison_a")
    resp = client.post(f"{API}/items/{code}/attachments", data=PDF,
                       headers={**unit, "X-Filename": name})
    assert resp.status_code in (201, 422), resp.json
    # The name is only metadata: whatever it says, the one file stored is named by its hash.
    assert [p.name for p in _stored(app)] == ([resp.json["sha256"]]
                                              if resp.status_code == 201 else [])


def test_racing_actions_cannot_both_pass(app, client, as_, make_item):
    """Two reviewers accept the same feedback at the same moment: one wins, one gets 409."""
    import threading

    code = make_item("under_review")
    office = as_("office")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def accept():
        own = app.test_client()
        barrier.wait()
        statuses.append(own.post(f"{API}/items/{code}/accept", headers=office,
                                 json={"opinion": "同意"}).status_code)

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    events = client.get(f"{API}/items/{code}", headers=office).json["timeline"]
    assert [e["action"] for e in events].count("accept") == 1


def test_error_fields_name_what_was_sent(app, client, as_, make_item, units):
    code = make_item("registered")
    resp = _post(client, f"/items/{code}/assign", as_("office"),
                 _assign_body(app, units, lead_unit_id=999999))
    assert (resp.status_code, resp.json["error"]["field"]) == (422, "lead_unit_id")
    resp = _post(client, f"/items/{make_item('in_progress')}/instruct", as_("leader"),
                 {"text": "抓紧", "date": _future(app)})
    assert (resp.status_code, resp.json["error"]["field"]) == (422, "date")
