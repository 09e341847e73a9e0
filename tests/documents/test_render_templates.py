"""Templates → blocks: user text stays data, the sandbox holds, overrides and errors are clear."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.documents.render_fixtures import SPECIAL, request
from webapp.documents.rendering import (
    KINDS,
    RenderError,
    TemplateError,
    build_blocks,
    render_pdf,
    sample_data,
)
from webapp.documents.rendering.blocks import cn_date, detect_heading, escape_value, parse


def test_every_kind_renders_its_sample_to_blocks():
    for kind in KINDS:
        blocks = build_blocks(request(kind))
        kinds = [b.kind for b in blocks]
        assert kinds[0] == "title", kind
        assert "para" in kinds and "signature" in kinds and "date" in kinds, kind
        assert "printer" in kinds, kind


@pytest.mark.parametrize(
    "text", [*SPECIAL, "@title injected", "a|b", "back\\slash", "行一\n@p 行二"]
)
def test_user_text_is_data(text):
    data = sample_data("notice")
    data["item"]["content"] = text
    data["title"] = text.replace("\n", " ")
    blocks = build_blocks(request(data=data))
    assert blocks[0].kind == "title" and blocks[0].text == text.replace("\n", " ").strip()
    paras = [b.text for b in blocks if b.kind == "para"]
    for line in text.split("\n"):  # newlines in a field start new paragraphs, nothing else
        assert any(line.strip() in p for p in paras), (line, paras)
    assert sum(b.kind == "title" for b in blocks) == 1


def test_values_cannot_break_the_line_format():
    assert escape_value("a\nb|c@d\\e") == "a\\nb\\|c\\@d\\\\e"
    blocks = parse(
        "@table 列|{}\n@row {}|x\n@endtable".format(escape_value("a|b"), escape_value("@row z"))
    )
    assert blocks[0].rows == [["列", "a|b"], ["@row z", "x"]]


def test_dates_are_formatted_the_gbt9704_way():
    assert cn_date("2026-03-05") == "2026年3月5日"
    assert cn_date("2026-11-12T09:30") == "2026年11月12日9时30分"
    assert cn_date("下周一") == "下周一"


def test_headings_are_recognised_from_their_numbering():
    assert detect_heading("一、督办事项") == (1, 6)
    assert detect_heading("二、办理要求。请于月底前办结。") == (1, 7)
    assert detect_heading("（三）具体措施") == (2, 7)
    assert detect_heading("1.第一项") == (3, 5)
    assert detect_heading("（2）第二项") == (4, 6)
    assert detect_heading("1.5万元已到位") == (0, 0)
    assert detect_heading("正文段落") == (0, 0)


def test_missing_required_field_is_refused_by_name():
    data = sample_data("notice")
    del data["item"]["due_date"]
    with pytest.raises(RenderError, match=r"item\.due_date"):
        build_blocks(request(data=data))


def test_control_characters_are_refused():
    data = sample_data("notice")
    data["item"]["content"] = "bad\x07bell"
    with pytest.raises(RenderError, match="control"):
        build_blocks(request(data=data))


def test_unknown_kind_is_refused():
    with pytest.raises(RenderError, match="Unknown document kind"):
        build_blocks(request(kind="memo", data=sample_data("notice")))


@pytest.fixture
def instance_app(tmp_path):
    """A Flask app whose instance folder is a fresh temporary directory."""
    app = Flask("override_test", instance_path=str(tmp_path / "instance"))
    (tmp_path / "instance" / "doc_templates").mkdir(parents=True)
    with app.app_context():
        yield tmp_path / "instance" / "doc_templates"


def test_instance_override_is_used(instance_app):
    (instance_app / "notice.j2").write_text(
        "@title 本局自定义：{{ title }}\n@p {{ item.content }}\n@signature {{ signature }}\n"
        "@date {{ issue_date|cn_date }}\n",
        encoding="utf-8",
    )
    blocks = build_blocks(request())
    assert blocks[0].text.startswith("本局自定义：")
    assert [b.kind for b in blocks] == ["title", "para", "signature", "date"]


def test_template_touching_class_fails(instance_app):
    (instance_app / "notice.j2").write_text(
        "@title {{ title }}\n@p {{ title.__class__.__mro__ }}\n", encoding="utf-8"
    )
    with pytest.raises(TemplateError, match="__class__") as info:
        build_blocks(request())
    assert "notice.j2, line 2" in str(info.value)


def test_broken_template_is_reported_with_file_and_line(instance_app):
    (instance_app / "notice.j2").write_text(
        "@title {{ title }}\n@p ok\n{% if item.code %}\n@p {{ item.title }\n", encoding="utf-8"
    )
    with pytest.raises(TemplateError) as info:
        render_pdf(request())
    message = str(info.value)
    assert str(instance_app / "notice.j2") in message and "line 4" in message
    assert "Document template error" in message


def test_malformed_directive_is_a_template_error(instance_app):
    (instance_app / "notice.j2").write_text("@title x\n@row a|b\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="@row outside @table"):
        build_blocks(request())


MINIMAL = {
    "notice": {
        "item": {
            "code": "2026-001",
            "title": "事项",
            "content": "内容。",
            "due_date": "2026-12-01",
            "lead_unit": "城关派出所",
        }
    },
    "reminder": {
        "item": {
            "code": "2026-001",
            "title": "事项",
            "due_date": "2026-12-01",
            "lead_unit": "城关派出所",
        },
        "days_overdue": 3,
    },
    "circular": {"period": {"start": "2026-10-01", "end": "2026-10-31"}, "summary": "总体良好。"},
    "closing_report": {
        "item": {"code": "2026-001", "title": "事项", "lead_unit": "城关派出所"},
        "feedback": {"actions_taken": "已整改。", "result": "已办结。"},
        "review_opinion": "同意办结。",
        "closed_date": "2026-12-08",
    },
    "inspection_record": {
        "inspection": {"unit": "城关派出所", "mode_label": "暗访", "started_at": "2026-11-12T09:30"}
    },
}


@pytest.mark.parametrize("kind", KINDS)
def test_minimal_data_renders_in_both_formats(kind):
    from webapp.documents.rendering import Issuer, render_docx

    data = {"title": "标题", "issue_date": "2026-11-27", **MINIMAL[kind]}
    issuer = Issuer(signature="", printer="", cc=())  # empty settings too
    req = request(kind, data=data, issuer=issuer, number=None)
    assert render_pdf(req).startswith(b"%PDF")
    assert render_docx(req)[:2] == b"PK"
    blocks = build_blocks(req)
    assert [b.kind for b in blocks][:2] == ["title", "para"]
    assert not any(b.kind in ("signature", "cc", "recipients") for b in blocks)


def test_warm_up_pays_the_one_time_costs():
    from webapp.documents.rendering import warm_up

    timings = warm_up()
    assert set(timings) == {"import", "fonts", "pdf", "docx"}
    assert all(seconds >= 0 for seconds in timings.values())


def test_oversized_documents_are_refused():
    from webapp.documents.rendering.request import MAX_CHARS, MAX_IMAGES

    data = sample_data("notice")
    data["item"]["content"] = "长" * (MAX_CHARS + 1)
    with pytest.raises(RenderError, match="too long"):
        build_blocks(request(data=data))
    data = sample_data("notice")
    data["item"]["photos"] = [{"ref": f"{i:064x}", "caption": ""} for i in range(MAX_IMAGES + 1)]
    with pytest.raises(RenderError, match="Too many photos"):
        build_blocks(request(data=data))
