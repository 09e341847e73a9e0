"""Inspection sync figures: record PUT (create, replay, draft replace), 12 MP photo PUT (with and
without an EXIF capture time, which redraws the caption), submit, and the visibility-filtered
list at 1,000 inspections. In-process (Flask test client), SQLite or TEST_DATABASE_URL.

Run: .venv/bin/python benchmarks/bench_inspections.py   (prints figures; asserts nothing on time)
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.auth import services as auth  # noqa: E402
from webapp.auth.models import Role  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.inspections.checklists import active_checklists, seed_checklists  # noqa: E402
from webapp.org.models import Unit, UnitKind  # noqa: E402

PASSWORD = "benchmark-password-2026"  # noqa: S105
RUNS = 10


def photo(seed: int, exif_time: str | None) -> bytes:
    img = Image.effect_noise((4000, 3000), 40 + seed).convert("RGB")
    out = BytesIO()
    kw = {}
    if exif_time:
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = exif_time
        kw["exif"] = exif.tobytes()
    img.save(out, "JPEG", quality=85, **kw)
    return out.getvalue()


def ref(data: bytes) -> dict:
    return {"uuid": str(uuid.uuid4()), "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data), "content_type": "image/jpeg", "filename": None}


def body(unit_id: int, items: list[int], refs: list[dict], place: str = "户籍窗口") -> dict:
    findings = [{"uuid": str(uuid.uuid4()), "category": "service", "severity": "minor",
                 "description": "窗口工作人员态度生硬" * 5, "photos": [r]} for r in refs]
    return {"target_unit_id": unit_id, "mode": "unannounced",
            "started_at": "2026-11-20T09:30:00+08:00", "ended_at": None, "place": place,
            "gps": {"lat": 30.1, "lon": 120.2, "accuracy": 10}, "companions": "张三",
            "checklist": [{"checklist_item_id": i, "result": "pass", "note": None,
                           "photos": []} for i in items],
            "findings": findings}


def timed(fn, expect: tuple[int, ...] = (200, 201)) -> float:
    start = time.perf_counter()
    resp = fn()
    elapsed = (time.perf_counter() - start) * 1000
    if resp.status_code not in expect:
        raise SystemExit(f"unexpected {resp.status_code}: {resp.get_data(as_text=True)[:300]}")
    return elapsed


def median(times: list[float]) -> str:
    return f"{statistics.median(times):7.1f} ms"


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-insp-"))
    uri = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp / 'b.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "b", "AUDIT_HMAC_KEY": "b",
                      "SQLALCHEMY_DATABASE_URI": uri, "UPLOAD_ROOT": str(tmp / "up"),
                      "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    with app.app_context():
        from webapp.cli import upgrade_schema

        upgrade_schema()
        unit = Unit(code="HZ", name="户政服务窗口", kind=UnitKind.WINDOW)
        db.session.add(unit)
        auth.create_user(username="insp", name="督查员", role=Role.INSPECTOR,
                         password=PASSWORD, skip_policy=True)
        auth.create_user(username="office", name="督办员", role=Role.OFFICE,
                         password=PASSWORD, skip_policy=True)
        seed_checklists()
        db.session.commit()
        unit_id = unit.id
        items = [i.id for i in active_checklists()["window"]]
    client = app.test_client()

    def token(username: str) -> dict:
        resp = client.post("/api/v1/auth/token", json={"username": username,
                                                       "password": PASSWORD})
        return {"Authorization": f"Bearer {resp.json['access_token']}"}

    insp, office = token("insp"), token("office")
    print(f"database: {uri.split(':')[0]}; {RUNS} runs each, median")

    create, replay, replace = [], [], []
    for _ in range(RUNS):
        small = [ref(f"photo-{i}".encode()) for i in range(20)]
        uid = str(uuid.uuid4())
        b = body(unit_id, items, small)
        create.append(timed(lambda u=uid, b=b: client.put(f"/api/v1/inspections/{u}", json=b,
                                                          headers=insp)))
        replay.append(timed(lambda u=uid, b=b: client.put(f"/api/v1/inspections/{u}", json=b,
                                                          headers=insp)))
        b2 = body(unit_id, items, small, place="户籍窗口二楼")
        replace.append(timed(lambda u=uid, b=b2: client.put(f"/api/v1/inspections/{u}", json=b,
                                                            headers=insp)))
    print(f"record PUT, 10 checklist lines + 20 findings/photos: create {median(create)}, "
          f"replay {median(replay)}, draft replace {median(replace)}")

    for label, exif_time in (("no EXIF time", None), ("EXIF capture time in the caption",
                                                     "2026:11:20 09:35:00")):
        times, size = [], 0
        for n in range(RUNS // 2):
            data = photo(n, exif_time)
            size = len(data)
            r = ref(data)
            uid = str(uuid.uuid4())
            client.put(f"/api/v1/inspections/{uid}", json=body(unit_id, items, [r]),
                       headers=insp)
            headers = {**insp, "X-Content-SHA256": r["sha256"], "Content-Type": "image/jpeg"}
            url = f"/api/v1/inspections/{uid}/photos/{r['uuid']}"
            times.append(timed(lambda u=url, d=data, h=headers: client.put(u, data=d,
                                                                          headers=h)))
            again = timed(lambda u=url, d=data, h=headers: client.put(u, data=d, headers=h))
            sub = timed(lambda u=uid: client.post(f"/api/v1/inspections/{u}/submit",
                                                  headers=insp))
        print(f"photo PUT 4000x3000 JPEG {size / 1e6:.1f} MB, {label}: {median(times)} "
              f"(repeat {again:.1f} ms, submit {sub:.1f} ms)")

    with app.app_context():
        count = db.session.execute(db.text("SELECT count(*) FROM inspection")).scalar()
    bulk = 1000 - count
    for _ in range(bulk):
        client.put(f"/api/v1/inspections/{uuid.uuid4()}", json=body(unit_id, items[:3], []),
                   headers=insp)
    lists = [timed(lambda: client.get("/api/v1/inspections", headers=office))
             for _ in range(RUNS)]
    searches = [timed(lambda: client.get("/api/v1/inspections?q=态度", headers=office))
                for _ in range(RUNS)]
    print(f"list API at 1,000 inspections (page of 20): {median(lists)}; "
          f"text search: {median(searches)}")


if __name__ == "__main__":
    main()
