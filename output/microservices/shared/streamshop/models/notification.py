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
