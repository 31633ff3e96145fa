"""Marketplace tables: carts, orders, payments and the stock ledger."""
from __future__ import annotations
from enum import StrEnum


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


# StockMovement belongs to the catalog service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class StockMovement(RemoteRecord):
    """A read-only record of the catalog service's ``StockMovement``."""

    __monosplit_service__ = "catalog"
