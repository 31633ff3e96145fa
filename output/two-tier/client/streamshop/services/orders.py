"""Order history and cancellations."""
from __future__ import annotations

from . import billing, inventory, notifications


# list_orders moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import list_orders


# get_order moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import get_order


# cancel_order moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import cancel_order


# count_orders moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import count_orders


# serialize_order moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import serialize_order
