"""Every sentence a template produces, with each state of its data, reads as a clerk writes it."""

from __future__ import annotations

import re

import pytest

from tests.documents.render_fixtures import open_docx, pdf_lines, request, standard_issuer
from webapp.documents.rendering import build_blocks, render_docx, render_pdf, sample_data

DOUBLED = re.compile(r"(催办){2}|(检查){2}|。[，；。]|，。|；。|”。”|\)\)")


def texts(kind: str, data: dict) -> list[str]:
    return [b.text for b in build_blocks(request(kind, data=data)) if b.kind == "para"]


def clean(lines: list[str]) -> None:
    for line in lines:
        assert not DOUBLED.search(line), line


@pytest.mark.parametrize(
    "label", ["系统自动提醒", "电话催办", "当面催办", "印发催办通知"]
)
def test_reminder_history_names_each_channel_once(label):
    data = sample_data("reminder")
    data["reminders"] = [{"date": "2026-12-11", "channel_label": label, "note": "所长称已安排。"}]
    lines = texts("reminder", data)
    history = next(line for line in lines if line.startswith("一、催办情况"))
    assert history == f"一、催办情况。2026年12月11日{label}（所长称已安排）。以上共催办1次。"
    clean(lines)


def test_reminder_without_history_or_new_date():
    data = sample_data("reminder")
    data["reminders"], data["new_due_date"] = [], None
    lines = texts("reminder", data)
    assert lines[1].startswith("一、办理要求。请你单位高度重视，立即办结")
    clean(lines)


def test_notice_keeps_paragraphs_and_ends_sentences():
    data = sample_data("notice")
    data["item"]["content"] = "第一段：群众反映排队时间长。\n\n第二段：窗口只开一个。"
    data["item"]["requirements"] = "查明原因，提出整改措施\n1.每周报送进度"
    data["item"]["instructions"] = [
        {"leader": "张局长", "text": "请限期整改。", "date": "2026-11-20"},
        {"leader": "李副局长", "text": "同意", "date": None},
    ]
    lines = texts("notice", data)
    assert "一、督办事项。第一段：群众反映排队时间长。" in lines
    assert "第二段：窗口只开一个。" in lines
    assert "二、领导批示。张局长于2026年11月20日批示：“请限期整改”；李副局长批示：“同意”。" in lines
    requirements = next(line for line in lines if line.startswith("三、办理要求。"))
    assert requirements.endswith("查明原因，提出整改措施。")
    assert "1.每周报送进度" in lines  # a numbered paragraph of its own
    assert any(line.startswith("请于2026年12月10日前办结") for line in lines)
    clean(lines)


def test_notice_minimal_item_reads_whole():
    data = sample_data("notice")
    item = data["item"]
    for key in ("source_label", "source_ref", "requirements", "supervising_leader"):
        item[key] = ""
    item["instructions"], item["assisting_units"] = [], []
    lines = texts("notice", data)
    assert lines[0].startswith("根据工作安排，现将")
    assert lines[2] == "二、办理要求。由城关派出所牵头办理。"
    clean(lines)


def test_closing_report_reads_as_a_report():
    data = sample_data("closing_report")
    data["timeline"] = [
        {"date": "2026-11-20", "text": "交办城关派出所，办理时限为2026年12月10日"},
        {"date": "2026-12-08", "text": "办公室审核通过，事项按期办结。"},
    ]
    data["attachments"] = ["整改报告", "取号统计"]
    blocks = build_blocks(request("closing_report", data=data))
    lines = [b.text for b in blocks if b.kind == "para"]
    assert "2026年11月20日，交办城关派出所，办理时限为2026年12月10日。" in lines
    assert "2026年12月8日，办公室审核通过，事项按期办结。" in lines
    assert not any("附件" in line for line in lines)  # 附件说明 stands after the body
    kinds = [b.kind for b in blocks]
    assert kinds.index("attachments") == kinds.index("signature") - 1
    assert blocks[1].kind == "recipients"
    clean(lines)


def test_inspection_record_names_inspector_and_companions_once():
    data = sample_data("inspection_record")
    data["inspection"] |= {"unit": "东郊派出所", "place": "东郊派出所值班室",
                           "inspector": "赵督查", "companions": ["孙督查"],
                           "mode_label": "专项检查"}
    lines = texts("inspection_record", data)
    assert lines[0] == ("2026年11月12日9时30分，赵督查会同孙督查对东郊派出所值班室进行了"
                        "专项检查。检查情况记录如下：")
    data["inspection"] |= {"companions": [], "mode_label": "暗访", "place": "户籍大厅"}
    assert texts("inspection_record", data)[0].startswith(
        "2026年11月12日9时30分，赵督查对东郊派出所户籍大厅进行了暗访检查。")
    clean(lines)


