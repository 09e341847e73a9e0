"""Fixtures for the 问责 tests: 张伟 (a Person of unit A) named 第一责任人 on an item that has an
issued 通知, an item that does not name him, and an item naming only legacy names."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from webapp.auth.models import User
from webapp.database import local_today
from webapp.extensions import db


@dataclass(frozen=True)
class Case:
    person_id: int  # 张伟, 所长 of unit A
    other_id: int  # 李强 of unit B, named on no item
    code: str  # names 张伟 as 第一责任人
    other_code: str  # names nobody by record
    doc_id: int  # a 通知 issued on `code`
    doc_number: str


@pytest.fixture
def case(app, office, units, make_item) -> Case:
    from webapp.documents import services as documents
    from webapp.people import services as people
    from webapp.supervision.services import item_by_code

    with app.app_context():
        actor = db.session.get(User, office.id)
        zhang = people.create_person(actor=actor, unit=units["A"].id, name="张伟", post="所长")
        li = people.create_person(actor=actor, unit=units["B"].id, name="李强")
        db.session.commit()
        zhang_id, li_id = zhang.id, li.id
    code = make_item("in_progress", first_responsible_id=zhang_id, first_responsible="张伟")
    other = make_item("in_progress")
    with app.app_context():
        doc = documents.issue_document("notice", actor=db.session.get(User, office.id),
                                       item=item_by_code(code))
        db.session.commit()
        return Case(zhang_id, li_id, code, other, doc.id, doc.doc_number)


@pytest.fixture
def this_year(app) -> int:
    """The bureau's current calendar year (records are dated on or before today)."""
    with app.app_context():
        return local_today().year


@pytest.fixture
def record_api(client, api_headers, office, this_year):
    """record_api(case, **body overrides) -> the response of POST /api/v1/accountability."""

    def post(case: Case, persona=None, **overrides):
        body = {"person_id": case.person_id, "kind": "points", "points": 3,
                "decided_on": f"{this_year}-01-01",
                "facts": "逾期 15 个工作日未办结，两次催办未反馈。", "items": [case.code]}
        body.update(overrides)
        return client.post("/api/v1/accountability", json=body,
                           headers=api_headers(persona or office))

    return post
