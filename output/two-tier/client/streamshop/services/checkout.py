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


# get_or_create_cart moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import get_or_create_cart


# add_to_cart moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import add_to_cart


# update_cart_item moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import update_cart_item


# remove_from_cart moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import remove_from_cart


# clear_cart moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import clear_cart


# serialize_cart moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import serialize_cart


# checkout moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import checkout
