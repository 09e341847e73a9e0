"""The content-addressed store: idempotency, limits, hashes, paths and served headers."""

from __future__ import annotations

import hashlib
import os
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote

import pytest

from webapp.errors import InvalidInput, NotFound, TooLarge
from webapp.media import store
from webapp.media.store import (
    blob_path,
    has_blob,
    open_blob,
    save_bytes,
    save_stream,
    send_blob,
    verify_blob,
)

DATA = b"evidence bytes \x00\xff" * 100
SHA = hashlib.sha256(DATA).hexdigest()


def test_save_stream_stores_by_hash_under_two_level_folders(ctx):
    blob = save_stream(BytesIO(DATA), max_bytes=10_000)
    assert blob == store.StoredBlob(SHA, len(DATA))
    path = Path(ctx.config["UPLOAD_ROOT"]).resolve() / "blobs" / SHA[:2] / SHA[2:4] / SHA
    assert blob_path(SHA) == path
    assert path.read_bytes() == DATA
    assert has_blob(SHA)
    with open_blob(SHA) as f:
        assert f.read() == DATA


def test_saving_twice_keeps_the_first_file(ctx, stored_files):
    save_stream(BytesIO(DATA), max_bytes=10_000)
    before = os.stat(blob_path(SHA))
    again = save_bytes(DATA)
    after = os.stat(blob_path(SHA))
    assert again.sha256 == SHA
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert stored_files() == [blob_path(SHA)]


def test_stored_blob_is_read_only(ctx):
    save_bytes(DATA)
    assert os.stat(blob_path(SHA)).st_mode & 0o222 == 0


def test_expected_hash_accepted_in_any_case(ctx):
    assert save_stream(BytesIO(DATA), max_bytes=10_000, expected_sha256=SHA.upper()).sha256 == SHA


@pytest.mark.parametrize("expected", ["0" * 64, SHA[:-1], "not-a-hash"])
def test_hash_mismatch_is_refused_and_nothing_stored(ctx, stored_files, expected):
    with pytest.raises(InvalidInput) as err:
        save_stream(BytesIO(DATA), max_bytes=10_000, expected_sha256=expected)
    assert err.value.code == "hash_mismatch"
    assert err.value.status == 422
    assert stored_files() == []


def test_size_limit(ctx, stored_files):
    assert save_stream(BytesIO(b"x" * 10), max_bytes=10).size == 10
    with pytest.raises(TooLarge) as err:
        save_stream(BytesIO(b"y" * 11), max_bytes=10)
    assert err.value.status == 413
    assert "太大" in err.value.message
    assert [p.name for p in stored_files()] == [hashlib.sha256(b"x" * 10).hexdigest()]


def test_zero_bytes_refused(ctx, stored_files):
    with pytest.raises(InvalidInput) as err:
        save_stream(BytesIO(b""), max_bytes=10)
    assert err.value.code == "empty_file"
    assert stored_files() == []


class _RecordingStream:
    """A 3 MiB stream that records how much each read() asked for."""

    def __init__(self):
        self.inner = BytesIO(os.urandom(3 * 1024 * 1024))
        self.requests: list[int | None] = []

    def read(self, n=-1):
        self.requests.append(n)
        return self.inner.read(n)


def test_reads_in_bounded_chunks_never_the_whole_body(ctx):
    stream = _RecordingStream()
    blob = save_stream(stream, max_bytes=4 * 1024 * 1024)
    assert blob.size == 3 * 1024 * 1024
    assert len(stream.requests) >= 4
    assert all(n is not None and 0 < n <= 1024 * 1024 for n in stream.requests)


def test_stops_reading_once_over_the_limit(ctx):
    stream = _RecordingStream()
    with pytest.raises(TooLarge):
        save_stream(stream, max_bytes=1024 * 1024 + 1)
    assert len(stream.requests) == 2


@pytest.mark.parametrize(
    "bad",
    [
        "../" + "a" * 61,
        "a" * 63,
        "a" * 65,
        "A" * 64,
        "a" * 63 + "/",
        "a" * 63 + "\x00",
        "/etc/passwd",
        "",
        None,
    ],
)
def test_blob_path_refuses_anything_but_a_digest(ctx, bad):
    with pytest.raises(ValueError, match="SHA-256"):
        blob_path(bad)


def test_blob_path_refuses_a_symlink_leading_outside_the_root(ctx, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    first = Path(ctx.config["UPLOAD_ROOT"]) / "blobs" / "ab"
    first.mkdir(parents=True)
    (first / "cd").symlink_to(outside)
    with pytest.raises(ValueError, match="outside"):
        blob_path("abcd" + "0" * 60)


def test_verify_blob_detects_changed_and_missing_files(ctx):
    save_bytes(DATA)
    assert verify_blob(SHA)
    path = blob_path(SHA)
    path.chmod(0o600)
    path.write_bytes(DATA[:-1] + b"!")
    assert not verify_blob(SHA)
    path.unlink()
    assert not verify_blob(SHA)
    assert not has_blob(SHA)


def test_open_missing_blob_is_not_found(ctx):
    with pytest.raises(NotFound):
        open_blob("f" * 64)


def _body(response) -> bytes:
    response.direct_passthrough = False
    return response.get_data()


def test_send_blob_inline_headers(app):
    with app.test_request_context("/files/x"):
        save_bytes(DATA)
        with send_blob(SHA, content_type="image/jpeg") as response:
            h = response.headers
            body = _body(response)
        assert response.status_code == 200
        assert h["Content-Type"] == "image/jpeg"
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert h["Cache-Control"] == "private, max-age=600"
        assert "Content-Disposition" not in h
        assert int(h["Content-Length"]) == len(DATA)
        assert body == DATA


def test_send_blob_attachment_with_chinese_name(app):
    name = "整改报告（第1次）\"终稿\".pdf"
    with app.test_request_context("/files/x"):
        save_bytes(DATA)
        with send_blob(SHA, content_type="application/pdf", download_name=name,
                       as_attachment=True) as response:
            pass
        disposition = response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Type"] == "application/pdf"
        assert disposition.startswith('attachment; filename="file.pdf"; ')
        assert disposition.isascii()
        encoded = disposition.split("filename*=UTF-8''", 1)[1]
        assert unquote(encoded, encoding="utf-8") == name


def test_send_blob_ascii_name_kept_in_the_fallback(app):
    with app.test_request_context("/files/x"):
        save_bytes(DATA)
        with send_blob(SHA, content_type="image/png", download_name="scan 1.png") as response:
            pass
        assert response.headers["Content-Disposition"] == (
            "inline; filename=\"scan 1.png\"; filename*=UTF-8''scan%201.png")


def test_send_blob_answers_304_to_its_etag(app):
    with app.test_request_context("/files/x", headers={"If-None-Match": f'"{SHA}"'}):
        save_bytes(DATA)
        with send_blob(SHA, content_type="image/jpeg") as response:
            pass
        assert response.status_code == 304


def test_send_missing_blob_is_not_found(app):
    with app.test_request_context("/files/x"), pytest.raises(NotFound):
        send_blob("e" * 64, content_type="image/jpeg")
