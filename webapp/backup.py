"""Backups that can be restored (`flask backup`, `flask restore`): the database and every
stored file, with a manifest that names what the backup holds.

A backup is a folder:

    MANIFEST.json      what is inside: the database file and its SHA-256, the row count of every
                       table, the audit chain's head, every stored file (SHA-256 and size)
    duban.sqlite3      SQLite: copied with the online backup API, integrity-checked
    duban.pgdump       PostgreSQL: pg_dump --format=custom of the snapshot the counts were read in
    uploads/blobs/…    every stored file, content-addressed as in uploads/

Not inside, on purpose: the keys (SECRET_KEY; the audit key file) and the audit anchors. They
are kept apart, so that whoever holds a backup cannot rewrite the audit chain unnoticed.

The database is copied first and the files after it: a file is stored before the row naming it
is committed, so every file the copied database names is in the backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import Connection

from webapp.audit import anchors
from webapp.audit.models import AuditEvent
from webapp.audit.services import compute_hash
from webapp.database import upgrade_schema, utcnow
from webapp.extensions import db
from webapp.media.store import blob_path, save_stream, stored_blobs

FORMAT = "duban-backup/1"
MANIFEST = "MANIFEST.json"
FILES = {"sqlite": "duban.sqlite3", "postgresql": "duban.pgdump"}
NOT_INCLUDED = [
    "SECRET_KEY（instance/config.py 或 DUBAN_SECRET_KEY）",
    "审计密钥（AUDIT_KEY_FILE 或 DUBAN_AUDIT_HMAC_KEY）：单独保管，恢复时使用原密钥",
    "审计链外部锚点（AUDIT_ANCHOR_FILE）",
]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (Chinese, for operators)."""


# --- facts both sides agree on -------------------------------------------------------------


def _facts(conn: Connection) -> dict:
    """Row counts of every table and the audit chain's head, read on one connection."""
    tables = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
              for t in db.metadata.sorted_tables}
    head = conn.execute(select(AuditEvent.id, AuditEvent.hash)
                        .order_by(AuditEvent.id.desc()).limit(1)).first()
    return {"tables": tables, "items": tables["supervision_item"],
            "audit": {"count": tables["audit_event"], "head_id": head[0] if head else None,
                      "head_hash": head[1] if head else None}}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _blob_in(folder: Path, sha256: str) -> Path:
    return folder / sha256[:2] / sha256[2:4] / sha256


# --- backup ---------------------------------------------------------------------------------


def make_backup(target: Path) -> dict:
    """Write a backup folder at `target` (new or empty); return its manifest."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"备份目录 {target} 已存在且不是空目录")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    kind = db.engine.dialect.name
    if kind not in FILES:
        raise BackupError(f"不支持的数据库：{kind}")
    dump = target / FILES[kind]
    facts = _backup_sqlite(dump) if kind == "sqlite" else _backup_postgres(dump)
    files, damaged = _copy_blobs(target / "uploads" / "blobs")
    manifest = {
        "format": FORMAT, "created_at": utcnow().isoformat(timespec="seconds"),
        "database": {"kind": kind, "file": dump.name, "sha256": _sha256(dump),
                     "size": dump.stat().st_size},
        **facts,
        "uploads": {"folder": "uploads/blobs", "count": len(files),
                    "bytes": sum(size for _, size in files), "files": files,
                    "damaged": damaged},
        "not_included": NOT_INCLUDED,
    }
    tmp = target / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, target / MANIFEST)
    return manifest


def _backup_sqlite(dump: Path) -> dict:
    source_path = db.engine.url.database
    with closing(sqlite3.connect(source_path)) as source, closing(sqlite3.connect(dump)) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"备份文件完整性检查失败：{result}")
    engine = create_engine(f"sqlite:///{dump}")
    try:
        with engine.connect() as conn:
            return _facts(conn)
    finally:
        engine.dispose()


def _libpq(url) -> tuple[str, dict]:
    """A libpq connection string for the configured database (password in the environment)."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def _run(args: list[str], env: dict) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"找不到 {args[0]}：请安装 postgresql-client（版本不低于数据库服务器）")
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (fixed program, our arguments)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} 失败：{result.stderr.strip()[-2000:]}")


