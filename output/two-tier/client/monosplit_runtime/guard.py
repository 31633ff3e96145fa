"""The unit's two ports, and the limits every request meets before the application sees it.

A unit listens on two ports (one gunicorn, two ``--bind`` addresses): the
public port (8000, named ``http``), which serves the application's routes and
the probes, and the internal port (``MONOSPLIT_INTERNAL_PORT``, 8001, named
``internal``), which serves what only other units and Prometheus may ask for:
``/_monosplit/...`` and ``/metrics``. :class:`PortSplit` wraps the app's WSGI
callable and tells them apart by the local port of the connection (the
socket the server accepted it on, never the ``Host`` header):

* on the public port, an internal path is 404, as if it did not exist;
* on the internal port, anything but an internal path, ``/openapi.json``
  (the internal API's document there) and the probes is 404.

Why one app behind a dispatching middleware and not a second app on the
second port: an exported function runs inside the application's own app and
request context (its configuration, extensions, Flask-SQLAlchemy's session,
its ``before_request`` hooks), exactly as when the monolith called it; a
second app would have to fake all of that. Why by port and not by path
alone: a NetworkPolicy, a compose network or a firewall can only tell ports
apart, so the internal port can be closed to everyone but the callers.

Limits, answered before the application runs: a body over
``MONOSPLIT_MAX_BODY_BYTES`` (default 10 MiB) is 413; a JSON body nested
deeper than ``MONOSPLIT_MAX_JSON_DEPTH`` (default 100) is 400. On the
internal port every body is checked; on the public port, JSON bodies (the
application's own limits apply to the rest). Each request gets a request id
(a sane incoming ``X-Request-ID``, else a new one), which error bodies carry
and logs name.
"""

from __future__ import annotations

import io
import json
import os
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["INTERNAL_KEY", "REQUEST_ID_KEY", "PortSplit", "internal_path", "too_deep"]

INTERNAL_KEY = "monosplit.internal"
REQUEST_ID_KEY = "monosplit.request_id"
INTERNAL_PORT_ENV = "MONOSPLIT_INTERNAL_PORT"
DEFAULT_INTERNAL_PORT = 8001
MAX_BODY_ENV = "MONOSPLIT_MAX_BODY_BYTES"
MAX_DEPTH_ENV = "MONOSPLIT_MAX_JSON_DEPTH"
DEFAULT_MAX_BODY = 10 * 1024 * 1024
DEFAULT_MAX_DEPTH = 100
#: served on either port: the kubelet probes the public one, a caller may check the internal one
PROBES = frozenset({"/healthz", "/readyz"})
_INTERNAL_PREFIX = "/_monosplit"
_INTERNAL_EXACT = frozenset({"/metrics"})
_INTERNAL_ONLY_DOCUMENT = "/openapi.json"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# a JSON string (skipped whole, escapes included) or a bracket: the tokens that decide nesting
_JSON_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_OPENING = frozenset(b"[{")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "").strip() or default)
    except ValueError:
        return default


def canonical_path(path: str) -> str:
    """The path as routing will see it: repeated slashes merged, ``.`` and ``..`` segments resolved."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    return "/" + "/".join(segments) + ("/" if path.endswith("/") and segments else "")


def internal_path(path: str) -> bool:
    """Whether a path is one only the internal port serves."""
    canonical = canonical_path(path)
    return (
        canonical == _INTERNAL_PREFIX
        or canonical.startswith(_INTERNAL_PREFIX + "/")
        or canonical.rstrip("/") in _INTERNAL_EXACT
    )


def too_deep(body: bytes, limit: int) -> bool:
    """Whether JSON text nests arrays and objects deeper than ``limit`` (stops at the first level over)."""
    depth = 0
    for found in _JSON_TOKENS.finditer(body):
        first = found.group()[0]
        if first in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif first != 0x22:  # a closing bracket; a string changes nothing
            depth -= 1
    return False


def local_port(environ: dict[str, Any]) -> int | None:
    """The port the connection was accepted on: from the socket when the server hands it over."""
    for key in ("gunicorn.socket", "werkzeug.socket"):
        sock = environ.get(key)
        if sock is not None:
            try:
                return int(sock.getsockname()[1])
            except (OSError, IndexError, TypeError, ValueError):
                break
    try:
        return int(environ.get("SERVER_PORT", ""))  # gunicorn and werkzeug take it from the socket too
    except ValueError:
        return None


def _is_json(environ: dict[str, Any]) -> bool:
    content_type = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
    return content_type.endswith(("/json", "+json"))


def _error(start_response: StartResponse, status: str, message: str, request_id: str) -> list[bytes]:
    body = json.dumps({"error": {"message": message, "request_id": request_id}}).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("X-Request-ID", request_id),
        ],
    )
    return [body]


class PortSplit:
    """WSGI middleware: which port a request came in on, what it may reach there, and the limits."""

    def __init__(self, app: WSGIApp, *, internal_port: int | None = None) -> None:
        self.app = app
        self.internal_port = (
            internal_port if internal_port is not None else _env_int(INTERNAL_PORT_ENV, DEFAULT_INTERNAL_PORT)
        )
        self.max_body = _env_int(MAX_BODY_ENV, DEFAULT_MAX_BODY)
        self.max_depth = _env_int(MAX_DEPTH_ENV, DEFAULT_MAX_DEPTH)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        internal = local_port(environ) == self.internal_port
        environ[INTERNAL_KEY] = internal
        incoming = str(environ.get("HTTP_X_REQUEST_ID", ""))
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        environ[REQUEST_ID_KEY] = request_id
        path = str(environ.get("PATH_INFO", "") or "/")
        if internal:
            canonical = canonical_path(path)
            if not (internal_path(path) or canonical in PROBES or canonical == _INTERNAL_ONLY_DOCUMENT):
                return _error(start_response, "404 NOT FOUND", "not found", request_id)
        elif internal_path(path):
            from werkzeug.exceptions import NotFound  # the 404 the application itself would give

            return NotFound()(environ, start_response)
        if internal or _is_json(environ):
            refused = self._buffer(environ, check_depth=internal or _is_json(environ))
            if refused is not None:
                status, message = refused
                return _error(start_response, status, message, request_id)
        return self.app(environ, start_response)

    def _buffer(self, environ: dict[str, Any], *, check_depth: bool) -> tuple[str, str] | None:
        """Read the body (up to the limit) and put it back; a refusal's status and message otherwise."""
        raw_length = str(environ.get("CONTENT_LENGTH", "") or "").strip()
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
        if raw_length:
            try:
                length = int(raw_length)
            except ValueError:
                return "400 BAD REQUEST", "malformed Content-Length"
            if length > self.max_body:
                return "413 REQUEST ENTITY TOO LARGE", f"the body exceeds {self.max_body} bytes"
            body = environ["wsgi.input"].read(length) if length > 0 else b""
        elif chunked:
            body = environ["wsgi.input"].read(self.max_body + 1)
            if len(body) > self.max_body:
                return "413 REQUEST ENTITY TOO LARGE", f"the body exceeds {self.max_body} bytes"
        else:
            return None
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True
        if check_depth and too_deep(body, self.max_depth):
            return "400 BAD REQUEST", f"the JSON body nests deeper than {self.max_depth} levels"
        return None
