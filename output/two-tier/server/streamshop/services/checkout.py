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

from sqlalchemy import select
from sqlalchemy.orm import Session

from streamshop.config import get_settings
from streamshop.models.commerce import Cart, CartItem, Order, OrderItem, OrderStatus
from streamshop.models.notification import NotificationKind
from streamshop.utils.errors import NotFound
from streamshop.utils.money import apply_basis_points, format_cents, money_dict, sum_cents
from streamshop.utils.validation import ValidationError

from . import account, billing, inventory, notifications
from .catalog import get_product, get_products_by_ids
from .inventory import InsufficientStock

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


def get_or_create_cart(session: Session, user_id: int) -> Cart:
    cart = session.scalars(select(Cart).where(Cart.user_id == user_id)).first()
    if cart is None:
        cart = Cart(user_id=user_id)
        session.add(cart)
        session.flush()
    return cart


def _find_line(cart: Cart, product_id: int) -> CartItem | None:
    return next((item for item in cart.items if item.product_id == product_id), None)


def add_to_cart(session: Session, user_id: int, product_id: int, quantity: int) -> Cart:
    if quantity < 1:
        raise ValidationError("quantity must be at least 1")
    product = get_product(session, product_id)
    cart = get_or_create_cart(session, user_id)
    line = _find_line(cart, product.id)
    new_quantity = quantity + (line.quantity if line else 0)
    if new_quantity > MAX_QUANTITY_PER_LINE:
        raise ValidationError(f"at most {MAX_QUANTITY_PER_LINE} of one product per order")
    if not inventory.check_availability(session, product.id, new_quantity):
        raise InsufficientStock(
            f"only {product.stock_quantity} of {product.name!r} left",
            details={"product_id": product.id, "available": product.stock_quantity},
        )
    if line is None:
        if len(cart.items) >= MAX_CART_LINES:
            raise ValidationError(f"a cart holds at most {MAX_CART_LINES} different products")
        cart.items.append(CartItem(product_id=product.id, quantity=new_quantity))
    else:
        line.quantity = new_quantity
    session.commit()
    return cart


def update_cart_item(session: Session, user_id: int, product_id: int, quantity: int) -> Cart:
    """Set the quantity of a line; ``0`` removes it."""
    if quantity < 0 or quantity > MAX_QUANTITY_PER_LINE:
        raise ValidationError(f"quantity must be between 0 and {MAX_QUANTITY_PER_LINE}")
    cart = get_or_create_cart(session, user_id)
    line = _find_line(cart, product_id)
    if line is None:
        raise NotFound(f"product {product_id} is not in the cart")
    if quantity == 0:
        cart.items.remove(line)
    else:
        if not inventory.check_availability(session, product_id, quantity):
            raise InsufficientStock("not enough stock", details={"product_id": product_id})
        line.quantity = quantity
    session.commit()
    return cart


def remove_from_cart(session: Session, user_id: int, product_id: int) -> Cart:
    return update_cart_item(session, user_id, product_id, 0)


def clear_cart(session: Session, user_id: int) -> None:
    cart = get_or_create_cart(session, user_id)
    cart.items.clear()
    session.commit()


def quote_cart(session: Session, user_id: int, cart: Cart | None = None) -> Quote:
    settings = get_settings()
    cart = cart or get_or_create_cart(session, user_id)
    products = get_products_by_ids(session, (item.product_id for item in cart.items))
    subtotal = sum_cents(
        products[item.product_id].price_cents * item.quantity
        for item in cart.items
        if item.product_id in products
    )
    free_reason: str | None = None
    if not cart.items:
        shipping = 0
    elif billing.has_active_prime(session, user_id):
        shipping, free_reason = 0, "prime"
    elif subtotal >= settings.free_shipping_threshold_cents:
        shipping, free_reason = 0, "threshold"
    else:
        shipping = settings.shipping_flat_fee_cents
    tax = apply_basis_points(subtotal + shipping, settings.tax_rate_bps)
    return Quote(
        currency=settings.currency,
        subtotal_cents=subtotal,
        shipping_cents=shipping,
        tax_cents=tax,
        free_shipping_reason=free_reason,
    )


def serialize_cart(session: Session, cart: Cart) -> dict[str, Any]:
    products = get_products_by_ids(session, (item.product_id for item in cart.items))
    items = []
    for item in cart.items:
        product = products.get(item.product_id)
        if product is None:
            continue
        items.append(
            {
                "product_id": product.id,
                "name": product.name,
                "quantity": item.quantity,
                "unit_price": money_dict(product.price_cents, product.currency),
                "line_total": money_dict(product.price_cents * item.quantity, product.currency),
                "in_stock": product.stock_quantity >= item.quantity,
            }
        )
    return {
        "items": items,
        "item_count": sum(item["quantity"] for item in items),
        "quote": quote_cart(session, cart.user_id, cart).to_dict(),
    }


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
