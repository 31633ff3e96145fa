"""Shopping cart and checkout.

Checkout is the busiest use case in the app: it prices the cart (prime
members ship free), reserves stock, charges the customer, records the order,
empties the cart and sends the confirmation, all in one transaction.
"""
from __future__ import annotations
import logging

from . import account, billing, inventory, notifications

logger = logging.getLogger(__name__)

MAX_QUANTITY_PER_LINE = 10
MAX_CART_LINES = 25
