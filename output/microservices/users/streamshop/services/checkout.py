"""Shopping cart and checkout.

Checkout is the busiest use case in the app: it prices the cart (prime
members ship free), reserves stock, charges the customer, records the order,
empties the cart and sends the confirmation, all in one transaction.
"""
from __future__ import annotations
import logging
from collections.abc import Mapping
from typing import Any
from sqlalchemy.orm import Session
from streamshop.utils.validation import ValidationError

from . import account, billing, inventory, notifications

logger = logging.getLogger(__name__)

MAX_QUANTITY_PER_LINE = 10
MAX_CART_LINES = 25


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
