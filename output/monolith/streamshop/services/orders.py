"""Order history and cancellations."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streamshop.models.commerce import Order, OrderItem, OrderStatus, Payment
from streamshop.models.notification import NotificationKind
from streamshop.utils.errors import Conflict, NotFound
from streamshop.utils.money import format_cents, money_dict
from streamshop.utils.pagination import Page, paginate
from streamshop.utils.timeutil import isoformat, utcnow
from streamshop.utils.validation import ValidationError

from . import billing, inventory, notifications


def list_orders(
    session: Session,
    user_id: int,
    *,
    page: int,
    per_page: int,
    status: str | None = None,
    since: datetime | None = None,
) -> Page[Order]:
    stmt = (
        select(Order)
        .where(Order.user_id == user_id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
    )
    if status is not None:
        if status not in {s.value for s in OrderStatus}:
            raise ValidationError(f"unknown order status {status!r}")
        stmt = stmt.where(Order.status == status)
    if since is not None:
        stmt = stmt.where(Order.placed_at >= since)
    return paginate(session, stmt, page, per_page)


def get_order(session: Session, user_id: int, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None or order.user_id != user_id:
        raise NotFound(f"order {order_id} not found")
    return order


def cancel_order(session: Session, user_id: int, order_id: int) -> Order:
    """Cancel a paid order: refund the payment and put the stock back."""
    order = get_order(session, user_id, order_id)
    if order.status != OrderStatus.PAID:
        raise Conflict(f"order {order_id} cannot be cancelled (status {order.status})")
    payment = billing.get_payment_for_order(session, order.id)
    if payment is not None:
        billing.refund_payment(session, payment.id, reason=f"order {order.id} cancelled")
    inventory.release_stock(
        session,
        [(item.product_id, item.quantity) for item in order.items],
        order_id=order.id,
        note="order cancelled by customer",
    )
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = utcnow()
    notifications.notify(
        session,
        user_id,
        NotificationKind.ORDER_CANCELLED,
        {"order_id": order.id, "total": format_cents(order.total_cents, order.currency)},
        link=f"/api/orders/{order.id}",
    )
    session.commit()
    return order


def purchased_product_ids(session: Session, user_id: int) -> set[int]:
    """Products the user bought in orders that were not cancelled."""
    stmt = (
        select(OrderItem.product_id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.user_id == user_id, Order.status == OrderStatus.PAID)
        .distinct()
    )
    return set(session.scalars(stmt))


def count_orders(session: Session, user_id: int) -> int:
    return session.execute(
        select(func.count()).select_from(Order).where(Order.user_id == user_id)
    ).scalar_one()


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
