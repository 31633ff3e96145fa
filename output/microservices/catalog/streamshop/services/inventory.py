"""Stock management for catalog products.

Reservations are conditional ``UPDATE``s so two concurrent checkouts can never
drive ``stock_quantity`` below zero, and every change is written to the
``stock_movements`` ledger.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, select, text, update
from sqlalchemy.orm import Session

from streamshop.db import UTCDateTime
from streamshop.models.catalog import Product
from streamshop.models.commerce import StockMovement
from streamshop.utils.errors import Conflict
from streamshop.utils.timeutil import isoformat, utcnow
from streamshop.utils.validation import ValidationError

from .catalog import get_product

logger = logging.getLogger(__name__)

DEFAULT_LOW_STOCK_THRESHOLD = 10

LOW_STOCK_SQL = text(
    """
    SELECT p.id, p.sku, p.name, p.stock_quantity,
           COALESCE(SUM(CASE WHEN m.reason = 'reserve' THEN -m.delta ELSE 0 END), 0)
               AS units_reserved
    FROM products p
    LEFT JOIN stock_movements m ON m.product_id = p.id
    WHERE p.is_active = :active AND p.stock_quantity <= :threshold
    GROUP BY p.id, p.sku, p.name, p.stock_quantity
    ORDER BY p.stock_quantity ASC, p.id ASC
    """
)

BULK_RESTOCK_SQL = text(
    """
    UPDATE products
    SET stock_quantity = stock_quantity + :amount, updated_at = :now
    WHERE is_active = :active AND stock_quantity <= :threshold
    """
).bindparams(bindparam("now", type_=UTCDateTime))


class InsufficientStock(Conflict):
    code = "insufficient_stock"


def _normalise_lines(lines: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge duplicate products and sort by id so row locks are taken in a stable order."""
    merged: dict[int, int] = {}
    for product_id, quantity in lines:
        if quantity <= 0:
            raise ValidationError("quantities must be positive")
        merged[product_id] = merged.get(product_id, 0) + quantity
    return sorted(merged.items())


def check_availability(session: Session, product_id: int, quantity: int) -> bool:
    product = get_product(session, product_id)
    return product.stock_quantity >= quantity


def reserve_stock(
    session: Session, lines: Iterable[tuple[int, int]], *, order_id: int | None = None
) -> None:
    """Take ``(product_id, quantity)`` lines out of stock or raise InsufficientStock.

    Flushes only: when this raises, the caller must roll back the transaction
    to undo reservations of earlier lines.
    """
    for product_id, quantity in _normalise_lines(lines):
        result = session.execute(
            update(Product)
            .where(
                Product.id == product_id,
                Product.is_active.is_(True),
                Product.stock_quantity >= quantity,
            )
            .values(stock_quantity=Product.stock_quantity - quantity, updated_at=utcnow())
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            product = session.get(Product, product_id)
            available = product.stock_quantity if product is not None else 0
            raise InsufficientStock(
                f"not enough stock for product {product_id}",
                details={"product_id": product_id, "requested": quantity, "available": available},
            )
        session.add(
            StockMovement(
                product_id=product_id, delta=-quantity, reason="reserve", order_id=order_id
            )
        )
    session.flush()


def release_stock(
    session: Session,
    lines: Iterable[tuple[int, int]],
    *,
    order_id: int | None = None,
    note: str = "",
) -> None:
    """Put previously reserved units back (order cancelled). Flushes only."""
    for product_id, quantity in _normalise_lines(lines):
        session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(stock_quantity=Product.stock_quantity + quantity, updated_at=utcnow())
        )
        session.add(
            StockMovement(
                product_id=product_id,
                delta=quantity,
                reason="release",
                order_id=order_id,
                note=note,
            )
        )
    session.flush()


def restock(session: Session, product_id: int, quantity: int, *, note: str = "") -> Product:
    if quantity <= 0:
        raise ValidationError("restock quantity must be positive")
    product = get_product(session, product_id, include_inactive=True)
    product.stock_quantity += quantity
    session.add(StockMovement(product_id=product.id, delta=quantity, reason="restock", note=note))
    session.commit()
    return product


def low_stock_report(
    session: Session, *, threshold: int = DEFAULT_LOW_STOCK_THRESHOLD
) -> list[dict[str, Any]]:
    rows = session.execute(LOW_STOCK_SQL, {"active": True, "threshold": threshold}).mappings()
    return [
        {
            "product_id": row["id"],
            "sku": row["sku"],
            "name": row["name"],
            "stock_quantity": row["stock_quantity"],
            "units_reserved_all_time": int(row["units_reserved"]),
        }
        for row in rows
    ]


def bulk_restock_low_stock(
    session: Session, *, threshold: int = DEFAULT_LOW_STOCK_THRESHOLD, amount: int = 100
) -> int:
    """Nightly job: top up every active product at or below ``threshold``."""
    if amount <= 0:
        raise ValidationError("amount must be positive")
    affected_ids = [row["product_id"] for row in low_stock_report(session, threshold=threshold)]
    if not affected_ids:
        return 0
    session.execute(
        BULK_RESTOCK_SQL,
        {"amount": amount, "now": utcnow(), "active": True, "threshold": threshold},
    )
    session.add_all(
        StockMovement(product_id=pid, delta=amount, reason="restock", note="bulk low-stock top-up")
        for pid in affected_ids
    )
    session.commit()
    logger.info("bulk restocked %d products by %d units", len(affected_ids), amount)
    return len(affected_ids)


def stock_movements(session: Session, product_id: int, *, limit: int = 50) -> list[StockMovement]:
    return list(
        session.scalars(
            select(StockMovement)
            .where(StockMovement.product_id == product_id)
            .order_by(StockMovement.id.desc())
            .limit(limit)
        )
    )


def serialize_movement(movement: StockMovement) -> dict[str, Any]:
    return {
        "id": movement.id,
        "product_id": movement.product_id,
        "delta": movement.delta,
        "reason": movement.reason,
        "order_id": movement.order_id,
        "note": movement.note,
        "created_at": isoformat(movement.created_at),
    }
