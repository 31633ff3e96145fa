"""Marketplace tables: carts, orders, payments and the stock ledger."""
from __future__ import annotations
from enum import StrEnum


# Cart belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Cart(RemoteRecord):
    """A read-only record of the server service's ``Cart``."""

    __monosplit_service__ = "server"


# CartItem belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class CartItem(RemoteRecord):
    """A read-only record of the server service's ``CartItem``."""

    __monosplit_service__ = "server"


class OrderStatus(StrEnum):
    PAID = "paid"
    CANCELLED = "cancelled"


# Order belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Order(RemoteRecord):
    """A read-only record of the server service's ``Order``."""

    __monosplit_service__ = "server"


# OrderItem belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class OrderItem(RemoteRecord):
    """A read-only record of the server service's ``OrderItem``."""

    __monosplit_service__ = "server"


class PaymentStatus(StrEnum):
    CAPTURED = "captured"
    REFUNDED = "refunded"


# Payment belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Payment(RemoteRecord):
    """A read-only record of the server service's ``Payment``."""

    __monosplit_service__ = "server"


# StockMovement belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class StockMovement(RemoteRecord):
    """A read-only record of the server service's ``StockMovement``."""

    __monosplit_service__ = "server"
