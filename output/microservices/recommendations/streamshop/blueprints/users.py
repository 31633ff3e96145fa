"""/api/users: the signed-in user's profile, addresses and account summary."""
from __future__ import annotations

from flask import Blueprint
from streamshop.services import account, billing, notifications, orders

bp = Blueprint("users", __name__, url_prefix="/api/users")
