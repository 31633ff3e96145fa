"""Notifications: templates, delivery channels and the user's inbox.

In-app notifications are rows in ``notifications``.  E-mail goes through
:class:`EmailNotifier`, which in this deployment only logs the message it
would hand to the SMTP relay (the relay is configured per environment).
"""
from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from streamshop.config import get_settings
from streamshop.models.notification import Notification, NotificationKind, NotificationPreference
from streamshop.utils.errors import NotFound
from streamshop.utils.pagination import Page, paginate
from streamshop.utils.timeutil import isoformat, utcnow
from streamshop.utils.validation import ValidationError, coerce_bool

if TYPE_CHECKING:
    from streamshop.models.user import User

logger = logging.getLogger(__name__)

# Read straight from the environment: the mail team owns this variable.
MAIL_FROM = os.environ.get("STREAMSHOP_MAIL_FROM", "StreamShop <no-reply@streamshop.invalid>")

TEMPLATES: dict[str, tuple[str, str]] = {
    NotificationKind.WELCOME: (
        "Welcome to StreamShop, {name}!",
        "Your account is ready. Browse the catalog to start watching and shopping.",
    ),
    NotificationKind.ORDER_CONFIRMATION: (
        "Order #{order_id} confirmed",
        "We received your order of {item_count} item(s) totalling {total}. "
        "It ships to {city}.",
    ),
    NotificationKind.ORDER_CANCELLED: (
        "Order #{order_id} cancelled",
        "Your order was cancelled and {total} was refunded to your original payment method.",
    ),
    NotificationKind.SUBSCRIPTION_WELCOME: (
        "Welcome to {plan}",
        "You now have access to every prime title. You paid {amount}; "
        "your membership renews on {renews_on}.",
    ),
    NotificationKind.SUBSCRIPTION_RENEWED: (
        "{plan} renewed",
        "Thanks for staying with us. Your next renewal is on {renews_on}.",
    ),
    NotificationKind.SUBSCRIPTION_CANCELLED: (
        "Prime membership cancelled",
        "Your membership will not renew. You keep prime access until {access_until}.",
    ),
    NotificationKind.PAYMENT_FAILED: (
        "Payment failed for {what}",
        "We could not charge your payment method ({reason}). Please update it.",
    ),
}

PREFERENCE_FIELDS = ("email_enabled", "in_app_enabled", "marketing_opt_in")


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    body: str
    link: str | None = None


class Notifier(ABC):
    """A delivery channel."""

    channel: ClassVar[str]

    @abstractmethod
    def deliver(self, user: User, message: Message) -> Notification | None:
        """Send ``message`` to ``user``; returns the stored row for in-app delivery."""


class InAppNotifier(Notifier):
    channel = "in_app"

    def __init__(self, session: Session) -> None:
        self.session = session

    def deliver(self, user: User, message: Message) -> Notification:
        notification = Notification(
            user_id=user.id,
            kind=message.kind,
            subject=message.subject,
            body=message.body,
            link=message.link,
        )
        self.session.add(notification)
        self.session.flush()
        return notification


class EmailNotifier(Notifier):
    channel = "email"

    def __init__(self, smtp_host: str, smtp_port: int, sender: str = MAIL_FROM) -> None:
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port
        self.sender = sender

    @staticmethod
    def render(sender: str, user: User, message: Message) -> str:
        return (
            f"From: {sender}\r\n"
            f"To: {user.display_name} <{user.email}>\r\n"
            f"Subject: {message.subject}\r\n\r\n"
            f"Hi {user.display_name},\r\n\r\n{message.body}\r\n"
        )

    def deliver(self, user: User, message: Message) -> None:
        payload = self.render(self.sender, user, message)
        logger.info(
            "email to %s via %s:%d (%s, %d bytes)",
            user.email,
            self.smtp_host,
            self.smtp_port,
            message.kind,
            len(payload),
        )


def render_message(kind: str, context: Mapping[str, Any], *, link: str | None = None) -> Message:
    try:
        subject_template, body_template = TEMPLATES[kind]
    except KeyError:
        raise ValueError(f"no template for notification kind {kind!r}") from None
    try:
        return Message(
            kind=kind,
            subject=subject_template.format(**context),
            body=body_template.format(**context),
            link=link,
        )
    except KeyError as exc:
        raise ValueError(f"template {kind!r} needs context key {exc.args[0]!r}") from None


def get_preferences(session: Session, user_id: int) -> NotificationPreference:
    """The user's preferences, created with defaults on first use.  Flushes only."""
    prefs = session.get(NotificationPreference, user_id)
    if prefs is None:
        prefs = NotificationPreference(
            user_id=user_id, email_enabled=True, in_app_enabled=True, marketing_opt_in=False
        )
        session.add(prefs)
        session.flush()
    return prefs


def update_preferences(
    session: Session, user_id: int, changes: Mapping[str, Any]
) -> NotificationPreference:
    unknown = sorted(set(changes) - set(PREFERENCE_FIELDS))
    if unknown:
        raise ValidationError("unknown preference fields", details={"fields": unknown})
    prefs = get_preferences(session, user_id)
    for name in PREFERENCE_FIELDS:
        if name in changes:
            setattr(prefs, name, coerce_bool(changes[name], name))
    session.commit()
    return prefs


def notifiers_for(session: Session, prefs: NotificationPreference) -> list[Notifier]:
    settings = get_settings()
    channels: list[Notifier] = []
    if prefs.in_app_enabled:
        channels.append(InAppNotifier(session))
    if prefs.email_enabled:
        channels.append(EmailNotifier(settings.smtp_host, settings.smtp_port))
    return channels


def notify(
    session: Session,
    user_id: int,
    kind: str,
    context: Mapping[str, Any] | None = None,
    *,
    link: str | None = None,
) -> Notification | None:
    """Render ``kind`` and deliver it on every channel the user enabled.

    Runs inside the caller's transaction (flushes only), so a notification is
    stored if and only if the business change that caused it is committed.
    Returns the in-app notification, if one was created.
    """
    from .account import get_user  # late import: account imports this module

    user = get_user(session, user_id)
    message = render_message(kind, context or {}, link=link)
    stored: Notification | None = None
    for notifier in notifiers_for(session, get_preferences(session, user_id)):
        result = notifier.deliver(user, message)
        if result is not None:
            stored = result
    return stored


def list_notifications(
    session: Session, user_id: int, *, page: int, per_page: int, unread_only: bool = False
) -> Page[Notification]:
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    if unread_only:
        stmt = stmt.where(Notification.is_read.is_(False))
    return paginate(session, stmt, page, per_page)


def unread_count(session: Session, user_id: int) -> int:
    return session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.is_read.is_(False))
    ).scalar_one()


def mark_read(session: Session, user_id: int, notification_id: int) -> Notification:
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        raise NotFound(f"notification {notification_id} not found")
    if not notification.is_read:
        notification.is_read = True
        notification.read_at = utcnow()
        session.commit()
    return notification


def mark_all_read(session: Session, user_id: int) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.is_read.is_(False))
        .values(is_read=True, read_at=utcnow())
    )
    session.commit()
    return cast(CursorResult[Any], result).rowcount


def serialize_notification(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "subject": notification.subject,
        "body": notification.body,
        "link": notification.link,
        "read": notification.is_read,
        "created_at": isoformat(notification.created_at),
        "read_at": isoformat(notification.read_at),
    }


def serialize_preferences(prefs: NotificationPreference) -> dict[str, Any]:
    return {name: getattr(prefs, name) for name in PREFERENCE_FIELDS}
