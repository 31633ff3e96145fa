"""/api/stream: playback sessions and watch history."""
from __future__ import annotations

from flask import Blueprint
from streamshop.services import streaming

bp = Blueprint("stream", __name__, url_prefix="/api/stream")
