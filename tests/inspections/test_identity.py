"""A record's identity (its canonical form and hash) stays the same across app versions."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select, update

from tests.inspections.conftest import finding, jpeg, new_uuid, photo_ref, record_body
from webapp.audit.models import AuditEvent
from webapp.extensions import db
from webapp.inspections import body as record_body_rules
from webapp.inspections.models import Inspection
from webapp.inspections.services import stored_record


def _hash(app, body: dict) -> str:
    with app.app_context():
        return record_body_rules.body_hash(record_body_rules.parse_record(body))


def _hash_with_nulls(app, body: dict) -> str:
    """The hash as versions before the canonical form made it (null members included)."""
    with app.app_context():
        record = record_body_rules.parse_record(body)
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def test_null_members_and_unknown_optional_keys_do_not_change_the_hash(app, units):
    ref = photo_ref(jpeg(1), filename="IMG_1.jpg")
    body = record_body(units["A"].id, findings=[finding(ref)], companions=None, gps=None)
    base = _hash(app, body)
    later = {**body, "weather": None, "device": "Pixel 7", "gps": None,
             "findings": [{**body["findings"][0], "witness": None,
                           "photos": [{**ref, "exif_hint": None, "orientation": 6}]}]}
    assert _hash(app, later) == base
    assert _hash(app, {k: v for k, v in body.items() if k not in ("gps", "companions")}) == base
    assert _hash(app, {**body, "checklist": None}) == base
    assert _hash(app, {**body, "place": "别处"}) != base  # content still counts
    assert _hash(app, {**body, "findings": []}) != base


def test_canonical_form_leaves_out_empty_members_at_every_depth():
    assert record_body_rules.canonical(
        {"a": None, "b": "", "c": [], "d": {}, "e": {"f": None}, "g": [{"h": None}, 0, False],
         "i": 0.0}) == {"g": [{}, 0, False], "i": 0.0}


def test_the_rows_give_back_the_hash_of_the_record(as_user, inspector, units, checklist_ids,
                                                   app):
    """The record rebuilt from its rows hashes like the record sent (both databases)."""
    api = as_user(inspector)
    refs = [photo_ref(jpeg(i), filename=name) for i, name in ((2, "IMG_2.jpg"), (3, None))]
    item = checklist_ids["police_station"][0]
    body = record_body(
        units["A"].id, started_at="2026-11-20T09:30:00.123456+08:00",
        gps={"lat": 30.123456789, "lon": 120.987654321, "accuracy": 7},
        checklist=[{"checklist_item_id": item, "result": "fail", "note": None,
                    "photos": [refs[0]]}],
        findings=[finding(refs[1], description="  窗口无人  ")])
    uuid = new_uuid()
    assert api.put(uuid, body).status_code == 201
    with app.app_context():
        row = db.session.scalar(select(Inspection).where(Inspection.uuid == uuid))
        assert record_body_rules.body_hash(stored_record(row)) == row.body_hash
        assert row.body_hash == _hash(app, body)


def test_an_upgraded_phone_resending_a_submitted_record_gets_success(submitted, units, app):
    """A record hashed by an older version (null members included) is still the same record."""
    facts = submitted()
    api, uuid = facts["api"], facts["uuid"]
    same = record_body(units["A"].id, findings=facts["findings"])
    with app.app_context():
        db.session.execute(update(Inspection).where(Inspection.uuid == uuid)
                           .values(body_hash=_hash_with_nulls(app, same)))
        db.session.commit()
    assert _hash_with_nulls(app, same) != _hash(app, same)
    resp = api.put(uuid, same)
    assert resp.status_code == 200, resp.json
    assert resp.json["state"] == "submitted"
    newer = {**same, "weather": None, "findings": [{**f, "witness": None}
                                                   for f in same["findings"]]}
    assert api.put(uuid, newer).status_code == 200
    assert api.submit(uuid).status_code == 200
    changed = api.put(uuid, {**same, "place": "别处"})
    assert changed.status_code == 409
    assert changed.json["error"]["code"] == "already_submitted"
    with app.app_context():
        updates = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "inspection_update"))
        assert updates == 0
