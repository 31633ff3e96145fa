"""In-app notifications and per-user delivery preferences."""
from __future__ import annotations
from enum import StrEnum


class NotificationKind(StrEnum):
    WELCOME = "welcome"
    ORDER_CONFIRMATION = "order_confirmation"
    ORDER_CANCELLED = "order_cancelled"
    SUBSCRIPTION_WELCOME = "subscription_welcome"
    SUBSCRIPTION_RENEWED = "subscription_renewed"
    SUBSCRIPTION_CANCELLED = "subscription_cancelled"
    PAYMENT_FAILED = "payment_failed"


# Notification belongs to the notifications service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Notification(RemoteRecord):
    """A read-only record of the notifications service's ``Notification``."""

    __monosplit_service__ = "notifications"


# NotificationPreference belongs to the notifications service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class NotificationPreference(RemoteRecord):
    """A read-only record of the notifications service's ``NotificationPreference``."""

    __monosplit_service__ = "notifications"
