"""Shopping cart and checkout.

Checkout is the busiest use case in the app: it prices the cart (prime
members ship free), reserves stock, charges the customer, records the order,
empties the cart and sends the confirmation, all in one transaction.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from sqlalchemy.orm import Session
from streamshop.models.commerce import Order, OrderItem, OrderStatus
from streamshop.models.notification import NotificationKind
from streamshop.utils.money import format_cents, money_dict
from streamshop.utils.validation import ValidationError

from . import account, billing, inventory, notifications
from .catalog import get_products_by_ids

logger = logging.getLogger(__name__)

MAX_QUANTITY_PER_LINE = 10
MAX_CART_LINES = 25


@dataclass(frozen=True)
class Quote:
    """Price breakdown of a cart at a moment in time."""

    currency: str
    subtotal_cents: int
    shipping_cents: int
    tax_cents: int
    free_shipping_reason: str | None

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents + self.shipping_cents + self.tax_cents

    def to_dict(self) -> dict[str, Any]:
        return {
            "subtotal": money_dict(self.subtotal_cents, self.currency),
            "shipping": money_dict(self.shipping_cents, self.currency),
            "tax": money_dict(self.tax_cents, self.currency),
            "total": money_dict(self.total_cents, self.currency),
            "free_shipping_reason": self.free_shipping_reason,
        }


# get_or_create_cart moved to the cart service: calls go over HTTP (service_clients/cart.py).
from service_clients.cart import get_or_create_cart


# quote_cart moved to the cart service: calls go over HTTP (service_clients/cart.py).
from service_clients.cart import quote_cart


def _resolve_shipping_address(
    session: Session, user_id: int, shipping_address: Mapping[str, Any] | None
) -> str:
    if shipping_address is not None:
        if not isinstance(shipping_address, Mapping):
            raise ValidationError("shipping_address must be an object")
        return account.shipping_label(shipping_address)
    default = account.get_default_address(session, user_id)
    if default is None:
        raise ValidationError(
            "shipping_address is required (no default address on file)",
            details={"field": "shipping_address"},
        )
    return account.shipping_label(default)


def checkout(
    session: Session,
    user_id: int,
    *,
    payment_source: billing.PaymentSource,
    shipping_address: Mapping[str, Any] | None = None,
) -> Order:
    """Turn the user's cart into a paid order.

    On a declined payment or missing stock the transaction is rolled back, so
    no order exists, stock is untouched and the cart keeps its items.
    """
    cart = get_or_create_cart(session, user_id)
    if not cart.items:
        raise ValidationError("cart is empty")
    address = _resolve_shipping_address(session, user_id, shipping_address)
    quote = quote_cart(session, user_id, cart)
    products = get_products_by_ids(session, (item.product_id for item in cart.items))
    lines = [(item.product_id, item.quantity) for item in cart.items]

    order = Order(
        user_id=user_id,
        status=OrderStatus.PAID,
        currency=quote.currency,
        subtotal_cents=quote.subtotal_cents,
        shipping_cents=quote.shipping_cents,
        tax_cents=quote.tax_cents,
        total_cents=quote.total_cents,
        shipping_address=address,
        items=[
            OrderItem(
                product_id=product_id,
                product_name=products[product_id].name,
                unit_price_cents=products[product_id].price_cents,
                quantity=quantity,
            )
            for product_id, quantity in lines
        ],
    )
    try:
        session.add(order)
        session.flush()
        inventory.reserve_stock(session, lines, order_id=order.id)
        billing.charge(
            session,
            user_id=user_id,
            amount_cents=quote.total_cents,
            currency=quote.currency,
            source=payment_source,
            purpose="order",
            description=f"StreamShop order #{order.id}",
            order_id=order.id,
        )
    except Exception:
        session.rollback()
        raise

    cart.items.clear()
    notifications.notify(
        session,
        user_id,
        NotificationKind.ORDER_CONFIRMATION,
        {
            "order_id": order.id,
            "item_count": sum(quantity for _, quantity in lines),
            "total": format_cents(order.total_cents, order.currency),
            "city": json.loads(address).get("city", ""),
        },
        link=f"/api/orders/{order.id}",
    )
    session.commit()
    logger.info("order %s placed by user %s for %s", order.id, user_id, order.total_cents)
    return order
