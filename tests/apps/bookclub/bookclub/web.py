"""The WSGI application: ``bookclub.web:app``.

Routes live in the ``bookclub.views`` modules, which import ``app`` from here
and register themselves with ``@app.get`` / ``@app.post``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from bookclub.database import db_session, init_db
from bookclub.errors import BookclubError

app = Flask(__name__)
app.json.sort_keys = False  # type: ignore[attr-defined]


@app.teardown_appcontext
def shutdown_session(exception: BaseException | None = None) -> None:
    """Give the request's session back; roll back anything left uncommitted."""
    db_session.remove()


def _error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"error": {"type": error_type, "message": message}}


@app.errorhandler(BookclubError)
def handle_bookclub_error(error: BookclubError) -> tuple[dict[str, Any], int]:
    """Report a domain error as JSON with the status its class declares."""
    db_session.rollback()
    return _error_body(error.error_type, str(error)), error.status


@app.errorhandler(HTTPException)
def handle_http_error(error: HTTPException) -> tuple[dict[str, Any], int]:
    """Unknown routes, wrong methods and the like, in the same JSON shape."""
    name = (error.name or "HTTPError").replace(" ", "")
    return _error_body(name, error.description or ""), error.code or 500


@app.get("/health")
def health() -> dict[str, str]:
    """Liveness and database connectivity."""
    db_session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}


# Circular import, on purpose: the view modules do ``from bookclub.web import
# app``, so they can only be imported once ``app`` exists.  Importing them here
# registers every route, so importing ``bookclub.web`` yields a complete app.
from bookclub.views import books, loans, members, reviews  # noqa: E402, F401

# Tables must exist before the first request, whichever server imports us.
init_db()
