from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from audit import record_change
    from models import Order


def discounted_total(order: Order, percent: float) -> float:
    print("pricing", order.describe())
    return order.total * (1 - percent / 100)
