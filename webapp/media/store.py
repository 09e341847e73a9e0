"""Content-addressed blob store under UPLOAD_ROOT: the only code that writes the uploads folder."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from flask import Response, current_app, send_file

from webapp.errors import InvalidInput, NotFound, TooLarge
from webapp.media.sniff import fitting_name
from webapp.security import FILE_CSP

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredBlob:
    """What the store knows about a blob: its name (SHA-256, lowercase hex) and size."""

    sha256: str
    size: int


@dataclass
class PendingBlob:
    """An upload spooled to a temp file, hashed and fsynced, not yet in the store."""

    path: Path
    sha256: str
    size: int
    committed: bool = False

    def head(self, n: int = 64) -> bytes:
        with self.path.open("rb") as f:
            return f.read(n)

    def tail(self, n: int = 1024) -> bytes:
        with self.path.open("rb") as f:
            f.seek(max(0, self.size - n))
            return f.read(n)

    def commit(self) -> StoredBlob:
        """Move the temp file to its content address; an existing blob is kept as it is."""
        target = blob_path(self.sha256)
        if target.exists():
            self.path.unlink(missing_ok=True)
        else:
            _make_dirs(target.parent)
            os.chmod(self.path, 0o440)  # stored bytes are never rewritten in place
            os.replace(self.path, target)
            _fsync_dir(target.parent)
        self.committed = True
        return StoredBlob(self.sha256, self.size)


def _root() -> Path:
    return Path(current_app.config["UPLOAD_ROOT"]).resolve()


def _blobs_root() -> Path:
    return _root() / "blobs"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_dirs(path: Path) -> None:
    """Create `path` and its missing parents, fsyncing each new entry's parent directory."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for new in reversed(missing):
        with suppress(FileExistsError):  # another worker made it meanwhile
            new.mkdir(mode=0o750)
        _fsync_dir(new.parent)


def is_sha256(value: object) -> bool:
    """Whether `value` is a SHA-256 hex digest as the store names blobs (64 lowercase hex)."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def _check_hash(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if not is_sha256(value):
        raise InvalidInput("文件校验值格式不正确（应为 64 位十六进制 SHA-256）",
                           code="hash_mismatch", field="sha256")
    return value


@contextmanager
def spool(stream: BinaryIO, *, max_bytes: int,
          expected_sha256: str | None = None) -> Iterator[PendingBlob]:
    """Stream an upload to UPLOAD_ROOT/tmp in chunks, hashing and checking limits.

    The caller validates the temp file and calls `commit()`; whatever is not committed when the
    block ends (refused, or an exception) is removed, so a refusal leaves nothing stored.
    """
    expected = _check_hash(expected_sha256)
    sweep_temp_now_and_then()
    tmp_dir = _root() / "tmp"
    _make_dirs(tmp_dir)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="up-")
    path = Path(name)
    pending = None
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"文件太大：不能超过 {_human(max_bytes)}", field="file")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise InvalidInput("文件是空的（0 字节）", code="empty_file", field="file")
        sha = digest.hexdigest()
        if expected is not None and sha != expected:
            raise InvalidInput("文件校验值不一致：上传过程中文件可能已损坏，请重新上传",
                               code="hash_mismatch", field="sha256")
        pending = PendingBlob(path, sha, size)
        yield pending
    finally:
        if pending is None or not pending.committed:
            path.unlink(missing_ok=True)


def _human(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} 字节"


def save_stream(stream: BinaryIO, *, max_bytes: int,
                expected_sha256: str | None = None) -> StoredBlob:
    """Store a stream by its SHA-256 (idempotent); raise TooLarge / InvalidInput on refusal."""
    with spool(stream, max_bytes=max_bytes, expected_sha256=expected_sha256) as pending:
        return pending.commit()


def save_bytes(data: bytes) -> StoredBlob:
    """Store bytes we produced ourselves (derivatives) by their SHA-256."""
    return save_stream(BytesIO(data), max_bytes=max(len(data), 1))


def blob_path(sha256: str) -> Path:
    """Path of a blob; anything but 64 lowercase hex digits inside the root is a ValueError."""
    if not is_sha256(sha256):
        raise ValueError("not a SHA-256 hex digest")
    root = _blobs_root()
    path = (root / sha256[:2] / sha256[2:4] / sha256).resolve()
    if not path.is_relative_to(root):
        raise ValueError("blob path outside the upload root")
    return path


def has_blob(sha256: str) -> bool:
    """Whether the store holds this blob."""
    return blob_path(sha256).is_file()


def stored_blobs() -> Iterator[StoredBlob]:
    """Every blob in the store (name and size), in name order: what a backup copies."""
    root = _blobs_root()
    if not root.is_dir():
        return
    for path in sorted(root.glob("??/??/*")):
        if is_sha256(path.name) and path.is_file():
            yield StoredBlob(path.name, path.stat().st_size)


def open_blob(sha256: str) -> BinaryIO:
    """Open a stored blob for reading; NotFound if it is missing."""
    try:
        return blob_path(sha256).open("rb")
    except FileNotFoundError:
        raise NotFound("文件不存在或已被移除") from None


def verify_blob(sha256: str) -> bool:
    """Re-hash the stored file and compare with its name (False if missing or changed)."""
    digest = hashlib.sha256()
    try:
        with blob_path(sha256).open("rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return False
    return digest.hexdigest() == sha256


def sm3() -> hashlib._Hash:
    """A new SM3 hash (GB/T 32905-2016), from OpenSSL through hashlib; tests check it against
    the standard's examples (tests/media/test_sm3.py)."""
    try:
        return hashlib.new("sm3")
    except ValueError as err:  # an OpenSSL built without SM3 (check-setup says so)
        raise RuntimeError("OpenSSL 不支持 SM3 / this Python's OpenSSL has no SM3") from err


