"""User accounts, their addresses, and (for historical reasons) subscriptions.

``Subscription`` lived here from the days when "prime" was a flag on the user
row; it moved to its own table in 2022 but the class never moved file.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streamshop.db import Base, UTCDateTime
from streamshop.utils.timeutil import utcnow


# User belongs to the users service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class User(RemoteRecord):
    """A read-only record of the users service's ``User``."""

    __monosplit_service__ = "users"


# Address belongs to the users service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Address(RemoteRecord):
    """A read-only record of the users service's ``Address``."""

    __monosplit_service__ = "users"


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"  # still usable until current_period_end
    EXPIRED = "expired"


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(index=True)
    plan: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default=SubscriptionStatus.ACTIVE, index=True)
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    payment_method: Mapped[str] = mapped_column(String(20))
    # Provider token used for renewals; never a raw card number.
    payment_token: Mapped[str] = mapped_column(String(80))
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    current_period_end: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
