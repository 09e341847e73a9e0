"""PUT /inspections/{uuid}/photos/{photo_uuid}: stored once, refusals store nothing, submit
waits for every photo, concurrent duplicates end with one photo."""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.inspections.conftest import (
    fetch,
    finding,
    jpeg,
    new_uuid,
    photo_ref,
    png,
    record_body,
)
from webapp.audit.models import AuditEvent
from webapp.extensions import db
from webapp.inspections.models import Photo


def _stored_files(app) -> int:
    root = Path(app.config["UPLOAD_ROOT"]) / "blobs"
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


@pytest.fixture
def draft(as_user, inspector, units):
    """A draft with two photos listed (JPEG and PNG)."""
    api = as_user(inspector)
    data = [jpeg(20, exif_time="2026:11:20 09:35:12"), png(21)]
    refs = [photo_ref(data[0], filename="IMG_0001.jpg"),
            photo_ref(data[1], content_type="image/png")]
    uuid = new_uuid()
    assert api.put(uuid, record_body(units["A"].id, findings=[finding(*refs)])).status_code == 201
    return {"api": api, "uuid": uuid, "refs": refs, "data": data}


def test_upload_stores_once_and_submit_waits_for_every_photo(app, draft):
    api, uuid, refs, data = draft["api"], draft["uuid"], draft["refs"], draft["data"]
    resp = api.submit(uuid)
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "photos_missing"
    assert resp.json["error"]["missing"] == [r["uuid"] for r in refs]
    first = api.upload(uuid, refs[0], data[0])
    assert first.status_code == 201, first.json
    assert first.json == {"uuid": refs[0]["uuid"], "sha256": refs[0]["sha256"],
                          "photos_expected": [r["uuid"] for r in refs],
                          "photos_received": [refs[0]["uuid"]]}
    assert api.upload(uuid, refs[0], data[0]).status_code == 200  # repeat: harmless
    resp = api.submit(uuid)
    assert resp.status_code == 409
    assert resp.json["error"]["missing"] == [refs[1]["uuid"]]
    assert api.get(f"/inspections/{uuid}").json["state"] == "draft"
    assert api.upload(uuid, refs[1], data[1]).status_code == 201
    resp = api.submit(uuid)
    assert resp.status_code == 200
    assert resp.json["state"] == "submitted"
    assert resp.json["photos_received"] == [r["uuid"] for r in refs]
    assert api.submit(uuid).status_code == 200  # repeat
    with app.app_context():
        photo = db.session.scalar(select(Photo).where(Photo.uuid == refs[0]["uuid"]))
        assert photo.received_type == "image/jpeg"
        assert (photo.width, photo.height) == (64, 48)
        # EXIF time is local (Asia/Shanghai): 09:35:12 there is 01:35:12 UTC.
        assert photo.taken_at.isoformat() == "2026-11-20T01:35:12+00:00"
        events = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "photo_receive"))
        assert events == 2


def test_other_bytes_for_a_received_photo_are_409_and_nothing_changes(app, draft):
    """Nothing lost: the same body again → 200, a different body for the same id → 409."""
    api, uuid, ref, data = draft["api"], draft["uuid"], draft["refs"][0], draft["data"][0]
    assert api.upload(uuid, ref, data).status_code == 201
    other = jpeg(99)
    for body, sha in ((other, ref["sha256"]),  # other bytes under the promised hash
                      (other, hashlib.sha256(other).hexdigest()),  # other bytes, their hash
                      (b"", ref["sha256"])):  # no bytes at all
        resp = api.upload(uuid, ref, body, sha=sha)
        assert resp.status_code == 409, resp.json
        assert resp.json["error"]["code"] == "photo_conflict"
        assert "IMG_0001.jpg" in resp.json["error"]["message"]
    assert api.upload(uuid, ref, data).status_code == 200  # the same bytes: still fine
    with app.app_context():
        photo = db.session.scalar(select(Photo).where(Photo.uuid == ref["uuid"]))
        assert photo.sha256 == ref["sha256"]
        events = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "photo_receive"))
        assert events == 1
    assert _stored_files(app) == 3


def test_original_is_kept_byte_for_byte_and_copies_are_clean(app, draft, as_user, office):
    api, uuid, refs, data = draft["api"], draft["uuid"], draft["refs"], draft["data"]
    api.upload(uuid, refs[0], data[0])
    viewer = as_user(office).client
    from tests.helpers import login

    login(viewer, office)
    original = fetch(viewer, f"/inspections/photos/{refs[0]['uuid']}/original")
    assert original.status_code == 200
    assert original.data == data[0]
    assert hashlib.sha256(original.data).hexdigest() == refs[0]["sha256"]
    assert original.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in original.headers["Content-Security-Policy"]
    assert original.headers["X-Content-Type-Options"] == "nosniff"
    display = fetch(viewer, f"/inspections/photos/{refs[0]['uuid']}/display")
    assert display.status_code == 200
    assert display.mimetype == "image/jpeg"
    img = Image.open(BytesIO(display.data))
    assert img.height > 48  # the caption strip under the picture
    assert not img.getexif()  # no EXIF (time, GPS) in the copy
    thumb = fetch(viewer, f"/inspections/photos/{refs[0]['uuid']}/thumb")
    assert thumb.status_code == 200
    assert Image.open(BytesIO(thumb.data)).format == "JPEG"
    assert fetch(viewer, f"/inspections/photos/{refs[0]['uuid']}/exif").status_code == 404
    # Not yet received: no file to serve.
    assert fetch(viewer, f"/inspections/photos/{refs[1]['uuid']}/thumb").status_code == 404


