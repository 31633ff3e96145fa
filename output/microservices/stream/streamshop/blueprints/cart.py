"""/api/cart: the signed-in user's shopping cart."""
from __future__ import annotations

from flask import Blueprint
from streamshop.services import checkout

bp = Blueprint("cart", __name__, url_prefix="/api/cart")
