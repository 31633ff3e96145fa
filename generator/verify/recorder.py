"""The recording proxy: the address verification drives, in front of the architecture's gateway.

Every request that reaches it is forwarded to the gateway as it came (less
hop-by-hop headers) and its answer recorded as an :class:`Exchange` before it
is sent back, so a step is recorded whichever HTTP client sent it. Requests
are recorded in the order they are answered; which phase (a journey or the
route pass) they belong to is set by the driver between phases.
"""

from __future__ import annotations

import socket
import threading

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from generator.run.gateway import strip_hop_by_hop
from generator.run.specs import LOOPBACK
from generator.verify.exchanges import Exchange, Phase
from generator.verify.normalise import decoded

REQUEST_TIMEOUT_SECONDS = 60.0
_DROPPED = frozenset({"content-length", "expect"})


class Recorder:
    """A loopback HTTP proxy to ``target`` that records every exchange."""

    def __init__(self, target: str) -> None:
        self._target = target.rstrip("/")
        self._lock = threading.Lock()
        self._phase = Phase.JOURNEY
        self._label = ""
        self._exchanges: list[Exchange] = []
        self._listener = socket.create_server((LOOPBACK, 0))
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.ServerRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self._listener.getsockname()[1]}"

    def begin(self, phase: Phase, label: str) -> None:
        """Record what comes next as ``phase`` (labelled ``label``: the journey, or the route rule).

        Called from the thread that drives the requests, between two of them.
        """
        with self._lock:
            self._phase, self._label = phase, label

    @property
    def current(self) -> tuple[Phase, str]:
        with self._lock:
            return self._phase, self._label

    def exchanges(self) -> tuple[Exchange, ...]:
        with self._lock:
            return tuple(self._exchanges)

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS),
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            cookie_jar=aiohttp.DummyCookieJar(),  # cookies are the journey's, not ours
        )
        self._runner = web.ServerRunner(web.Server(self._handle, access_log=None))
        await self._runner.setup()
        await web.SockSite(self._runner, self._listener).start()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()
        self._listener.close()

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = strip_hop_by_hop(CIMultiDict(request.headers), also=_DROPPED)
        with self._lock:
            phase, label = self._phase, self._label
        url = URL(f"{self._target}{request.raw_path}", encoded=True)
        try:
            async with self._session.request(
                request.method,
                url,
                headers=headers,
                data=body if body or request.method not in ("GET", "HEAD") else None,
                allow_redirects=False,
            ) as answer:
                content = await answer.read()
                status, reason = answer.status, answer.reason
                answer_headers = strip_hop_by_hop(CIMultiDict(answer.headers))
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self._record(Exchange(phase, label, request.method, request.raw_path, 0, error=error))
            return web.Response(status=502, text=f"monosplit verify: no answer: {error}")
        self._record(
            Exchange(
                phase,
                label,
                request.method,
                request.raw_path,
                status,
                media_type=answer_headers.get("Content-Type", "").split(";")[0].strip().lower(),
                location=answer_headers.get("Location"),
                body=decoded(content, answer_headers.get("Content-Encoding", "")),
            )
        )
        answer_headers.popall("Content-Length", None)
        return web.Response(status=status, reason=reason, headers=answer_headers, body=content)

    def _record(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)