def _backup_postgres(dump: Path) -> dict:
    """pg_dump of the snapshot the counts are read in: the manifest describes the dump exactly,
    while the server goes on serving."""
    dsn, env = _libpq(db.engine.url)
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        facts = _facts(conn)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
              f"--file={dump}", f"--dbname={dsn}"], env)
    return facts


def _copy_blobs(folder: Path) -> tuple[list[list], list[str]]:
    """Copy every stored file, hashing it; ([[sha256, size], …], [names whose bytes no longer
    match, copied as they are])."""
    files, damaged = [], []
    for blob in stored_blobs():
        target = _blob_in(folder, blob.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(blob_path(blob.sha256), target)
        if _sha256(target) != blob.sha256:
            damaged.append(blob.sha256)
        files.append([blob.sha256, blob.size])
    return files, damaged


# --- restore --------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BackupError(f"{source} 不是 Duban 备份（{MANIFEST} 无法读取：{err}）") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} 的备份格式未知：{manifest.get('format')!r}")
    return manifest


def check_backup(source: Path, manifest: dict) -> None:
    """Before anything is restored: the dump and every file are there with their hashes."""
    database = manifest["database"]
    dump = source / database["file"]
    if not dump.is_file() or _sha256(dump) != database["sha256"]:
        raise BackupError(f"备份中的数据库文件 {dump.name} 缺失或已改变")
    bad = [sha for sha, _ in manifest["uploads"]["files"]
           if not _blob_in(source / manifest["uploads"]["folder"], sha).is_file()
           or _sha256(_blob_in(source / manifest["uploads"]["folder"], sha)) != sha]
    if bad:
        raise BackupError(f"备份中 {len(bad)} 个文件缺失或已改变：{'、'.join(bad[:5])}")


def restore_backup(source: Path) -> dict:
    """Restore a backup into the configured, empty database and the upload folder; return the
    facts of the restored database (equal to the manifest's, or BackupError)."""

    manifest = read_manifest(source)
    kind = db.engine.dialect.name
    if manifest["database"]["kind"] != kind:
        raise BackupError(f"备份的数据库是 {manifest['database']['kind']}，"
                          f"当前配置的是 {kind}：请把 DATABASE_URL 指向同类的空数据库")
    if inspect(db.engine).get_table_names():
        raise BackupError("目标数据库不是空的：请指向新的空数据库（或先把旧数据库文件移走）")
    check_backup(source, manifest)
    dump = source / manifest["database"]["file"]
    if kind == "sqlite":
        _restore_sqlite(dump)
    else:
        _restore_postgres(dump)
    with db.engine.connect() as conn:
        facts = _facts(conn)
    if facts["tables"] != manifest["tables"] or facts["audit"] != manifest["audit"]:
        raise BackupError("恢复后的数据与备份清单不符")
    upgrade_schema()  # a backup of an older version gets the newer schema
    _import_blobs(source / manifest["uploads"]["folder"], manifest["uploads"]["files"])
    anchors.append(anchors.head("restore"))
    return facts


def _restore_sqlite(dump: Path) -> None:
    target = Path(db.engine.url.database)
    db.engine.dispose()
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(f"file:{dump}?mode=ro", uri=True)) as source, \
            closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"恢复的数据库完整性检查失败：{result}")


def _restore_postgres(dump: Path) -> None:
    dsn, env = _libpq(db.engine.url)
    db.engine.dispose()
    _run(["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
          f"--dbname={dsn}", str(dump)], env)


def _import_blobs(folder: Path, files: list[list]) -> None:
    """Store every file of the backup through the store (hash-checked, atomic, fsynced)."""
    for sha256, size in files:
        with _blob_in(folder, sha256).open("rb") as f:
            save_stream(f, max_bytes=max(size, 1), expected_sha256=sha256)


def audit_key_matches() -> bool | None:
    """Whether the configured audit key made the chain's first event (None: no events)."""

    first = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id).limit(1))
    return None if first is None else compute_hash(first) == first.hash
