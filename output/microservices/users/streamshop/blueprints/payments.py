"""/api/payments: the signed-in user's payment history."""
from __future__ import annotations

from flask import Blueprint
from streamshop.services import billing

bp = Blueprint("payments", __name__, url_prefix="/api/payments")
