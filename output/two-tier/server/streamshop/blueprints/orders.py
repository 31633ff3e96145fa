"""/api/orders: checkout and order history."""
from __future__ import annotations

from flask import Blueprint
from streamshop.services import billing, checkout, orders

bp = Blueprint("orders", __name__, url_prefix="/api/orders")
