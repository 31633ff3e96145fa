"""Marketplace tables: carts, orders, payments and the stock ledger."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streamshop.db import Base, UTCDateTime
from streamshop.utils.timeutil import utcnow


# Cart belongs to the cart service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Cart(RemoteRecord):
    """A read-only record of the cart service's ``Cart``."""

    __monosplit_service__ = "cart"


# CartItem belongs to the cart service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class CartItem(RemoteRecord):
    """A read-only record of the cart service's ``CartItem``."""

    __monosplit_service__ = "cart"


class OrderStatus(StrEnum):
    PAID = "paid"
    CANCELLED = "cancelled"


# Order belongs to the orders service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Order(RemoteRecord):
    """A read-only record of the orders service's ``Order``."""

    __monosplit_service__ = "orders"


# OrderItem belongs to the orders service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class OrderItem(RemoteRecord):
    """A read-only record of the orders service's ``OrderItem``."""

    __monosplit_service__ = "orders"


class PaymentStatus(StrEnum):
    CAPTURED = "captured"
    REFUNDED = "refunded"


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "order" | "subscription"
    order_id: Mapped[int | None] = mapped_column(index=True)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id"))
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(20))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.CAPTURED)
    provider_reference: Mapped[str] = mapped_column(String(64), unique=True)
    refund_reference: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# StockMovement belongs to the catalog service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class StockMovement(RemoteRecord):
    """A read-only record of the catalog service's ``StockMovement``."""

    __monosplit_service__ = "catalog"
