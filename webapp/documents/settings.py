"""Issuer settings (发文机关): kept in one database row, edited by the admin, snapshotted into
every issued document so a re-render years later prints the same header."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.database import utcnow
from webapp.documents.models import IssuerSettings
from webapp.documents.rendering import Issuer
from webapp.errors import InvalidInput, NotAllowed
from webapp.extensions import db
from webapp.validation import clean_text

SLOTS = ("xiaobiaosong", "fangsong", "heiti", "kaiti", "songti")
SLOT_LABELS = {
    "xiaobiaosong": "小标宋（标题、发文机关标志）",
    "fangsong": "仿宋（正文）",
    "heiti": "黑体（一级标题）",
    "kaiti": "楷体（二级标题）",
    "songti": "宋体（页码）",
}
DEFAULTS = {
    "mark": "某某县公安局",
    "add_wenjian": True,
    "code": "某公督",
    "signature": "某某县公安局",
    "contact_name": None,
    "contact_phone": None,
    "cc": None,
    "printer": "某某县公安局办公室",
    "font_paths": "{}",
}


def defaults() -> dict:
    """The settings before the admin saves any: the letter format and 签发 for the kinds whose
    row in webapp/documents/kinds.py says so."""
    from webapp.documents import kinds

    return DEFAULTS | {"letter_kinds": ",".join(kinds.names(letter=True)),
                       "signoff_kinds": ",".join(kinds.names(signoff=True))}


def load_settings() -> IssuerSettings:
    """The saved settings row, or an unsaved row holding the defaults."""
    row = db.session.scalar(select(IssuerSettings).order_by(IssuerSettings.id).limit(1))
    return row if row is not None else IssuerSettings(**defaults())


def font_paths(settings: IssuerSettings) -> dict[str, str]:
    try:
        value = json.loads(settings.font_paths or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in value.items() if k in SLOTS and isinstance(v, str) and v}


def letter_kinds(settings: IssuerSettings) -> list[str]:
    return [k for k in (settings.letter_kinds or "").split(",") if k]


def signoff_kinds(settings: IssuerSettings) -> list[str]:
    """Kinds that go 拟稿 → 核稿 → 签发 before they take a number."""
    return [k for k in (settings.signoff_kinds or "").split(",") if k]


def cc_list(settings: IssuerSettings) -> list[str]:
    return [line.strip() for line in (settings.cc or "").splitlines() if line.strip()]


def snapshot(settings: IssuerSettings) -> dict:
    """The issuer as plain data (stored with each document; fonts are not part of it)."""
    return {
        "mark": settings.mark,
        "add_wenjian": bool(settings.add_wenjian),
        "code": settings.code,
        "letter_kinds": letter_kinds(settings),
        "signature": settings.signature or "",
        "contact_name": settings.contact_name or "",
        "contact_phone": settings.contact_phone or "",
        "cc": cc_list(settings),
        "printer": settings.printer or "",
    }


def make_issuer(snap: dict, fonts: dict[str, str]):
    """A rendering Issuer from a stored snapshot and the current font paths."""
    return Issuer(
        mark=snap["mark"],
        add_wenjian=snap["add_wenjian"],
        code=snap["code"],
        letter_kinds=frozenset(snap.get("letter_kinds") or ()),
        signature=snap.get("signature") or "",
        contact_name=snap.get("contact_name") or "",
        contact_phone=snap.get("contact_phone") or "",
        cc=tuple(snap.get("cc") or ()),
        printer=snap.get("printer") or "",
        font_paths=dict(fonts),
    )


def current_issuer():
    """The Issuer for drafts: current settings and fonts."""
    settings = load_settings()
    return make_issuer(snapshot(settings), font_paths(settings))


def _line(form: dict, key: str, label: str, max_len: int, required: bool = False) -> str | None:
    return clean_text(form.get(key), field=key, label=label, required=required,
                      max_len=max_len, single_line=True)


def _kind_list(form: dict, key: str, what: str) -> str:
    """The kinds ticked for `key`, as the comma list stored (table order)."""
    from webapp.documents import kinds

    chosen = form.get(key) or []
    if isinstance(chosen, str):
        chosen = [chosen]
    names = kinds.names()
    if any(k not in names for k in chosen):
        raise InvalidInput(f"{what}的公文种类无效", field=key)
    return ",".join(k for k in names if k in chosen)


def update_settings(*, actor: User, form: dict) -> IssuerSettings:
    """Save the issuer settings from a form (plain dict; lists for letter_kinds and
    signoff_kinds)."""
    if actor.role != Role.ADMIN:
        raise NotAllowed("只有系统管理员可以修改公文设置")
    mark = _line(form, "mark", "发文机关标志", 100, required=True)
    code = _line(form, "code", "机关代字", 32, required=True)
    if any(c in code for c in "〔〕[]()（）号 "):
        raise InvalidInput("机关代字只填代字本身（如“某公督”），不含年份、括号和“号”", field="code")
    letter = _kind_list(form, "letter_kinds", "信函格式")
    signoff = _kind_list(form, "signoff_kinds", "须经领导签发")
    cc = clean_text(form.get("cc"), field="cc", label="抄送", required=False, max_len=1000)
    fonts = {}
    for slot in SLOTS:
        path = _line(form, f"font_{slot}", f"{SLOT_LABELS[slot]}字体路径", 500)
        if path:
            if not Path(path).is_absolute() or not Path(path).is_file():
                raise InvalidInput(f"字体文件不存在：{path}", field=f"font_{slot}")
            fonts[slot] = path
    row = db.session.scalar(select(IssuerSettings).order_by(IssuerSettings.id).limit(1))
    if row is None:
        row = IssuerSettings(**defaults())
        db.session.add(row)
    before = snapshot(row) | {"font_paths": font_paths(row), "signoff_kinds": signoff_kinds(row)}
    row.mark, row.code = mark, code
    row.add_wenjian = form.get("add_wenjian") in (True, "1", "on", "true", "yes")
    row.letter_kinds = letter
    row.signoff_kinds = signoff
    row.signature = _line(form, "signature", "署名", 100)
    row.contact_name = _line(form, "contact_name", "联系人", 64)
    row.contact_phone = _line(form, "contact_phone", "联系电话", 32)
    row.cc = cc
    row.printer = _line(form, "printer", "印发机关", 100)
    row.font_paths = json.dumps(fonts, ensure_ascii=False, sort_keys=True)
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.session.flush()
    after = snapshot(row) | {"font_paths": fonts, "signoff_kinds": signoff_kinds(row)}
    changed = {k: after[k] for k in after if before.get(k) != after[k]}
    audit.record("issuer_settings_update", object_type="issuer_settings", object_id=row.id,
                 actor=actor, details={"changed": changed})
    return row
