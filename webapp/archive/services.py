"""归档: file the signed, stamped scan of an issued document under an archive code (档号), and
check later that every archived file and every issued document file is unchanged.

档号 format: 全宗号·年度·保管期限·件号, e.g. `DB·2026·Y·0012` — the fonds code (setting
ARCHIVE_FONDS, default "DB" for 督办), the year of filing (Asia/Shanghai), the retention code
(the kind's `retention` in webapp/documents/kinds.py: Y 永久 for closing reports, D30 定期30年
for the others) and a gapless per-year
sequence from numbering.next_number("archive", year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from webapp.archive.models import ArchiveRecord
from webapp.audit import services as audit
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role, User
from webapp.database import local_today, utcnow
from webapp.documents import kinds
from webapp.documents import services as documents
from webapp.documents.models import Document, DocumentState
from webapp.errors import NotAllowed, StateConflict
from webapp.extensions import db
from webapp.media.files import ingest_file
from webapp.media.store import blob_sm3, has_blob, verify_blob
from webapp.numbering import next_number
from webapp.supervision import services as item_services
from webapp.supervision.models import ItemState, SourceFile, SupervisionItem
from webapp.transaction import lock_row
from webapp.validation import clean_text

SCAN_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def archive_code(year: int, sequence: int, retention: str) -> str:
    fonds = current_app.config.get("ARCHIVE_FONDS", "DB")
    return f"{fonds}·{year}·{retention}·{sequence:04d}"


def record_for(doc: Document) -> ArchiveRecord | None:
    return db.session.scalar(select(ArchiveRecord).where(ArchiveRecord.document_id == doc.id))


def scan_blocker(doc: Document) -> str | None:
    """Why a signed scan cannot be filed for this document now, or None."""
    if doc.state != DocumentState.ISSUED:
        return "已作废的公文不能归档"
    if doc.archive_code is not None:
        return "该公文的签发件已归档"
    kind = kinds.get(doc.kind)
    if kind.archives_item and (doc.item is None or doc.item.state != ItemState.CLOSED):
        return f"事项已办结且尚未归档时才能归档{kind.label}"
    return None


def archive_signed_copy(doc: Document, *, actor: User, stream: BinaryIO,
                        filename: str | None = None, note: object = None,
                        today: date | None = None) -> ArchiveRecord:
    """File the signed scan (PDF, JPEG or PNG, by content) of an issued document; a closing
    report's scan also archives its item (read-only from then on). Flushes."""
    if actor.role != Role.OFFICE:
        raise NotAllowed("只有督办员可以归档签发件")
    lock_row(doc)  # two uploads racing: the second sees the first's record and is refused
    blocker = scan_blocker(doc)
    if blocker:
        raise StateConflict(blocker, code="invalid_state")
    note = clean_text(note, field="note", label="备注", required=False, max_len=1000)
    info = ingest_file(stream, allowed=SCAN_TYPES)  # refusals (415/422/413) store nothing
    today = today or local_today()
    kind = kinds.get(doc.kind)
    retention = kind.retention
    sequence = next_number("archive", today.year)
    code = archive_code(today.year, sequence, retention)
    record = ArchiveRecord(
        archive_code=code, year=today.year, sequence=sequence, retention=retention,
        document_id=doc.id, item_id=doc.item_id, sha256=info.sha256,
        sm3=blob_sm3(info.sha256), size=info.size,
        content_type=info.content_type,
        filename=clean_text(filename, field="file", label="文件名", required=False, max_len=255,
                            single_line=True), note=note,
        archived_by_id=actor.id, archived_at=utcnow(), archived_on=today,
    )
    db.session.add(record)
    db.session.flush()
    documents.mark_archived(doc, code)
    if kind.archives_item:
        item_services.archive_item(doc.item, actor=actor, archive_code=code)
    audit.record("archive_file", object_type="document", object_id=doc.doc_number, actor=actor,
                 details={"archive_code": code, "sha256": info.sha256, "sm3": record.sm3,
                          "size": info.size, "content_type": info.content_type})
    return record


@dataclass(frozen=True)
class Problem:
    what: str  # archive code or document number and format
    sha256: str
    reason: str

    def __str__(self) -> str:
        return f"{self.what}  {self.sha256}  {self.reason}"


