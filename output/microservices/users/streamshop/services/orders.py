"""Order history and cancellations."""
from __future__ import annotations

from . import billing, inventory, notifications


# count_orders moved to the orders service: calls go over HTTP (service_clients/orders.py).
from service_clients.orders import count_orders