def _refusals(data: bytes):
    truncated = data[: len(data) // 2]
    yield "zero bytes", b"", 422
    yield "truncated JPEG", truncated, 422
    yield "PDF named .jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", 415
    yield "text", "这不是图片，只是一段文字。".encode(), 415
    yield "HTML", b"<html><script>alert(1)</script></html>", 415


def test_every_refused_file_is_4xx_and_nothing_is_stored(app, as_user, inspector, units):
    api = as_user(inspector)
    good = jpeg(30, size=(200, 150))
    for name, body, status in _refusals(good):
        # The phone hashed what it sends, so the hash matches: the content is what is refused.
        ref = photo_ref(body or good)
        uuid = new_uuid()
        api.put(uuid, record_body(units["A"].id, findings=[finding(ref)]))
        resp = api.upload(uuid, ref, body)
        assert resp.status_code == status, (name, resp.json)
        assert resp.json["error"]["message"], name
        assert api.get(f"/inspections/{uuid}").json["photos_received"] == [], name
        assert _stored_files(app) == 0, name


@pytest.mark.parametrize("keep", [0.95, 0.9, 0.5, 0.3])
def test_truncated_heic_is_422_like_a_truncated_jpeg(app, as_user, inspector, units, keep):
    from tests.media.imaging import phone_heic

    api = as_user(inspector)
    heic = phone_heic()
    for name, data in (("HEIC", heic[: int(len(heic) * keep)]),
                       ("JPEG", (good := jpeg(31, size=(200, 150)))[: int(len(good) * keep)])):
        ref = photo_ref(data, content_type=f"image/{name.lower()}", filename=f"IMG.{name}")
        uuid = new_uuid()
        assert api.put(uuid, record_body(units["A"].id, findings=[finding(ref)])).status_code \
            == 201
        resp = api.upload(uuid, ref, data)
        assert (resp.status_code, resp.json["error"]["code"]) == (422, "corrupt_image"), name
        assert api.get(f"/inspections/{uuid}").json["photos_received"] == [], name
        assert _stored_files(app) == 0, name


def test_wrong_hash_is_422_and_nothing_is_stored(app, draft):
    api, uuid, refs, data = draft["api"], draft["uuid"], draft["refs"], draft["data"]
    # Header differs from the record.
    resp = api.upload(uuid, refs[0], data[0], sha="0" * 64)
    assert resp.status_code == 422
    assert resp.json["error"]["code"] == "hash_mismatch"
    # Header matches the record, bytes do not (damaged on the way).
    damaged = data[0][:-10] + b"\x00" * 10
    resp = api.upload(uuid, refs[0], damaged)
    assert resp.status_code == 422
    assert resp.json["error"]["code"] == "hash_mismatch"
    assert _stored_files(app) == 0
    assert api.get(f"/inspections/{uuid}").json["photos_received"] == []


def test_declared_type_outside_the_allowlist_is_415(draft):
    api, uuid, refs, data = draft["api"], draft["uuid"], draft["refs"], draft["data"]
    resp = api.upload(uuid, refs[0], data[0], content_type="text/plain")
    assert resp.status_code == 415
    assert resp.json["error"]["code"] == "unsupported_type"


def test_too_large_is_413(app, draft):
    api, uuid, refs, data = draft["api"], draft["uuid"], draft["refs"], draft["data"]
    app.config["MAX_PHOTO_BYTES"], old = len(data[0]) - 1, app.config["MAX_PHOTO_BYTES"]
    try:
        resp = api.upload(uuid, refs[0], data[0])
    finally:
        app.config["MAX_PHOTO_BYTES"] = old
    assert resp.status_code == 413
    assert _stored_files(app) == 0


def test_unknown_photo_or_inspection_is_404(draft, as_user, inspector_b):
    api, uuid, refs, data = draft["api"], draft["uuid"], draft["refs"], draft["data"]
    stranger = photo_ref(data[0])
    assert api.upload(uuid, stranger, data[0]).status_code == 404
    assert api.upload(new_uuid(), refs[0], data[0]).status_code == 404
    assert api.upload("nonsense", refs[0], data[0]).status_code == 404
    assert as_user(inspector_b).upload(uuid, refs[0], data[0]).status_code == 404


def test_concurrent_duplicate_uploads_end_with_exactly_one_photo(app, draft, as_user, inspector):
    uuid, ref, data = draft["uuid"], draft["refs"][0], draft["data"][0]
    apis = [as_user(inspector) for _ in range(5)]
    barrier = threading.Barrier(len(apis))
    statuses: list[int] = []

    def run(api):
        barrier.wait()
        statuses.append(api.upload(uuid, ref, data).status_code)

    threads = [threading.Thread(target=run, args=(api,)) for api in apis]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 4 + [201]
    with app.app_context():
        rows = db.session.scalars(select(Photo).where(Photo.uuid == ref["uuid"])).all()
        assert len(rows) == 1
        assert rows[0].received_at is not None
        events = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "photo_receive"))
        assert events == 1


