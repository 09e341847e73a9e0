"""Notifications (通知): one message to one person over one channel — the transactional
outbox. Rows are written in the transaction of the event that needs someone; the worker
delivers the outward ones after the commit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import UTCDateTime, enum_column, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.people.models import Person


class Channel(Labelled):
    INAPP = "inapp", "站内"  # 站内消息: always
    SMS = "sms", "短信"  # 短信, through the bureau's SMS gateway (HTTP)
    EMAIL = "email", "邮件"  # 电子邮件 (SMTP)
    WEBHOOK = "webhook", "警务通"  # 警务通 / 政务钉钉 (HTTP)


OUTWARD = (Channel.SMS, Channel.EMAIL, Channel.WEBHOOK)


class DeliveryState(Labelled):
    PENDING = "pending", "待发送"  # waiting for its time (next_attempt_at)
    SENDING = "sending", "发送中"  # taken by a worker until lease_until
    SENT = "sent", "已发送"  # delivered (in-app: at once)
    DEAD = "dead", "发送失败"  # every attempt failed: the admin's dead letters


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_due", "state", "next_attempt_at"),
        Index("ix_notification_person", "person_id", "channel", "read_at"),
        Index("ix_notification_once", "person_id", "item_id", "channel", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "notify_channel"))
    event: Mapped[str] = mapped_column(String(32))  # assigned, reminded, … (notify/events.py)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_item.id"))
    subject: Mapped[str | None] = mapped_column(String(64))  # item code, document number, …
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    href: Mapped[str | None] = mapped_column(String(300))  # the page where the action is taken
    urgent: Mapped[bool] = mapped_column(default=False)  # 特急: no quiet hours, no daily limit
    day: Mapped[date] = mapped_column(Date)  # local day written (one SMS per item and day)
    state: Mapped[DeliveryState] = mapped_column(enum_column(DeliveryState, "delivery_state"))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()


class Preference(db.Model):
    """A person's outward channels (no row: every channel they have an address for)."""

    __tablename__ = "notify_preference"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    sms: Mapped[bool] = mapped_column(default=True)
    email: Mapped[bool] = mapped_column(default=True)
    webhook: Mapped[bool] = mapped_column(default=True)
