"""The life cycle through its service functions: transitions, refusals, audit trail."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.audit.models import AuditEvent
from webapp.auth.models import User
from webapp.database import local_today
from webapp.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from webapp.extensions import db
from webapp.supervision import services
from webapp.supervision.models import (
    FeedbackKind,
    ItemState,
    ReminderChannel,
    Source,
    SupervisionItem,
)


def _item(code):
    return db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))


def _user(persona):
    return db.session.get(User, persona.id)


def test_codes_are_sequential_per_year(app, make_item):
    a, b = make_item("registered"), make_item("registered")
    with app.app_context():
        year = local_today().year
    assert a == f"{year}-001"
    assert b == f"{year}-002"


def test_full_life_cycle_with_return_and_extension(app, make_item, office, leader, liaison_a):
    code = make_item("in_progress")
    with app.app_context():
        item, me, unit = _item(code), _user(office), _user(liaison_a)
        old_due = item.due_date
        services.request_extension(item, actor=unit, new_due_date=old_due + timedelta(days=5),
                                   reason="需协调交警部门")
        services.decide_extension(item, actor=_user(leader), approve=True)
        assert item.due_date == old_due + timedelta(days=5)
        assert item.original_due_date == old_due
        services.submit_feedback(item, actor=unit, kind=FeedbackKind.FINAL,
                                 actions_taken="已整改", result="完成")
        assert item.state == ItemState.UNDER_REVIEW
        services.return_feedback(item, actor=me, reason="反馈过于简略，请补充整改措施和证据")
        assert item.state == ItemState.IN_PROGRESS
        services.submit_feedback(item, actor=unit, kind=FeedbackKind.FINAL,
                                 actions_taken="增设窗口两个，实行错峰预约", result="已完成")
        services.accept_feedback(item, actor=me, opinion="同意办结")
        assert item.state == ItemState.CLOSED
        assert item.closed_on == local_today()
        db.session.commit()
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == code).order_by(AuditEvent.id)).all()
    assert actions == ["register", "assign", "acknowledge", "request_extension",
                       "extension_approved", "submit_final", "return", "submit_final", "accept"]


def test_hand_back_then_reassign(app, make_item, office, liaison_a, units):
    code = make_item("assigned")
    with app.app_context():
        item = _item(code)
        with pytest.raises(InvalidInput):
            services.request_hand_back(item, actor=_user(liaison_a), reason="  ")
        services.request_hand_back(item, actor=_user(liaison_a), reason="不属于本所辖区")
        with pytest.raises(StateConflict):
            services.acknowledge_item(item, actor=_user(liaison_a))
        services.decide_hand_back(item, actor=_user(office), approve=True,
                                  new_lead_unit=units["B"].id, note="转交警大队办理")
        assert item.lead_unit_id == units["B"].id
        assert item.state == ItemState.ASSIGNED


def test_refusals(app, make_item, office, leader, liaison_a, liaison_b, inspector):
    code = make_item("assigned")
    with app.app_context():
        item = _item(code)
        with pytest.raises(NotFound):  # another unit's liaison does not see it at all
            services.acknowledge_item(item, actor=_user(liaison_b))
        with pytest.raises(NotAllowed):
            services.acknowledge_item(item, actor=_user(office))
        with pytest.raises(NotAllowed):
            services.record_reminder(item, actor=_user(inspector), channel=ReminderChannel.PHONE)
        with pytest.raises(StateConflict):
            services.accept_feedback(item, actor=_user(office))
        with pytest.raises(InvalidInput):
            services.cancel_item(item, actor=_user(office), reason="")
        services.cancel_item(item, actor=_user(office), reason="上级已撤回")
        with pytest.raises(StateConflict):
            services.add_instruction(item, actor=_user(leader), text="抓紧办理")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "", "请填写标题"),
    ("title", "x" * 201, "不能超过"),
    ("content", "a\x00b", "控制字符"),
    ("content", "字" * 10_000_000, "不能超过"),
])
def test_bad_input_saves_nothing(app, office, field, value, message):
    with app.app_context():
        kwargs = {"title": "标题", "content": "内容", field: value}
        with pytest.raises(InvalidInput, match=message):
            services.register_item(actor=_user(office), source=Source.OTHER, **kwargs)
        db.session.rollback()
        assert db.session.scalar(select(func.count(SupervisionItem.id))) == 0


def test_due_date_in_the_past_is_refused(app, make_item, office, units):
    code = make_item("registered")
    with app.app_context():
        with pytest.raises(InvalidInput, match="早于今天"):
            services.assign_item(_item(code), actor=_user(office), lead_unit=units["A"].id,
                                 due_date=local_today() - timedelta(days=1),
                                 first_responsible="甲", direct_responsible="乙")
        with pytest.raises(InvalidInput, match="承办单位不存在"):
            services.assign_item(_item(code), actor=_user(office), lead_unit=99999,
                                 due_date=local_today(), first_responsible="甲",
                                 direct_responsible="乙")
