"""/api/recommendations: personalised titles and products."""
from __future__ import annotations

from flask import Blueprint
from streamshop.services import recommendations

bp = Blueprint("recommendations", __name__, url_prefix="/api/recommendations")
