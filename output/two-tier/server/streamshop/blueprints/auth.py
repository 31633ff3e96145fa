"""/api/auth: registration and login."""
from __future__ import annotations

from flask import Blueprint
from streamshop.services import account

bp = Blueprint("auth", __name__, url_prefix="/api/auth")
