"""Fixtures for inspections: seeded checklists, real images made with Pillow, record bodies."""

from __future__ import annotations

import hashlib
import random
import uuid as uuidlib
from io import BytesIO

import pytest
from PIL import Image

from webapp.auth.models import Role
from webapp.extensions import db


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def jpeg(seed: int = 0, size: tuple[int, int] = (64, 48), exif_time: str | None = None) -> bytes:
    """A real JPEG with random pixels (a different file for every seed)."""
    rng = random.Random(seed)
    img = Image.new("RGB", size)
    img.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                 for _ in range(size[0] * size[1])])
    out = BytesIO()
    if exif_time:
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = exif_time  # DateTimeOriginal
        img.save(out, "JPEG", quality=90, exif=exif.tobytes())
    else:
        img.save(out, "JPEG", quality=90)
    return out.getvalue()


def png(seed: int = 0) -> bytes:
    rng = random.Random(seed)
    img = Image.new("RGB", (32, 32), (rng.randrange(256), 10, 20))
    out = BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def photo_ref(data: bytes, *, content_type: str = "image/jpeg", filename: str | None = None,
              uuid: str | None = None) -> dict:
    return {"uuid": uuid or new_uuid(), "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data), "content_type": content_type, "filename": filename}


def record_body(unit_id: int, *, checklist=(), findings=(), **overrides) -> dict:
    body = {
        "target_unit_id": unit_id,
        "mode": "unannounced",
        "started_at": "2026-11-20T09:30:00+08:00",
        "ended_at": "2026-11-20T10:15:00+08:00",
        "place": "城关派出所户籍窗口",
        "gps": {"lat": 30.1, "lon": 120.2, "accuracy": 12.5},
        "companions": "张三、李四",
        "checklist": list(checklist),
        "findings": list(findings),
    }
    body.update(overrides)
    return body


def finding(*photos: dict, description: str = "窗口民警工作时间玩手机，群众排队等候", **kw) -> dict:
    return {"uuid": kw.get("uuid", new_uuid()), "category": kw.get("category", "discipline"),
            "severity": kw.get("severity", "moderate"), "description": description,
            "photos": list(photos)}


@pytest.fixture
def checklist_ids(app) -> dict[str, list[int]]:
    """The default checklists seeded; ids per unit kind value."""
    from webapp.inspections.checklists import active_checklists, seed_checklists

    with app.app_context():
        seed_checklists()
        db.session.commit()
        return {kind: [i.id for i in rows] for kind, rows in active_checklists().items()}


@pytest.fixture
def inspector_b(make_user):
    return make_user("inspector_b", Role.INSPECTOR, name="钱督查")


class Api:
    """A small client for the inspection API with one persona's Bearer token."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def put(self, uuid: str, body: dict):
        return self.client.put(f"/api/v1/inspections/{uuid}", json=body, headers=self.headers)

    def get(self, path: str, **kw):
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kw)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(f"/api/v1{path}", json=body or {}, headers=self.headers)

    def upload(self, uuid: str, ref: dict, data: bytes, *, sha: str | None = None,
               content_type: str | None = None):
        headers = {**self.headers, "X-Content-SHA256": sha or ref["sha256"],
                   "Content-Type": content_type or ref["content_type"]}
        return self.client.put(f"/api/v1/inspections/{uuid}/photos/{ref['uuid']}", data=data,
                               headers=headers)

    def submit(self, uuid: str):
        return self.post(f"/inspections/{uuid}/submit")


@pytest.fixture
def as_user(app, api_headers):
    """Api(persona): an API client with that persona's token (each its own test client)."""

    def make(persona) -> Api:
        return Api(app.test_client(), api_headers(persona))

    return make


@pytest.fixture
def submitted(as_user, inspector, units):
    """A submitted inspection of unit A with one finding and one photo; returns its facts."""

    def make(persona=None, unit_key: str = "A", n_findings: int = 1) -> dict:
        api = as_user(persona or inspector)
        data = [jpeg(seed=100 + i) for i in range(n_findings)]
        refs = [photo_ref(d, filename=f"IMG_{i:03d}.jpg") for i, d in enumerate(data)]
        findings = [finding(ref) for ref in refs]
        uuid = new_uuid()
        resp = api.put(uuid, record_body(units[unit_key].id, findings=findings))
        assert resp.status_code == 201, resp.json
        for ref, d in zip(refs, data, strict=True):
            assert api.upload(uuid, ref, d).status_code == 201
        assert api.submit(uuid).status_code == 200
        return {"uuid": uuid, "refs": refs, "data": data, "findings": findings, "api": api}

    return make


@pytest.fixture
def published(submitted, as_user, office):
    """A published inspection (see `submitted`); the office's Api is under "office"."""

    def make(**kw) -> dict:
        facts = submitted(**kw)
        office_api = as_user(office)
        resp = office_api.post(f"/inspections/{facts['uuid']}/publish",
                               {"result_summary": "窗口纪律总体较好，发现问题已责令整改。"})
        assert resp.status_code == 200, resp.json
        return {**facts, "office": office_api}

    return make


def fetch(client, url: str):
    """GET a URL, buffer the body and close the response (file responses hold a handle)."""
    resp = client.get(url)
    resp.get_data()
    resp.close()
    return resp


def csrf_login(client, persona):
    """Log in through the real form with its CSRF token (for tests with csrf_on)."""
    import re

    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    resp = client.post("/login", data={"username": persona.username,
                                       "password": persona.password, "csrf_token": token})
    assert resp.status_code == 302
    return client