def test_caption_carries_the_capture_time_in_one_pass(app, draft):
    """The display copy's caption shows the EXIF capture time (local), drawn in the same decode:
    exactly three files are stored for one photo (original, thumbnail, display copy)."""
    from webapp.inspections.models import Photo

    api, uuid, ref = draft["api"], draft["uuid"], draft["refs"][0]
    assert api.upload(uuid, ref, draft["data"][0]).status_code == 201
    assert _stored_files(app) == 3
    with app.app_context():
        photo = db.session.scalar(select(Photo).where(Photo.uuid == ref["uuid"]))
        assert photo.taken_at.isoformat() == "2026-11-20T01:35:12+00:00"


def _display_made_with(caption: str, data: bytes) -> str:
    """The display copy's hash when drawn with exactly this caption."""
    from webapp.media.photos import ingest_photo

    return ingest_photo(BytesIO(data), caption=caption).display_sha256


def _caption_cases():
    place = "城关派出所户籍窗口"
    return [
        # (photo, added on the phone, the caption printed under it)
        (jpeg(40, exif_time="2026:11:20 09:35:12"), "2026-11-20T09:50:00+08:00",
         f"拍摄时间 2026-11-20 09:35 {place} 城关派出所"),
        (jpeg(41), "2026-11-20T01:36:30Z", f"添加时间 2026-11-20 09:36 {place} 城关派出所"),
        (png(42), "2026-11-20T09:37:00+08:00", f"添加时间 2026-11-20 09:37 {place} 城关派出所"),
    ]


def test_caption_labels_the_time_it_shows(app, as_user, inspector, units):
    """EXIF capture time → 拍摄时间; none (screenshot, forwarded photo) → the time the photo was
    added on the phone, as 添加时间; that display copy is what the 暗访检查记录 prints."""
    api = as_user(inspector)
    cases = _caption_cases()
    refs = [{**photo_ref(data, content_type="image/png" if data.startswith(b"\x89PNG")
                         else "image/jpeg"), "added_at": added}
            for data, added, _ in cases]
    uuid = new_uuid()
    assert api.put(uuid, record_body(units["A"].id, findings=[finding(*refs)])).status_code \
        == 201
    for ref, (data, _, _) in zip(refs, cases, strict=True):
        assert api.upload(uuid, ref, data).status_code == 201
    with app.app_context():
        for ref, (data, added, expected) in zip(refs, cases, strict=True):
            photo = db.session.scalar(select(Photo).where(Photo.uuid == ref["uuid"]))
            assert photo.added_at == datetime.fromisoformat(added)
            assert photo.display_sha256 == _display_made_with(expected, data), expected


def test_caption_without_any_phone_time_says_upload_time(app, as_user, inspector, units):
    """An API client that sends no added_at: the received time, labelled 上传时间."""
    api = as_user(inspector)
    data = jpeg(43)
    ref = photo_ref(data)
    uuid = new_uuid()
    api.put(uuid, record_body(units["A"].id, place=None, findings=[finding(ref)]))
    assert api.upload(uuid, ref, data).status_code == 201
    with app.app_context():
        photo = db.session.scalar(select(Photo).where(Photo.uuid == ref["uuid"]))
        assert photo.added_at is None
        local = photo.received_at.astimezone(ZoneInfo("Asia/Shanghai"))
        candidates = {f"上传时间 {moment:%Y-%m-%d %H:%M} 城关派出所"
                      for moment in (local, local - timedelta(minutes=1))}
        assert photo.display_sha256 in {_display_made_with(c, data) for c in candidates}


def test_added_at_is_checked_like_other_times(as_user, inspector, units):
    api = as_user(inspector)
    for bad in ("yesterday", "2026-11-20T09:37:00", "1999-01-01T00:00:00+08:00", 5):
        ref = {**photo_ref(jpeg(44)), "added_at": bad}
        resp = api.put(new_uuid(), record_body(units["A"].id, findings=[finding(ref)]))
        assert resp.status_code == 422, bad
        assert resp.json["error"]["field"] == "findings[0].photos[0].added_at"
