"""Calling a function that another service owns, over HTTP.

Generated stubs stand where the function used to be::

    catalog = ServiceClient("catalog", "CATALOG_URL", "http://catalog:8001")
    get_product = catalog.function("streamshop.services.catalog.get_product", idempotent=True)

so the caller's code is unchanged: arguments and results cross as tagged
JSON (:mod:`.codec`), and an exception the callee raises is raised again in
the caller as the same class.

Failures are retried only where that is safe. A connection that could not be
established (refused, connect timeout, unknown host) never reached the
service, so every call waits for it with back-off for up to
``MONOSPLIT_UNAVAILABLE_TIMEOUT`` seconds: long enough to ride out a restart.
A call that may have reached the service (read timeout, dropped answer,
502/503/504) is repeated only when the stub says it is idempotent.

``<SERVICE>_URL`` is the service's internal port (8001): every request is
signed with the deployment's key and this unit's name (:mod:`.auth`).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import urllib3
import urllib3.connection
from flask import has_request_context, request
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NameResolutionError

from . import auth, transactions
from .codec import decode, encode, set_row_writer
from .errors import RemoteError, ServiceUnavailable
from .metrics import CLIENT_REQUESTS, CLIENT_SECONDS

__all__ = ["ServiceClient"]

#: headers of the caller's own request that the callee needs to act on its behalf
FORWARDED_HEADERS = ("Authorization", "Accept-Language", "X-Request-ID")
_RETRYABLE_STATUS = frozenset({502, 503, 504})
_IDEMPOTENT_ATTEMPTS = 3
_FIRST_DELAY = 0.1
_MAX_DELAY = 1.0
#: the port every unit serves other units on (``internal`` in Kubernetes)
INTERNAL_PORT = 8001


def internal_url(service: str) -> str:
    """Where a unit is found by default: its Kubernetes (or compose) name, on the internal port."""
    return f"http://{service}:{INTERNAL_PORT}"


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


class _OneWriteConnection(urllib3.connection.HTTPConnection):
    """Sends a request's head and its body in one write.

    urllib3 writes the head, then the body: two segments, two wake-ups of the
    server for one small request, a measurable share of a hop on loopback.
    Holding the head back until the body (or the wait for the answer) sends
    it together is what ``http.client`` itself does for a bytes body.
    """

    _held: bytes | None = None

    def _send_output(self, message_body: Any = None, encode_chunked: bool = False) -> None:
        if message_body is None:
            self._buffer.extend((b"", b""))  # type: ignore[attr-defined]
            self._held = b"\r\n".join(self._buffer)  # type: ignore[attr-defined]
            del self._buffer[:]  # type: ignore[attr-defined]
            return
        self._release()
        super()._send_output(message_body, encode_chunked)  # type: ignore[misc]

    def send(self, data: Any) -> None:
        if self._held is not None and isinstance(data, bytes):
            data, self._held = self._held + data, None
        else:
            self._release()
        super().send(data)

    def _release(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            super().send(held)

    def getresponse(self) -> Any:
        self._release()  # a request without a body
        return super().getresponse()

    def close(self) -> None:
        self._held = None
        super().close()


class _OneWritePool(urllib3.HTTPConnectionPool):
    ConnectionCls = _OneWriteConnection


class _ProcessPool:
    """One keep-alive connection pool per process, made again in a forked child."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._manager: urllib3.PoolManager | None = None
        self._pid = 0
        os.register_at_fork(after_in_child=self._forget)

    def get(self) -> urllib3.PoolManager:
        manager, pid = self._manager, os.getpid()
        if manager is not None and self._pid == pid:
            return manager
        with self._lock:
            if self._manager is None or self._pid != pid:
                manager = urllib3.PoolManager(num_pools=32, maxsize=16, block=False, retries=False)
                manager.pool_classes_by_scheme = {**manager.pool_classes_by_scheme, "http": _OneWritePool}
                self._manager = manager
                self._pid = pid
            return self._manager

    def _forget(self) -> None:
        # the parent's sockets and a lock some other thread may hold are not the child's to use
        self._lock = threading.Lock()
        self._manager = None
        self._pid = 0


_POOL = _ProcessPool()


