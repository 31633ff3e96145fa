"""Errors the shop's code raises; each maps onto an HTTP status."""

from __future__ import annotations


class ShopError(Exception):
    status_code = 400


class InsufficientStock(ShopError):
    status_code = 409

    def __init__(self, product_id: int, *, wanted: int, available: int) -> None:
        super().__init__(f"product {product_id}: {wanted} wanted, {available} in stock")
        self.product_id = product_id
        self.available = available