def test_inspection_photos_are_numbered_with_captions():
    blocks = build_blocks(request("inspection_record"))
    captions = [b.text for b in blocks if b.kind == "image"]
    assert captions == [
        "图1　拍摄于2026年11月12日9时40分，户籍办证大厅",
        "图2　拍摄于2026年11月12日9时40分，户籍办证大厅",
        "图3　拍摄于2026年11月12日9时40分，户籍办证大厅",
    ]
    assert any(b.text.startswith("三、检查结论") for b in blocks)


@pytest.mark.parametrize("kind", ["closing_report", "inspection_record"])
def test_one_blank_line_after_the_title_without_recipients(kind):
    data = sample_data(kind)
    data["recipients"] = []
    req = request(kind, data=data, issuer=standard_issuer())
    page = pdf_lines(render_pdf(req))[0]
    title = next(i for i, line in enumerate(page) if abs(line["size"] - 22) < 0.1)
    mm = 72 / 25.4
    centre = [page[i]["baseline"] - 0.38 * page[i]["size"] / mm for i in (title, title + 1)]
    assert centre[1] - centre[0] == pytest.approx(2 * 28.95 / (72 / 25.4), abs=0.6)  # 1 blank
    doc = open_docx(render_docx(req))
    paras = doc.paragraphs
    index = next(i for i, p in enumerate(paras) if p.style.style_id == "DubanTitle")
    spacing = paras[index + 1]._p.pPr.spacing
    assert spacing is not None and int(spacing.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}before")) == 579


# --- the data builders, from the database --------------------------------------------------

from tests.inspections import conftest as inspection_fixtures  # noqa: E402

as_user, submitted, published = (
    inspection_fixtures.as_user, inspection_fixtures.submitted, inspection_fixtures.published)


def test_closing_report_data_from_a_closed_item(app, make_item):
    from sqlalchemy import select

    from webapp.documents import data as builders
    from webapp.documents.settings import load_settings
    from webapp.extensions import db
    from webapp.supervision.models import SupervisionItem

    code = make_item("closed")
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        data = builders.closing_report_data(item, load_settings(), today=item.closed_on)
    assert data["recipients"] == [builders.CLOSING_REPORT_TO]
    assert data["signature"] == "某某县公安局"  # the defaults agree with the issuer mark
    steps = [t["text"] for t in data["timeline"]]
    assert all(text.endswith("。") for text in steps), steps
    joined = "".join(steps)
    assert "办公室登记立项" in joined and "签收" in joined and "事项按期办结" in joined
    assert "附件" not in joined and "。，" not in joined and "审核意见" not in joined
    lines = texts("closing_report", data)
    clean(lines)


def test_item_urgency_reaches_the_header(app, make_item):
    from sqlalchemy import select

    from webapp.documents import data as builders
    from webapp.documents.settings import load_settings
    from webapp.extensions import db
    from webapp.supervision.models import SupervisionItem, Urgency

    code = make_item("in_progress")
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        for urgency, printed in ((Urgency.VERY_URGENT, "特急"), (Urgency.URGENT, "加急"),
                                 (Urgency.NORMAL, "")):
            item.urgency = urgency
            data = builders.notice_data(item, load_settings(), today=item.due_date)
            assert data["urgency"] == printed
        db.session.rollback()


def test_inspection_record_data_names_the_inspector(app, published):
    from sqlalchemy import select

    from webapp.documents.inspection_data import inspection_record_data
    from webapp.documents.settings import load_settings
    from webapp.extensions import db
    from webapp.inspections.models import Inspection

    facts = published()
    with app.app_context():
        inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == facts["uuid"]))
        today = inspection.started_at.date()
        data = inspection_record_data(inspection, load_settings(), today=today)
        inspector = inspection.inspector.name
    assert data["inspection"]["inspector"] == inspector
    assert data["inspection"]["companions"] == ["张三", "李四"]
    photo = data["findings"][0]["photos"][0]
    assert photo["caption"].startswith("拍摄于")
    lines = texts("inspection_record", data)
    assert lines[0].count(data["inspection"]["unit"]) == 1
    assert f"{inspector}会同张三、李四对" in lines[0]
    clean(lines)
