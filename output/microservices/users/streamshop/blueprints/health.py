"""Liveness/readiness probe."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from streamshop import __version__
from streamshop.db import get_session, ping

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        database_ok = ping(get_session())
    except SQLAlchemyError:
        database_ok = False
    status = 200 if database_ok else 503
    return jsonify(
        status="ok" if database_ok else "degraded",
        database="ok" if database_ok else "unavailable",
        version=__version__,
    ), status
