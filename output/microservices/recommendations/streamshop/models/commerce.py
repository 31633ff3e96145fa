"""Marketplace tables: carts, orders, payments and the stock ledger."""
from __future__ import annotations
from monosplit_runtime.schema import keys_left_to_the_orm as _monosplit_orm_keys  # keys of copies: the module's end

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.PAID, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_cents: Mapped[int] = mapped_column(Integer)
    shipping_cents: Mapped[int] = mapped_column(Integer)
    tax_cents: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(Integer)
    shipping_address: Mapped[str] = mapped_column(Text)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    # Snapshots: the product may be renamed or repriced after the sale.
    product_name: Mapped[str] = mapped_column(String(200))
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)

    order: Mapped[Order] = relationship(back_populates="items")

    @property
    def line_total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


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


# the ORM joins through the keys to or from copies of other units' tables; no database holds them
_monosplit_orm_keys(
    OrderItem,
    replicas=("order_items", "orders", "products"),
)
