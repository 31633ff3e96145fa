"""Notifications: templates, delivery channels and the user's inbox.

In-app notifications are rows in ``notifications``.  E-mail goes through
:class:`EmailNotifier`, which in this deployment only logs the message it
would hand to the SMTP relay (the relay is configured per environment).
"""
from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar
from streamshop.models.notification import Notification, NotificationKind

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


# get_preferences moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import get_preferences


# update_preferences moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import update_preferences


# list_notifications moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import list_notifications


# unread_count moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import unread_count


# mark_read moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import mark_read


# mark_all_read moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import mark_all_read


# serialize_notification moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import serialize_notification


# serialize_preferences moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import serialize_preferences
