"""Notifications end to end against real local servers: written with the event, delivered by
the worker after commit, signed, retried with backoff, dead-lettered, resent; e-mail over
SMTP; quiet hours, preferences, one SMS per person per item per day."""

from __future__ import annotations

import email
import email.policy
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from tests.notify.conftest import SECRET
from webapp.auth.models import User
from webapp.database import utcnow
from webapp.extensions import db
from webapp.notify import worker
from webapp.notify.channels import signature
from webapp.notify.models import Channel, Notification
from webapp.people import services as people


@pytest.fixture
def zhang(app, units, office, liaison_a):
    """张伟 (所长 of unit A, no account) with a mobile and an e-mail; the liaison's mobile."""
    with app.app_context():
        p = people.create_person(actor=db.session.get(User, office.id), unit=units["A"].id,
                                 name="张伟", post="所长", mobile="13800000001",
                                 email="zhangwei@pcs-a.example")
        people.person_for_user(db.session.get(User, liaison_a.id)).mobile = "13900000002"
        db.session.commit()
        return p.id


def _assign(client, api_headers, office, units, code, **extra):
    due = (date.today() + timedelta(days=9)).isoformat()
    return client.post(f"/api/v1/items/{code}/assign", headers=api_headers(office), json={
        "lead_unit_id": units["A"].id, "due_date": due, "first_responsible": "张伟",
        "direct_responsible": "李四", **extra})


def _deliver(app, now=None) -> int:
    with app.app_context():
        return worker.deliver_due(now=now)


def _states(app) -> dict:
    with app.app_context():
        return dict(db.session.execute(
            select(Notification.state, func.count()).where(Notification.channel != "inapp")
            .group_by(Notification.state)).all())


def test_assign_reaches_the_liaison_in_app_and_by_signed_sms(
        app, client, api_headers, office, liaison_a, make_item, units, zhang, receiver):
    code = make_item("registered")
    assert _assign(client, api_headers, office, units, code).status_code == 200
    assert _deliver(app) == 2  # the liaison's and 张伟's SMS
    got = {m["to"]["mobile"]: m for m in receiver.messages}
    assert set(got) == {"13900000002", "13800000001"}
    assert code in got["13800000001"]["text"] and got["13800000001"]["event"] == "assigned"
    for headers, body in zip(receiver.headers, receiver.bodies, strict=True):
        assert headers["X-Duban-Signature"] == signature(SECRET, headers["X-Duban-Timestamp"],
                                                         body)
    # in-app: the liaison's inbox, read through the API
    h = api_headers(liaison_a)
    inbox = client.get("/api/v1/notifications", headers=h).json
    assert inbox["unread"] == 1 and inbox["notifications"][0]["href"] == f"/items/{code}"
    nid = inbox["notifications"][0]["id"]
    assert client.post(f"/api/v1/notifications/{nid}/read", headers=h).status_code == 200
    assert client.get("/api/v1/notifications", headers=h).json["unread"] == 0
    # another person's message is not theirs
    other = client.get("/api/v1/notifications", headers=api_headers(office)).json
    assert other["notifications"] == []
    assert client.post(f"/api/v1/notifications/{nid}/read",
                       headers=api_headers(office)).status_code == 404
    assert _deliver(app) == 0  # nothing twice


def test_a_refused_event_writes_no_message(app, client, api_headers, office, make_item, units,
                                           zhang, receiver):
    code = make_item("registered")
    resp = _assign(client, api_headers, office, units, code, due_date="2020-01-01")
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_receiver_down_retried_then_dead_letter_then_resent(
        app, client, api_headers, office, admin, make_item, units, zhang, receiver):
    app.config.update(NOTIFY_MAX_ATTEMPTS=3, NOTIFY_RETRY_BASE=60)
    try:
        receiver.stop()
        code = make_item("registered")
        _assign(client, api_headers, office, units, code)
        now = utcnow()
        assert _deliver(app, now) == 2
        assert _states(app) == {"pending": 2}
        with app.app_context():
            waits = [n.next_attempt_at - now for n in db.session.scalars(
                select(Notification).where(Notification.channel == Channel.SMS))]
            assert all(timedelta(seconds=30) <= w <= timedelta(seconds=60) for w in waits)
        assert _deliver(app, now) == 0  # not due yet: backoff
        assert _deliver(app, now + timedelta(seconds=61)) == 2  # 2nd attempt
        assert _deliver(app, now + timedelta(seconds=120)) == 0  # 2nd wait is 60–120 s
        assert _deliver(app, now + timedelta(seconds=181)) == 2  # 3rd attempt: dead
        assert _states(app) == {"dead": 2}
        h = api_headers(admin)
        dead = client.get("/api/v1/notifications/dead-letters", headers=h).json["dead"]
        assert len(dead) == 2 and "ConnectionRefusedError" in dead[0]["last_error"]
        assert client.get("/api/v1/notifications/dead-letters",
                          headers=api_headers(office)).status_code == 403
        login(client, admin)
        assert "ConnectionRefusedError" in client.get("/notifications/dead").get_data(
            as_text=True)
        receiver.start()  # back, on the same port
        for row in dead:
            assert client.post(f"/api/v1/notifications/{row['id']}/resend",
                               headers=h).status_code == 200
        assert client.post(f"/api/v1/notifications/{dead[0]['id']}/resend",
                           headers=h).status_code == 409
        assert _deliver(app) == 2
        assert _states(app) == {"sent": 2}
        assert len(receiver.messages) == 2  # nothing lost, nothing twice
    finally:
        app.config.update(NOTIFY_MAX_ATTEMPTS=6, NOTIFY_RETRY_BASE=30)


