"""The 反馈 form through a real client: Word, Excel, WPS, OFD and photo evidence accepted and
served as downloads only; macro-enabled files refused; after 退回重办 the form starts from the
returned feedback, its files carried over without uploading them again."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from tests.media import office_files as of
from tests.media.imaging import encode, quadrant_image
from webapp.extensions import db
from webapp.media import office as types
from webapp.supervision.models import Feedback, FeedbackAttachment, SupervisionItem


def _feedback(app, code) -> list[dict]:
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        return [{"id": f.id, "kind": str(f.kind), "actions_taken": f.actions_taken,
                 "result": f.result, "review_state": str(f.review_state),
                 "files": [(a.id, a.filename, a.content_type, a.sha256, a.size)
                           for a in f.attachments]}
                for f in item.feedback]


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _submit(client, code, files, **fields):
    data = {"kind": "final", "actions_taken": "增开两个窗口。", "result": "排队缩短。",
            "completed": "yes", **fields,
            "evidence": [(io.BytesIO(body), name) for name, body in files]}
    return client.post(f"/items/{code}/feedback", data=data, content_type="multipart/form-data")


def _page(resp) -> str:
    return resp.get_data(as_text=True)


# --- evidence types ---------------------------------------------------------------------------


def test_office_and_photo_evidence_is_stored_and_served_as_downloads(app, make_item, office,
                                                                     liaison_a):
    code = make_item("in_progress")
    files = [("整改报告.docx", of.docx_bytes()), ("台账.xlsx", of.xlsx_bytes()),
             ("情况说明.wps", of.doc_bytes()), ("统计表.et", of.xls_bytes()),
             ("通知.ofd", of.ofd_bytes()), ("现场.heic", encode(quadrant_image(64, 48), "HEIF")),
             ("名单.exe", of.docx_bytes("名单"))]
    unit = login(app.test_client(), liaison_a)
    assert _submit(unit, code, files).status_code == 302
    stored = _feedback(app, code)[0]["files"]
    assert [(name, ctype) for _, name, ctype, _, _ in stored] == [
        ("整改报告.docx", types.DOCX), ("台账.xlsx", types.XLSX), ("情况说明.wps", types.DOC),
        ("统计表.et", types.XLS), ("通知.ofd", types.OFD), ("现场.heic", "image/heic"),
        ("名单.exe", types.DOCX)]
    desk = login(app.test_client(), office)
    names = {}
    for (attachment_id, _, ctype, sha, _), (_, body) in zip(stored, files, strict=True):
        resp = desk.get(f"/items/{code}/attachments/{attachment_id}")
        assert resp.status_code == 200 and resp.data == body
        assert hashlib.sha256(resp.data).hexdigest() == sha
        h = resp.headers
        assert h["Content-Type"].split(";")[0] == ctype
        assert h["Content-Disposition"].startswith("attachment;")
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Content-Security-Policy"] == "default-src 'none'; sandbox"
        names[ctype, sha] = re.search(r'filename="([^"]*)"', h["Content-Disposition"]).group(1)
        resp.close()
    # ASCII fallbacks keep the extension; a name that would run something else is fixed.
    fallbacks = sorted(names.values())
    assert "file.wps" in fallbacks and "file.et" in fallbacks and "file.ofd" in fallbacks
    resp = desk.get(f"/items/{code}/attachments/{stored[-1][0]}")
    assert "filename*=UTF-8''%E5%90%8D%E5%8D%95.docx" in resp.headers["Content-Disposition"]
    resp.close()


@pytest.mark.parametrize(
    ("name", "body", "status", "message"),
    [
        ("整改.docm", of.with_main_type(of.docx_bytes(), of.WORD_MAIN, of.DOCM_MAIN), 422, "宏"),
        ("台账.xls", of.xls_bytes(vba=True), 422, "宏"),
        ("报告.docx", of.ratio_bomb(), 422, "压缩炸弹"),
        ("报告.zip", of.rezip(of.docx_bytes(), drop={"[Content_Types].xml", "word/document.xml"}),
         415, "不支持的文件类型"),
    ],
    ids=["docm", "xls-vba", "zip-bomb", "zip"],
)
def test_refused_evidence_keeps_the_typed_text_and_saves_nothing(app, make_item, liaison_a,
                                                                 name, body, status, message):
    code = make_item("in_progress")
    unit = login(app.test_client(), liaison_a)
    resp = _submit(unit, code, [("好.pdf", b"%PDF-1.4\n%%EOF\n"), (name, body)],
                   actions_taken="已整改窗口排队问题")
    assert resp.status_code == status
    assert message in _page(resp) and "已整改窗口排队问题" in _page(resp)
    assert _count(app, Feedback) == 0 and _count(app, FeedbackAttachment) == 0


def test_the_form_states_the_types_and_limits(app, make_item, liaison_a):
    code = make_item("in_progress")
    page = _page(login(app.test_client(), liaison_a).get(f"/items/{code}"))
    hint = re.search(r'<p class="hint" id="evidence-hint">([^<]*)</p>', page).group(1)
    assert "Word" in hint and "WPS" in hint and "OFD" in hint and "HEIC" in hint
    assert "每个不超过 30 MB" in hint and "最多 10 个" in hint
    field = re.search(r'<input type="file" name="evidence"[^>]*>', page).group(0)
    for ext in (".docx", ".doc", ".wps", ".xlsx", ".xls", ".et", ".ofd", ".pdf", ".heic"):
        assert ext + "," in field
    assert f'data-max-file-bytes="{30 * 1024 * 1024}"' in field


# --- after 退回重办 -----------------------------------------------------------------------------


@pytest.fixture
def returned(app, make_item, office, liaison_a):
    """An item whose final feedback (with a Word file and a photo) the office returned."""
    code = make_item("in_progress")
    unit = login(app.test_client(), liaison_a)
    photo = encode(quadrant_image(64, 48), "JPEG")
    resp = _submit(unit, code, [("整改报告.docx", of.docx_bytes()), ("现场照片.jpg", photo)],
                   actions_taken="调整排班，增加备勤警力。", result="出警超时问题已解决。")
    assert resp.status_code == 302
    desk = login(app.test_client(), office)
    assert desk.post(f"/items/{code}/return", data={"reason": "缺少出警记录统计",
                                                  "category": "too_brief"}).status_code \
        == 302
    return code, unit


def test_the_form_starts_from_the_returned_feedback(app, returned):
    code, unit = returned
    page = _page(unit.get(f"/items/{code}"))
    form = page[page.index('id="act-feedback"'):page.index("提交反馈</button>")]
    assert "缺少出警记录统计" in form  # why it came back, next to the form
    assert re.search(r'<textarea name="actions_taken" required>调整排班，增加备勤警力。</textarea>',
                     form)
    assert re.search(r'<textarea name="result">出警超时问题已解决。</textarea>', form)
    assert re.search(r'value="final" checked', form)
    kept = re.findall(r'name="keep_attachment" value="(\d+)" checked> ([^<]+) <', form)
    assert [name for _, name in kept] == ["整改报告.docx", "现场照片.jpg"]


def test_resubmitting_carries_the_kept_files_over_without_uploading_them(app, returned):
    code, unit = returned
    old = _feedback(app, code)[0]
    docx_id, photo_id = (f[0] for f in old["files"])
    resp = unit.post(f"/items/{code}/feedback", data={
        "kind": "final", "actions_taken": "调整排班，增加备勤警力；补充出警记录统计。",
        "result": "十月平均出警 8 分钟。", "completed": "yes",
        "keep_attachment": [str(docx_id)],  # the photo is dropped
        "evidence": [(io.BytesIO(of.xlsx_bytes()), "出警记录统计.xlsx")]},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    first, second = _feedback(app, code)
    assert first["review_state"] == "returned" and second["review_state"] == "pending"
    assert second["actions_taken"] == "调整排班，增加备勤警力；补充出警记录统计。"
    assert [(n, t) for _, n, t, _, _ in second["files"]] == [
        ("整改报告.docx", types.DOCX), ("出警记录统计.xlsx", types.XLSX)]
    assert second["files"][0][3:] == old["files"][0][3:]  # the same stored blob and size
    assert photo_id not in [f[0] for f in second["files"]]
    assert [f[0] for f in first["files"]] == [docx_id, photo_id]  # the returned one is unchanged
    page = _page(unit.get(f"/items/{code}"))
    assert 'name="keep_attachment"' not in page  # under review: no form to start from


def test_only_the_returned_feedbacks_files_can_be_kept(app, returned, make_item, liaison_a):
    code, unit = returned
    other = make_item("in_progress")
    other_unit = login(app.test_client(), liaison_a)
    assert _submit(other_unit, other, [("别的.docx", of.docx_bytes("别的"))]).status_code == 302
    foreign_id = _feedback(app, other)[0]["files"][0][0]
    for bad in ([str(foreign_id)], ["abc"], ["999999"]):
        resp = unit.post(f"/items/{code}/feedback", data={
            "kind": "final", "actions_taken": "再次提交", "result": "完成", "completed": "yes",
            "keep_attachment": bad})
        assert resp.status_code == 422 and "不在退回的办结反馈中" in _page(resp)
        assert "再次提交" in _page(resp)
    assert len(_feedback(app, code)) == 1


def test_a_refused_resubmission_keeps_the_choice_of_files(app, returned):
    code, unit = returned
    docx_id = _feedback(app, code)[0]["files"][0][0]
    resp = unit.post(f"/items/{code}/feedback", data={
        "kind": "final", "actions_taken": "改过的做法", "result": "", "completed": "yes",
        "keep_attachment": [str(docx_id)]})
    assert resp.status_code == 422 and "请填写办理结果" in _page(resp)
    page = _page(resp)
    assert "改过的做法" in page
    assert re.findall(r'name="keep_attachment" value="(\d+)"( checked)?', page) == [
        (str(docx_id), " checked"), (str(_feedback(app, code)[0]["files"][1][0]), "")]


def test_evidence_limit_counts_kept_files(app, returned):
    code, unit = returned
    ids = [str(f[0]) for f in _feedback(app, code)[0]["files"]]
    files = [(f"{i}.pdf", b"%PDF-1.4\n%%EOF\n" + bytes([i])) for i in range(9)]
    resp = _submit(unit, code, files, keep_attachment=ids)
    assert resp.status_code == 422 and "最多 10 个附件" in _page(resp)