def sm3_hex(data: bytes) -> str:
    """SM3 of bytes, lowercase hex."""
    digest = sm3()
    digest.update(data)
    return digest.hexdigest()


def blob_sm3(sha256: str) -> str | None:
    """SM3 of a stored blob, read again (None if it is missing)."""
    digest = sm3()
    try:
        with blob_path(sha256).open("rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def send_blob(sha256: str, *, content_type: str, download_name: str | None = None,
              as_attachment: bool = False) -> Response:
    """Serve a blob with our own type and the file-safety headers (the caller checked access).

    Inline copies may stay in the user's private browser cache for a few minutes (they are
    content-addressed, so never stale); attachments (originals, scans) are never cached. The
    download name gets an extension that fits the content type (sniff.fitting_name).
    """
    path = blob_path(sha256)
    if not path.is_file():
        raise NotFound("文件不存在或已被移除")
    response = send_file(path, mimetype=content_type, conditional=True, etag=sha256,
                         max_age=None)
    h = response.headers
    h["X-Content-Type-Options"] = "nosniff"
    h["Content-Security-Policy"] = FILE_CSP
    h["Cross-Origin-Resource-Policy"] = "same-origin"
    h["Cache-Control"] = "no-store" if as_attachment else "private, max-age=600"
    h.pop("Content-Disposition", None)  # send_file names it after the path; we decide
    if download_name or as_attachment:
        name = fitting_name(download_name or sha256, content_type)
        h["Content-Disposition"] = content_disposition(name, as_attachment=as_attachment)
    return response


def content_disposition(name: str, *, as_attachment: bool) -> str:
    """RFC 6266 header: an ASCII fallback `filename` plus the UTF-8 `filename*`."""
    name = "".join(c for c in name if c.isprintable()).replace("/", "_").replace("\\", "_")
    name = name.strip() or "file"
    stem, dot, ext = name.rpartition(".")
    fallback = "".join(c if c.isascii() and c not in '"%;' else "_" for c in name)
    if dot and ext.isascii() and not stem.isascii():
        fallback = f"file.{ext}"
    kind = "attachment" if as_attachment else "inline"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def remove_stale_temp_files(*, older_than_seconds: float | None = None) -> int:
    """Delete temp files left by uploads cut off mid-way (a worker killed with SIGKILL never
    runs its clean-up); return how many. A file counts as left over when nothing was written
    to it for UPLOAD_TEMP_MAX_AGE seconds: an upload in progress writes every chunk."""
    if older_than_seconds is None:
        older_than_seconds = current_app.config["UPLOAD_TEMP_MAX_AGE"]
    tmp_dir = _root() / "tmp"
    if not tmp_dir.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in tmp_dir.glob("up-*"):
        with suppress(FileNotFoundError):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    if removed:
        log.info("removed %d temp files of interrupted uploads from %s", removed, tmp_dir)
    return removed


_next_temp_sweep: dict[str, float] = {}  # upload root → monotonic time of the next sweep


def sweep_temp_now_and_then() -> None:
    """Remove left-over temp files at most every UPLOAD_TEMP_MAX_AGE / 4 seconds per process
    (called when an upload starts: one clock read, nothing more, in between)."""
    root, now = current_app.config["UPLOAD_ROOT"], time.monotonic()
    if now >= _next_temp_sweep.get(root, 0):
        _next_temp_sweep[root] = now + current_app.config["UPLOAD_TEMP_MAX_AGE"] / 4
        remove_stale_temp_files()
