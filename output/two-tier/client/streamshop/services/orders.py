"""Order history and cancellations."""
from __future__ import annotations

import json
from typing import Any

from streamshop.models.commerce import Order, Payment
from streamshop.utils.money import money_dict
from streamshop.utils.timeutil import isoformat

from . import billing, inventory, notifications


# list_orders moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import list_orders


# get_order moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import get_order


# cancel_order moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import cancel_order


# count_orders moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import count_orders


def serialize_order(order: Order, payment: Payment | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": order.id,
        "status": order.status,
        "currency": order.currency,
        "subtotal": money_dict(order.subtotal_cents, order.currency),
        "shipping": money_dict(order.shipping_cents, order.currency),
        "tax": money_dict(order.tax_cents, order.currency),
        "total": money_dict(order.total_cents, order.currency),
        "total_cents": order.total_cents,
        "shipping_address": json.loads(order.shipping_address),
        "placed_at": isoformat(order.placed_at),
        "cancelled_at": isoformat(order.cancelled_at),
        "items": [
            {
                "product_id": item.product_id,
                "name": item.product_name,
                "quantity": item.quantity,
                "unit_price": money_dict(item.unit_price_cents, order.currency),
                "line_total": money_dict(item.line_total_cents, order.currency),
            }
            for item in order.items
        ],
    }
    if payment is not None:
        data["payment"] = {
            "id": payment.id,
            "status": payment.status,
            "method": payment.method,
            "card_last4": payment.card_last4,
            "amount_cents": payment.amount_cents,
        }
    return data
