"""/api/notifications: the signed-in user's inbox and delivery preferences."""
from __future__ import annotations

from flask import Blueprint
from streamshop.services import notifications

bp = Blueprint("notifications", __name__, url_prefix="/api/notifications")
