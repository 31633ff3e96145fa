"""User journeys: Python files that drive an architecture over HTTP, one step per request.

A journey is a Python file defining ``journey(client)``::

    def journey(client):
        client.post("/api/auth/register", json={"email": "ann@example.com", "password": "pw-123456"})
        token = client.post("/api/auth/login", json={...}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        client.get("/api/users/me")

``client`` is a :class:`JourneyClient` bound to the architecture's address: it
keeps cookies, sends ``client.headers`` with every request, and never follows
redirects by itself (each hop is a step). Every request that reaches the
address is recorded as a step, whichever HTTP library sends it, so an existing
HTTP test script becomes a journey by calling it with ``client.base_url``.
A journey may check answers with ``assert``: one that raises stops there, and
is reported with where it stopped.

The same journey runs against every architecture, each on fresh data, so its
steps can be compared one for one; random values it sends (a unique e-mail)
are fine, since what the monolith's two runs answer differently is not compared.
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import importlib.util
import json as jsonlib
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from types import ModuleType
from typing import Any

from analyzer.errors import MonosplitError

JOURNEY_FUNCTION = "journey"
REQUEST_TIMEOUT_SECONDS = 30.0


class JourneyError(MonosplitError):
    """A journey file that cannot be loaded, or defines no ``journey(client)``."""


@dataclass(frozen=True, slots=True)
class Journey:
    """A journey file, checked to load and to define ``journey``."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    def load(self) -> Callable[[JourneyClient], object]:
        """A fresh copy of the file's ``journey`` function (module-level state does not carry over)."""
        module = _import(self.path)
        function = getattr(module, JOURNEY_FUNCTION, None)
        if not callable(function):
            raise JourneyError(f"{self.path}: defines no function {JOURNEY_FUNCTION}(client)")
        return function


def load_journey(path: Path) -> Journey:
    """Check that ``path`` is a Python file defining ``journey(client)``; raise :class:`JourneyError` if not."""
    if not path.is_file():
        raise JourneyError(f"--journey {path}: no such file")
    if path.suffix != ".py":
        raise JourneyError(
            f"--journey {path}: a journey is a Python file defining {JOURNEY_FUNCTION}(client)"
        )
    journey = Journey(path.resolve())
    journey.load()
    return journey


def _import(path: Path) -> ModuleType:
    # a private name per file, so two journeys (or a journey and the app) never collide
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(f"monosplit_journey_{digest}", path)
    if spec is None or spec.loader is None:
        raise JourneyError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    # registered as imported modules are: dataclasses and pickling look their module up
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001  (the user's file: any error is reported, in one line)
        raise JourneyError(f"{path}: cannot be loaded: {describe_exception(exc, path)}") from None
    return module


def describe_exception(exc: BaseException, script: Path) -> str:
    """``Kind: message (file:line)``, the line being the deepest frame in ``script`` (else the deepest)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename) == script] or frames
    where = f" ({Path(ours[-1].filename).name}:{ours[-1].lineno})" if ours else ""
    if isinstance(exc, SyntaxError) and exc.lineno is not None:
        where = f" ({Path(exc.filename or str(script)).name}:{exc.lineno})"
    message = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}{': ' + message if message else ''}{where}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer of its own, and a step


@dataclass(frozen=True, slots=True)
class Response:
    """An answer, as a journey sees it."""

    status: int
    headers: Message
    content: bytes
    url: str

    @property
    def status_code(self) -> int:
        return self.status

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def text(self) -> str:
        return self.content.decode(self.headers.get_content_charset() or "utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


class JourneyClient:
    """A small HTTP client bound to one architecture's address, with cookies, for journeys."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        #: sent with every request (a request's own ``headers`` win)
        self.headers: dict[str, str] = {}
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (an absolute URL is left as it is)."""
        return path if "://" in path else f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Send one request; any status comes back as a :class:`Response` (none raises).

        ``json`` sends a JSON body; ``data`` a form (a mapping) or raw bytes/text.
        """
        url = self.url(path)
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, doseq=True)
        sent = {**self.headers, **(headers or {})}
        body: bytes | None = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        elif isinstance(data, Mapping):
            body = urllib.parse.urlencode(data, doseq=True).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif isinstance(data, str):
            body = data.encode()
        elif isinstance(data, bytes):
            body = data
        request = urllib.request.Request(url, data=body, headers=sent, method=method.upper())
        try:
            with self._opener.open(request, timeout=REQUEST_TIMEOUT_SECONDS) as answer:
                return Response(answer.status, answer.headers, answer.read(), url)
        except urllib.error.HTTPError as answer:
            with answer:
                return Response(answer.code, answer.headers, answer.read(), url)

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        return self.request("DELETE", path, **kwargs)
