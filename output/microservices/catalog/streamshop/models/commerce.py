"""Marketplace tables: carts, orders, payments and the stock ledger."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
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


# Payment belongs to the subscriptions service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Payment(RemoteRecord):
    """A read-only record of the subscriptions service's ``Payment``."""

    __monosplit_service__ = "subscriptions"


class StockMovement(Base):
    """Append-only ledger of stock changes (reservations, releases, restocks)."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    order_id: Mapped[int | None] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
