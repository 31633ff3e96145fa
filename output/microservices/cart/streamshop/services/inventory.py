"""Stock management for catalog products.

Reservations are conditional ``UPDATE``s so two concurrent checkouts can never
drive ``stock_quantity`` below zero, and every change is written to the
``stock_movements`` ledger.
"""
from __future__ import annotations

import logging

from sqlalchemy import bindparam, text

from streamshop.db import UTCDateTime
from streamshop.utils.errors import Conflict

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


# check_availability moved to the catalog service: calls go over HTTP (service_clients/catalog.py).
from service_clients.catalog import check_availability
