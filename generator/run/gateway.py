"""The public gateway: one HTTP port in front of every unit, like an Ingress or API gateway.

Each request goes to the unit :class:`~generator.run.routing.Router` chooses,
on the next ready replica of that unit (round-robin per request), over a
pool of kept-alive backend connections. Method, path and query (as
received, not re-encoded), headers less the hop-by-hop ones, and body are
forwarded; status, headers and body come back unchanged, the body streamed.
``X-Forwarded-For``/``-Host``/``-Proto`` tell the unit who asked.

A request that never reached a replica (connection refused, replica down or
restarting) is retried on another one, or waits for one to be ready again, up
to the unavailable timeout; then the answer is 503 with a JSON error. A
request a replica dropped without answering is retried only if its method is
idempotent, since it may have been processed; otherwise the answer is 502.

Only public traffic passes: requests go to the units' public ports, and an
internal path (``/_monosplit/...``, ``/metrics``) is answered 404 here
already. A body over ``max_body`` bytes is answered 413 before it is read
whole: the gateway buffers each body, so that is what bounds its memory.

Built on aiohttp: a maintained asyncio HTTP server and client with
connection pooling, so the gateway does not parse HTTP itself.
"""

from __future__ import annotations

import contextlib
import json
import socket

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from generator.run.balancing import RoundRobin
from generator.run.routing import Router
from generator.run.specs import LOOPBACK
from generator.runtime.guard import internal_path

# RFC 9110 section 7.6.1: meaningful for one connection only, never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Dropped from requests as well: the gateway reads the whole body first, so the
# backend gets a Content-Length of its own and nothing to "continue".
_REQUEST_ONLY = frozenset({"content-length", "expect"})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# Shorter than the idle timeout of common app servers (gunicorn 2 s, uvicorn 5 s), so a
# pooled connection is not reused just as the server closes it.
BACKEND_KEEPALIVE_SECONDS = 1.0
BACKEND_CONNECT_SECONDS = 5.0
SHUTDOWN_SECONDS = 2.0
_CHUNK = 65536
DEFAULT_MAX_BODY = 10 * 1024 * 1024


def strip_hop_by_hop(headers: CIMultiDict[str], *, also: frozenset[str] = frozenset()) -> CIMultiDict[str]:
    """A copy without hop-by-hop headers, including those the ``Connection`` header names."""
    named = {
        token.strip().lower() for value in headers.getall("Connection", []) for token in value.split(",")
    }
    drop = HOP_BY_HOP | named | also
    return CIMultiDict((key, value) for key, value in headers.items() if key.lower() not in drop)


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


class Gateway:
    """The HTTP reverse proxy on the public port."""

    def __init__(
        self,
        router: Router,
        balancer: RoundRobin,
        listener: socket.socket,
        *,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self._max_body = max_body
        self._router = router
        self._balancer = balancer
        self._listener = listener
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.ServerRunner | None = None

    @property
    def port(self) -> int:
        port: int = self._listener.getsockname()[1]
        return port

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=BACKEND_KEEPALIVE_SECONDS),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=BACKEND_CONNECT_SECONDS),
            # headers go through as the client sent them: no defaults added, nothing decompressed
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        server = web.Server(self._handle, access_log=None)
        self._runner = web.ServerRunner(server, shutdown_timeout=SHUTDOWN_SECONDS)
        await self._runner.setup()
        await web.SockSite(self._runner, self._listener).start()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        if internal_path(request.path):
            return _json_error(404, "not_found", "not found")
        if request.content_length is not None and request.content_length > self._max_body:
            return _too_large(self._max_body)
        if (
            request.version >= aiohttp.HttpVersion11
            and request.headers.get("Expect", "").lower() == "100-continue"
        ):
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await self._read_body(request)
        if body is None:
            return _too_large(self._max_body)
        unit = self._router.choose(request.method, request.path).unit
        headers = self._forwarded_headers(request)
        async with contextlib.aclosing(self._balancer.ports_to_try(unit)) as ports:
            async for port in ports:
                try:
                    backend = await self._send(request, port, headers, body)
                except aiohttp.ClientConnectorError:
                    continue  # never delivered: the next replica, or wait for one
                except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
                    if request.method in IDEMPOTENT:
                        continue
                    return _json_error(502, "bad_gateway", f"unit {unit!r} dropped the request: {exc}")
                try:
                    return await self._relay(request, backend)
                finally:
                    backend.release()
        return _json_error(
            503, "unavailable", f"no replica of unit {unit!r} is available; it may be restarting"
        )

    async def _read_body(self, request: web.BaseRequest) -> bytes | None:
        """The whole body, or None as soon as it grows over the limit (chunked bodies have no length)."""
        parts: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_any():
            size += len(chunk)
            if size > self._max_body:
                return None
            parts.append(chunk)
        return b"".join(parts)

    def _forwarded_headers(self, request: web.BaseRequest) -> CIMultiDict[str]:
        headers = strip_hop_by_hop(CIMultiDict(request.headers), also=_REQUEST_ONLY)
        # append this hop's client to the chain earlier proxies started
        chain = [*headers.popall("X-Forwarded-For", []), *([request.remote] if request.remote else [])]
        if chain:
            headers["X-Forwarded-For"] = ", ".join(chain)
        headers.setdefault("X-Forwarded-Host", request.host)
        headers.setdefault("X-Forwarded-Proto", request.scheme)
        return headers

    async def _send(
        self, request: web.BaseRequest, port: int, headers: CIMultiDict[str], body: bytes
    ) -> aiohttp.ClientResponse:
        assert self._session is not None
        # raw_path keeps the client's percent-encoding; encoded=True stops yarl re-quoting it
        url = URL(f"http://{LOOPBACK}:{port}{request.raw_path}", encoded=True)
        return await self._session.request(
            request.method,
            url,
            headers=headers,
            data=body if body or request.method not in ("GET", "HEAD") else None,
            allow_redirects=False,
        )

    async def _relay(self, request: web.BaseRequest, backend: aiohttp.ClientResponse) -> web.StreamResponse:
        response = web.StreamResponse(status=backend.status, reason=backend.reason)
        response.headers.extend(strip_hop_by_hop(CIMultiDict(backend.headers)))
        await response.prepare(request)
        try:
            async for chunk in backend.content.iter_chunked(_CHUNK):
                await response.write(chunk)
        except (aiohttp.ClientError, OSError):
            # The replica died mid-answer and the status is already sent: cut the client's
            # connection, so a chunked body cannot look complete.
            if request.transport is not None:
                request.transport.abort()
            return response
        await response.write_eof()
        return response


def _too_large(limit: int) -> web.Response:
    response = _json_error(413, "too_large", f"the request body exceeds {limit} bytes")
    response.force_close()  # the rest of the body is not read: the connection cannot be reused
    return response


def _json_error(status: int, code: str, message: str) -> web.Response:
    return web.Response(status=status, body=error_body(code, message), content_type="application/json")
