"""Marketplace tables: carts, orders, payments and the stock ledger."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from streamshop.db import Base, UTCDateTime
from streamshop.utils.timeutil import utcnow


class Cart(Base):
    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )


class CartItem(Base):
    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("cart_id", "product_id", name="uq_cart_items_cart_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column()
    quantity: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="items")


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


# StockMovement belongs to the catalog service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class StockMovement(RemoteRecord):
    """A read-only record of the catalog service's ``StockMovement``."""

    __monosplit_service__ = "catalog"
