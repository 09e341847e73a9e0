"""/api/v1/people: the persons an item may name (分管领导, 责任人), by unit."""

from __future__ import annotations

from flask import Blueprint, Flask
from pydantic import Field

from webapp import api
from webapp.api.declare import Body, Id, Out, Query, operation
from webapp.auth.access import actor
from webapp.auth.models import Role
from webapp.errors import NotAllowed
from webapp.people import services
from webapp.people.models import Person

bp = Blueprint("people_api", __name__)


class PersonOut(Out):
    """One person"""

    id: int
    unit_id: int | None
    name: str
    post: str | None
    mobile: str | None
    email: str | None
    has_account: bool
    active: bool
    label: str


class PeopleOut(Out):
    """Persons of one unit (or of the bureau itself)"""

    people: list[PersonOut]


class PeopleQuery(Query):
    unit_id: Id | None = Field(None, title="单位", description="omit: the bureau's own people "
                               "(局领导, the office)")


class PersonBody(Body):
    name: str = Field(title="姓名")
    post: str | None = Field(None, title="职务")
    mobile: str | None = Field(None, title="手机号码")
    email: str | None = Field(None, title="电子邮箱")


class NewPersonBody(PersonBody):
    unit_id: Id | None = Field(None, title="单位", description="omit for the bureau's own people")


class EditPersonBody(PersonBody):
    active: bool | None = Field(None, title="是否在职", description="default true")


def _out(p: Person) -> PersonOut:
    return PersonOut(id=p.id, unit_id=p.unit_id, name=p.name, post=p.post, mobile=p.mobile,
                     email=p.email, has_account=p.user_id is not None, active=p.active,
                     label=p.label)


@operation(bp, "/people", summary="The persons of a unit (a liaison: their own unit only)",
           query=PeopleQuery, answers={200: PeopleOut}, errors=(403,))
def list_people(query: PeopleQuery):
    user = actor()
    if user.role in (Role.LIAISON, Role.INSPECTOR) and query.unit_id != user.unit_id:
        raise NotAllowed("只能查看本单位的人员")
    return PeopleOut(people=[_out(p) for p in services.people_of(query.unit_id,
                                                                 active_only=False)])


@operation(bp, "/people", "POST", summary="Add a person (office, admin)", body=NewPersonBody,
           answers={201: PersonOut}, errors=(403,))
def create_person(body: NewPersonBody):
    person = services.create_person(actor=actor(), unit=body.unit_id, name=body.name,
                                    post=body.post, mobile=body.mobile, email=body.email)
    return _out(person), 201


@operation(bp, "/people/<id:person_id>", "PUT",
           summary="Edit a person (office, admin)", body=EditPersonBody,
           answers={200: PersonOut}, errors=(403,))
def edit_person(person_id: int, body: EditPersonBody):
    person = services.get_person(person_id)
    services.update_person(person, actor=actor(), name=body.name, post=body.post,
                           mobile=body.mobile, email=body.email, active=body.active is not False)
    return _out(person)


api.register(bp)


def init_app(app: Flask) -> None:
    """Nothing to do: importing this module registered the routes under /api/v1."""
