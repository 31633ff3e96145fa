"""/api/subscriptions: prime membership."""
from __future__ import annotations

from flask import Blueprint
from streamshop.services import billing

bp = Blueprint("subscriptions", __name__, url_prefix="/api/subscriptions")