MISSING = "文件缺失 missing"
CHANGED = "内容已改变 changed"


def verify_all() -> tuple[int, list[Problem]]:
    """Re-hash every archived scan and every issued document file with SHA-256 and SM3, and
    check each hash against the HMAC-chained audit event that recorded it (a record pointed at
    another stored file is caught there); (count, problems)."""
    recorded = _hashes_on_record()
    checked, problems = 0, []

    def check(what: str, sha: str, sm3: str | None, key: tuple[str, str, str], *,
              sm3_kept: bool = True) -> None:
        nonlocal checked
        checked += 1
        if not verify_blob(sha):
            problems.append(Problem(what, sha, CHANGED if has_blob(sha) else MISSING))
            return
        on_record = recorded.get(key)
        audit_problem = _compare(sha, on_record and on_record[:3])
        if audit_problem:
            problems.append(Problem(what, sha, audit_problem))
        if not sm3_kept:
            return
        actual = blob_sm3(sha)
        if sm3 is None:
            problems.append(Problem(what, sha, "没有 SM3 校验值 no SM3 on record"))
        elif actual != sm3:
            problems.append(Problem(what, sha, f"SM3 不符：记录 {sm3}，文件 {actual} "
                                               "SM3 mismatch"))
        elif on_record and on_record[3] and on_record[3] != sm3:
            problems.append(Problem(what, sha, f"SM3 与审计事件 #{on_record[0]} 记录的 "
                                               f"{on_record[3]} 不符 audit SM3 mismatch"))

    for rec in db.session.scalars(select(ArchiveRecord).order_by(ArchiveRecord.id)):
        check(f"档号 {rec.archive_code}", rec.sha256, rec.sm3,
              ("archive", rec.archive_code, "sha256"))
    for doc in db.session.scalars(select(Document).order_by(Document.id)):
        for fmt in ("pdf", "docx"):
            sha = getattr(doc, f"{fmt}_sha256")
            if sha:
                check(f"{doc.doc_number} ({fmt})", sha, getattr(doc, f"{fmt}_sm3"),
                      ("document", doc.doc_number, fmt))
    for code, f in db.session.execute(select(SupervisionItem.code, SourceFile).join(
            SourceFile.item).order_by(SourceFile.id)).all():
        check(f"{code} {f.kind.label} {f.filename}", f.sha256, None,
              ("source", str(f.id), "sha256"), sm3_kept=False)
    return checked, problems


def _hashes_on_record() -> dict[tuple[str, str, str], tuple[int, str | None, bool, str | None]]:
    """{(kind, code, field): (audit event id, SHA-256 it recorded, event genuine, SM3 it
    recorded or None)} from the archive_file, document_rendered and attach_source (批示件/来文
    on file) events (events written before SM3 was kept record none: their files' SM3 is
    checked against the row only; files on file keep SHA-256 only)."""
    found = {}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(
        ("archive_file", "document_rendered", "attach_source"))).order_by(AuditEvent.id))
    for event in events:
        genuine = audit.compute_hash(event) == event.hash
        details = event.details if isinstance(event.details, dict) else {}
        if event.action == "attach_source":
            key = ("source", str(details.get("file_id")), "sha256")
            found[key] = (event.id, details.get("sha256"), genuine, None)
        elif event.action == "archive_file":
            key = ("archive", str(details.get("archive_code")), "sha256")
            found[key] = (event.id, details.get("sha256"), genuine, details.get("sm3"))
        else:
            for fmt in ("pdf", "docx"):
                found[("document", event.object_id, fmt)] = (
                    event.id, details.get(f"{fmt}_sha256"), genuine, details.get(f"{fmt}_sm3"))
    return found


def _compare(sha: str, on_record: tuple[int, str | None, bool] | None) -> str | None:
    """Why `sha` disagrees with the audit event that recorded it, or None."""
    if on_record is None:
        return "审计日志中没有记录该哈希 no audit event"
    event_id, recorded, genuine = on_record
    if not genuine:
        return f"记录该哈希的审计事件 #{event_id} 已被改动 audit event altered"
    if recorded != sha:
        return (f"与审计事件 #{event_id} 记录的哈希 {recorded} 不符，记录被改指向其他文件 "
                f"audit mismatch")
    return None