@dataclass(frozen=True, slots=True)
class ServiceClient:
    """Calls into one service, found at ``$url_env`` (read at call time) or ``default_url``.

    Requests are signed as coming from ``caller``, by default this unit
    (``$MONOSPLIT_SERVICE``).
    """

    service: str
    url_env: str
    default_url: str
    caller: str | None = None

    @property
    def base_url(self) -> str:
        return (os.environ.get(self.url_env) or self.default_url).rstrip("/")

    def function(self, qualname: str, *, idempotent: bool, doc: str | None = None) -> Callable[..., Any]:
        """A callable that runs ``qualname`` in the service: what a generated stub binds its name to."""

        def remote(*args: Any, **kwargs: Any) -> Any:
            return self.call(qualname, args, kwargs, idempotent=idempotent)

        name = qualname.rpartition(".")[2]
        remote.__name__ = name
        remote.__qualname__ = name
        remote.__doc__ = doc or (
            f"Run {qualname} in the {self.service} service"
            f" ({'idempotent: retried' if idempotent else 'not idempotent: never repeated'} after a failure"
            " that may have reached it)."
        )
        return remote

    def call(self, qualname: str, args: Sequence[Any], kwargs: Mapping[str, Any], *, idempotent: bool) -> Any:
        """Run ``qualname(*args, **kwargs)`` in the service and return its result.

        Raises the callee's exception as its own class (or a stand-in, see
        :mod:`.codec`), :class:`ServiceUnavailable` when the service cannot
        be reached or gives no complete answer, :class:`RemoteError` for any
        other failed answer, and :class:`UnencodableValue` before sending
        an argument that has no wire form.
        """
        started = time.perf_counter()
        outcome = "unencodable"
        try:
            body = {
                "args": encode(list(args), path="args"),
                "kwargs": {key: encode(value, path=f"kwargs[{key!r}]") for key, value in kwargs.items()},
            }
            outcome = "unavailable"
            newly_joined = transactions.joined(self)
            status, data, idle = self._exchange(
                "POST",
                f"/_monosplit/call/{quote(qualname, safe='.')}",
                json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
                idempotent=idempotent,
                what=qualname,
            )
            if idle and newly_joined:
                transactions.left(self)
            outcome, answer = self._interpret(status, data, qualname, key="result")
            if outcome != "ok":
                raise answer
            return decode(answer["result"])
        finally:
            CLIENT_REQUESTS.labels(self.service, qualname, outcome).inc()
            CLIENT_SECONDS.labels(self.service).observe(time.perf_counter() - started)

    def fetch_replica(self, table: str) -> dict[str, Any]:
        """Every row of ``table`` as the owner has it: ``{"table", "columns", "rows"}`` with rows decoded."""
        what = f"replica of {table}"
        started = time.perf_counter()
        outcome = "unavailable"
        try:
            status, data, _ = self._exchange(
                "GET", f"/_monosplit/replica/{quote(table, safe='')}", None, idempotent=True, what=what
            )
            outcome, answer = self._interpret(status, data, what, key="rows")
            if outcome != "ok":
                raise answer
            return {**answer, "rows": [[decode(value) for value in row] for row in answer["rows"]]}
        finally:
            CLIENT_REQUESTS.labels(self.service, what, outcome).inc()
            CLIENT_SECONDS.labels(self.service).observe(time.perf_counter() - started)

    def change_row(self, qualname: str, pk: Sequence[Any], op: str, field: str, value: Any) -> None:
        """Change a row the service owns, inside the current transaction (see :class:`.codec.RemoteRecord`)."""
        body = {
            "class": qualname,
            "pk": encode(list(pk), path="pk"),
            "op": op,
            "field": field,
            "value": encode(value, path=field),
        }
        transactions.joined(self)
        status, data, _ = self._exchange(
            "POST",
            "/_monosplit/row",
            json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
            idempotent=False,
            what=f"{op} {qualname}.{field}",
        )
        outcome, answer = self._interpret(status, data, f"{op} {qualname}.{field}", key="changed")
        if outcome != "ok":
            raise answer

    def write_rows(self, table: str, op: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Apply a write of the service's ``table`` there, inside the current transaction (see :mod:`.replica_writes`).

        Returns, per row, the primary key the owner assigned (inserts).
        """
        from .replica_writes import encode_rows

        what = f"{op} {table}"
        transactions.joined(self)
        body = {"op": op, "rows": encode_rows(rows)}
        status, data, _ = self._exchange(
            "POST",
            f"/_monosplit/rows/{quote(table, safe='')}",
            json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
            idempotent=False,
            what=what,
        )
        outcome, answer = self._interpret(status, data, what, key="keys")
        if outcome != "ok":
            raise answer
        return [{k: decode(v) for k, v in key.items()} for key in answer["keys"]]

    def finish_transaction(self, transaction_id: str, verb: str) -> None:
        """Tell the service the transaction it took part in is over: ``verb`` is "commit" or "abort"."""
        status, data, _ = self._exchange(
            "POST",
            f"/_monosplit/transaction/{quote(transaction_id, safe='')}/{verb}",
            b"{}",
            idempotent=True,  # finishing twice finds nothing the second time
            what=f"{verb} of transaction {transaction_id}",
        )
        if status != 200:
            raise RemoteError(
                f"{self.service} service answered {status} to the {verb} of transaction {transaction_id}: "
                f"{data[:200].decode('utf-8', 'replace')}",
                service=self.service,
            )

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        transaction_id = transactions.current_id()
        if transaction_id is not None:
            headers[transactions.HEADER] = transaction_id
        if has_request_context():
            for name in FORWARDED_HEADERS:
                value = request.headers.get(name)
                if value:
                    headers[name] = value
        return headers

    def _exchange(
        self, method: str, path: str, body: bytes | None, *, idempotent: bool, what: str
    ) -> tuple[int, bytes, bool]:
        """Send one request, retrying what is safe to retry; return the final status, body, and idle flag."""
        base = self.base_url
        headers = self._headers()
        timeout = urllib3.Timeout(
            connect=_env_seconds("MONOSPLIT_CONNECT_TIMEOUT", 2.0),
            read=_env_seconds("MONOSPLIT_READ_TIMEOUT", 30.0),
        )
        first_try = time.monotonic()
        give_up_at = first_try + _env_seconds("MONOSPLIT_UNAVAILABLE_TIMEOUT", 15.0)
        delay = _FIRST_DELAY
        attempts = 0  # attempts that may have reached the service
        while True:
            pause = delay
            try:
                signed = auth.sign(
                    caller=self.caller or os.environ.get("MONOSPLIT_SERVICE", "unknown"),
                    callee=self.service,
                    method=method,
                    path=unquote(path),
                    body=body or b"",
                    transaction=headers.get(transactions.HEADER, ""),
                )
            except auth.AuthError as exc:
                raise ServiceUnavailable(str(exc), service=self.service) from None
            try:
                response = _POOL.get().request(
                    method,
                    base + path,
                    body=body,
                    headers={**headers, **signed},
                    timeout=timeout,
                    retries=False,
                    redirect=False,
                )
            except ConnectTimeoutError as exc:  # refused, unresolvable, or no handshake: the call never left
                remaining = give_up_at - time.monotonic()
                if remaining <= 0:
                    waited = time.monotonic() - first_try
                    raise self._unavailable(
                        base, f"{_reason(exc)} (retried for {waited:.1f} s)", what
                    ) from exc
                pause = min(delay, remaining)  # the last attempt comes at the deadline
            except HTTPError as exc:  # it may have reached the service and run
                attempts += 1
                if not idempotent:
                    raise self._unavailable(
                        base, f"{_reason(exc)}; not retried, the call may have run", what
                    ) from exc
                if attempts >= _IDEMPOTENT_ATTEMPTS:
                    raise self._unavailable(base, f"{_reason(exc)} ({attempts} attempts)", what) from exc
            else:
                attempts += 1
                if not (
                    response.status in _RETRYABLE_STATUS and idempotent and attempts < _IDEMPOTENT_ATTEMPTS
                ):
                    idle = response.headers.get(transactions.IDLE_HEADER) == "1"
                    return response.status, response.data, idle
            time.sleep(pause)
            delay = min(delay * 2, _MAX_DELAY)

    def _interpret(self, status: int, data: bytes, what: str, *, key: str) -> tuple[str, Any]:
        """``("ok", payload)`` when the answer is a 200 carrying ``key``, else an outcome label and the exception to raise."""
        try:
            payload = json.loads(data)
        except ValueError:
            payload = None
        if status == 200 and isinstance(payload, dict) and key in payload:
            return "ok", payload
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict) and "__exception__" in error:
            return "error", decode(error)
        snippet = data[:300].decode("utf-8", "replace").strip() or "an empty body"
        cls = ServiceUnavailable if status in _RETRYABLE_STATUS else RemoteError
        return "bad_response", cls(
            f"{self.service} service at {self.base_url} answered {status} to {what}: {snippet}",
            service=self.service,
        )

    def _unavailable(self, base: str, reason: str, what: str) -> ServiceUnavailable:
        return ServiceUnavailable(
            f"{self.service} service unavailable at {base}: {reason} ({what})", service=self.service
        )


def _reason(exc: HTTPError) -> str:
    """urllib3's message without the connection's repr in front."""
    if isinstance(exc, NameResolutionError):
        return f"cannot resolve the host name ({exc.__cause__ or exc})"
    text = str(exc)
    _, separator, rest = text.partition("): ")
    return rest if separator else text


def _write_through(record: Any, op: str, field: str, value: Any) -> None:
    service = record._record_service
    client = ServiceClient(
        service, url_env=service.upper().replace("-", "_") + "_URL", default_url=internal_url(service)
    )
    client.change_row(record._record_qualname, record._record_pk, op, field, value)


set_row_writer(_write_through)
