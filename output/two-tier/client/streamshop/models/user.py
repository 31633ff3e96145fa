"""User accounts, their addresses, and (for historical reasons) subscriptions.

``Subscription`` lived here from the days when "prime" was a flag on the user
row; it moved to its own table in 2022 but the class never moved file.
"""
from __future__ import annotations
from enum import StrEnum


# User belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class User(RemoteRecord):
    """A read-only record of the server service's ``User``."""

    __monosplit_service__ = "server"


# Address belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Address(RemoteRecord):
    """A read-only record of the server service's ``Address``."""

    __monosplit_service__ = "server"


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"  # still usable until current_period_end
    EXPIRED = "expired"


# Subscription belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Subscription(RemoteRecord):
    """A read-only record of the server service's ``Subscription``."""

    __monosplit_service__ = "server"
