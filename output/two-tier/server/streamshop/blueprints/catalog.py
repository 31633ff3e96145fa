"""/api/catalog: browsing and search, plus admin maintenance of the catalog."""
from __future__ import annotations

from flask import Blueprint
from streamshop.services import catalog, inventory

bp = Blueprint("catalog", __name__, url_prefix="/api/catalog")