def test_a_gateway_error_answer_is_retried(app, client, api_headers, office, make_item, units,
                                           zhang, receiver):
    receiver.status = 503
    _assign(client, api_headers, office, units, make_item("registered"))
    now = utcnow()
    _deliver(app, now)
    with app.app_context():
        assert {n.last_error for n in db.session.scalars(
            select(Notification).where(Notification.channel == Channel.SMS))} == {"HTTP 503"}
    receiver.status = 200
    assert _deliver(app, now + timedelta(seconds=61)) == 2
    assert len(receiver.messages) == 2


def test_email_over_smtp(app, client, api_headers, office, make_item, units, zhang,
                         smtp_server):
    code = make_item("registered")
    _assign(client, api_headers, office, units, code)
    assert _deliver(app) == 1
    (to, content), = smtp_server.mails
    mail = email.message_from_string(content, policy=email.policy.default)
    assert to == ["zhangwei@pcs-a.example"] and code in mail["Subject"]
    assert "请及时签收办理" in mail.get_content() and f"/items/{code}" in mail.get_content()


def test_quiet_hours_hold_sms_unless_very_urgent(app, client, api_headers, office, make_item,
                                                 units, zhang, receiver):
    from zoneinfo import ZoneInfo

    now = utcnow().astimezone(ZoneInfo(app.config["TIMEZONE"]))
    start, end = (now - timedelta(hours=1)).strftime("%H:%M"), (
        now + timedelta(hours=1)).strftime("%H:%M")
    app.config["NOTIFY_QUIET_HOURS"] = f"{start}-{end}"
    _assign(client, api_headers, office, units, make_item("registered"))
    assert _deliver(app) == 0 and receiver.messages == []
    with app.app_context():
        at = db.session.scalar(select(func.min(Notification.next_attempt_at)))
        assert timedelta(minutes=55) < at - utcnow() <= timedelta(hours=1)
    from webapp.supervision.models import Urgency

    _assign(client, api_headers, office, units,
            make_item("registered", urgency=Urgency.VERY_URGENT))
    assert _deliver(app) == 2 and len(receiver.messages) == 2  # 特急: at night too


def test_one_sms_per_person_and_item_a_day_and_preferences(
        app, client, api_headers, office, liaison_a, make_item, units, zhang, receiver):
    code = make_item("registered")
    _assign(client, api_headers, office, units, code)
    h = api_headers(office)
    for note in ("第一次", "第二次"):
        client.post(f"/api/v1/items/{code}/remind", headers=h, json={"channel": "phone",
                                                                    "note": note})
    with app.app_context():
        rows = db.session.execute(select(Notification.channel, func.count()).where(
            Notification.event == "reminded").group_by(Notification.channel)).all()
    assert dict(rows) == {"inapp": 2}  # the liaison got both in-app, no second SMS today
    lh = api_headers(liaison_a)
    assert client.put("/api/v1/notifications/preferences", headers=lh,
                      json={"sms": False, "email": True, "webhook": True}).json["sms"] is False
    code2 = make_item("registered")
    _assign(client, api_headers, office, units, code2)
    with app.app_context():
        mobiles = {n.person.mobile for n in db.session.scalars(select(Notification).where(
            Notification.channel == Channel.SMS, Notification.item_id ==
            db.session.scalar(select(Notification.item_id).where(
                Notification.subject == code2).limit(1))))}
    assert mobiles == {"13800000001"}  # the liaison turned SMS off


def test_two_workers_send_each_message_exactly_once(app, client, api_headers, office,
                                                    make_item, units, zhang, receiver):
    """Two workers at once (on PostgreSQL: FOR UPDATE SKIP LOCKED) share the messages."""
    with app.app_context():
        from webapp.notify import services
        from webapp.supervision.services import item_by_code

        code = make_item("registered")
        _assign(client, api_headers, office, units, code)
        item = item_by_code(code)
        item.urgency = "very_urgent"  # 特急: no daily limit, so 60 SMS to 张伟
        for _ in range(60):
            services.send("reminded", item=item, recipients=("first",))
        db.session.commit()
        total = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.channel != "inapp"))
    app.config["NOTIFY_BATCH"] = 7
    try:
        counts = []

        def work():
            with app.app_context():
                counts.append(worker.run(once=True))

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        app.config["NOTIFY_BATCH"] = 100
    ids = [m["id"] for m in receiver.messages]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == total == sum(counts)
    assert _states(app) == {"sent": total}
