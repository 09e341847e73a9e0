"""/api/v1/notifications: one's in-app messages and channels; the admin's dead letters."""

from __future__ import annotations

from flask import Blueprint, Flask
from pydantic import Field

from webapp import api
from webapp.api.declare import Body, Out, Query, TimeText, operation
from webapp.auth.access import actor
from webapp.auth.models import Role
from webapp.errors import NotAllowed
from webapp.notify import services
from webapp.notify.events import EVENTS
from webapp.notify.models import Notification
from webapp.people.services import person_for_user

bp = Blueprint("notify_api", __name__)


class NotificationOut(Out):
    """One message"""

    id: int
    event: str
    event_label: str
    channel: str
    subject: str | None
    title: str
    text: str
    href: str | None
    urgent: bool
    created_at: TimeText
    read_at: TimeText | None


class Inbox(Out):
    """The caller's in-app messages, newest first"""

    unread: int
    notifications: list[NotificationOut]


class InboxQuery(Query):
    unread: bool = Field(False, title="只看未读")


class Channels(Body):
    sms: bool = Field(title="短信")
    email: bool = Field(title="电子邮件")
    webhook: bool = Field(title="警务通")


class ChannelsOut(Out):
    """The caller's outward channels"""

    sms: bool
    email: bool
    webhook: bool


class DeadLetter(Out):
    id: int
    channel: str
    person: str
    title: str
    attempts: int
    last_error: str | None
    state: str
    state_label: str
    created_at: TimeText


class DeadLetters(Out):
    """Messages every attempt failed for"""

    dead: list[DeadLetter]


def _out(row: Notification) -> NotificationOut:
    return NotificationOut(id=row.id, event=row.event, event_label=EVENTS[row.event].label,
                           channel=str(row.channel), subject=row.subject, title=row.title,
                           text=row.body, href=row.href, urgent=row.urgent,
                           created_at=row.created_at.isoformat(),
                           read_at=row.read_at.isoformat() if row.read_at else None)


def _dead(row: Notification) -> DeadLetter:
    return DeadLetter(id=row.id, channel=str(row.channel), person=row.person.label,
                      title=row.title, attempts=row.attempts, last_error=row.last_error,
                      state=str(row.state), state_label=row.state.label,
                      created_at=row.created_at.isoformat())


@operation(bp, "/notifications", summary="My in-app messages (newest 50)", query=InboxQuery,
           answers={200: Inbox})
def inbox(query: InboxQuery):
    user = actor()
    return Inbox(unread=services.unread_count(user),
                 notifications=[_out(r) for r in services.inbox(user, unread_only=query.unread)])


@operation(bp, "/notifications/<id:notification_id>/read", "POST",
           summary="Mark one of my messages read", answers={200: NotificationOut})
def mark_read(notification_id: int):
    return _out(services.mark_read(actor(), notification_id))


@operation(bp, "/notifications/preferences", summary="My outward channels",
           answers={200: ChannelsOut})
def preferences():
    pref = services.preference(services._me(actor()))
    return ChannelsOut(sms=pref.sms, email=pref.email, webhook=pref.webhook)


@operation(bp, "/notifications/preferences", "PUT", summary="Choose my outward channels",
           body=Channels, answers={200: ChannelsOut})
def set_preferences(body: Channels):
    user = actor()
    pref = services.set_preference(user, person_for_user(user), sms=body.sms,
                                   email=body.email, webhook=body.webhook)
    return ChannelsOut(sms=pref.sms, email=pref.email, webhook=pref.webhook)


def _admin() -> None:
    if actor().role != Role.ADMIN:
        raise NotAllowed("只有系统管理员可以查看发送失败的消息")


@operation(bp, "/notifications/dead-letters", summary="Dead letters (admin)",
           answers={200: DeadLetters}, errors=(403,))
def dead_letters():
    _admin()
    return DeadLetters(dead=[_dead(r) for r in services.dead_letters()])


@operation(bp, "/notifications/<id:notification_id>/resend", "POST",
           summary="Send a dead letter again (admin)", answers={200: DeadLetter},
           errors=(403, 409))
def resend(notification_id: int):
    return _dead(services.resend(actor(), notification_id))


api.register(bp)


def init_app(app: Flask) -> None:
    """Nothing to do: importing this module registered the routes under /api/v1."""
