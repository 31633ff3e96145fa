"""ServiceClient against real servers: a late starter, nobody at all, and one that misbehaves."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from generator.runtime import ServiceClient, ServiceUnavailable, UnencodableValue
from generator.runtime import client as client_module

from .conftest import ServiceLauncher, free_port

pytestmark = pytest.mark.slow


def test_a_call_rides_out_a_callee_that_starts_listening_a_second_later(
    launcher: ServiceLauncher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONOSPLIT_UNAVAILABLE_TIMEOUT", "15")
    port = free_port()
    launcher.start("catalog", internal_port=port, listen_after=1.0, wait=False)
    catalog = ServiceClient("catalog", "TEST_CATALOG_URL", f"http://127.0.0.1:{port}", caller="orders")

    started = time.monotonic()
    # not idempotent, and retried all the same: a refused connection never reached the service
    category_id = catalog.call("shop.catalog.add_category", ("Late",), {}, idempotent=False)

    assert category_id == 1
    assert time.monotonic() - started >= 1.0


def test_nobody_listening_is_one_clear_service_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("MONOSPLIT_UNAVAILABLE_TIMEOUT", "0.5")
    monkeypatch.setenv("CATALOG_URL", f"http://127.0.0.1:{port}/")
    get_product = ServiceClient("catalog", "CATALOG_URL", "http://catalog:8001").function(
        "streamshop.services.catalog.get_product", idempotent=True
    )

    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as raised:
        get_product(1)

    assert 0.4 < time.monotonic() - started < 3
    assert re.fullmatch(
        rf"catalog service unavailable at http://127\.0\.0\.1:{port}: Failed to establish a new connection: "
        r"\[Errno 111\] Connection refused \(retried for 0\.\d s\) \(streamshop\.services\.catalog\.get_product\)",
        str(raised.value),
    ), str(raised.value)
    assert raised.value.remote_service == "catalog"


def test_a_stub_looks_like_the_function_it_replaces() -> None:
    get_product = ServiceClient("catalog", "CATALOG_URL", "http://catalog:8001").function(
        "streamshop.services.catalog.get_product", idempotent=True
    )
    assert (get_product.__name__, get_product.__qualname__) == ("get_product", "get_product")
    assert (
        get_product.__doc__ is not None and "streamshop.services.catalog.get_product" in get_product.__doc__
    )


def test_an_argument_without_a_wire_form_is_refused_before_anything_is_sent() -> None:
    catalog = ServiceClient("catalog", "CATALOG_URL", "http://127.0.0.1:9")
    with pytest.raises(UnencodableValue, match=r"cannot encode builtins\.object at kwargs\['when'\]\[0\]"):
        catalog.call("shop.catalog.get_product", (1,), {"when": [object()]}, idempotent=True)


class MisbehavingServer:
    """Accepts connections on loopback and answers each request with ``reply`` (or never, if None)."""

    def __init__(self, reply: bytes | None) -> None:
        self.reply = reply
        self.requests = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(2)
            with contextlib.suppress(TimeoutError):
                connection.recv(65536)
            self.requests += 1
            if self.reply is None:
                self._held.append(connection)  # never answer
            else:
                connection.sendall(self.reply)
                connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for connection in self._held:
            connection.close()
        self._listener.close()


@pytest.fixture
def silent_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[MisbehavingServer]:
    monkeypatch.setenv("MONOSPLIT_READ_TIMEOUT", "0.2")
    server = MisbehavingServer(reply=None)
    yield server
    server.close()


def test_a_read_timeout_is_retried_only_for_idempotent_calls(silent_server: MisbehavingServer) -> None:
    catalog = ServiceClient("catalog", "TEST_CATALOG_URL", silent_server.url)

    with pytest.raises(
        ServiceUnavailable,
        match=r"Read timed out.*; not retried, the call may have run \(shop\.catalog\.reserve\)",
    ):
        catalog.call("shop.catalog.reserve", (1, 2), {}, idempotent=False)
    assert silent_server.requests == 1

    with pytest.raises(
        ServiceUnavailable, match=r"Read timed out.* \(3 attempts\) \(shop\.catalog\.get_product\)"
    ):
        catalog.call("shop.catalog.get_product", (1,), {}, idempotent=True)
    assert silent_server.requests == 4


def test_a_gateways_503_is_retried_for_idempotent_calls_then_reported() -> None:
    body = b"upstream connect error"
    reply = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (
        len(body),
        body,
    )
    server = MisbehavingServer(reply=reply)
    try:
        catalog = ServiceClient("catalog", "TEST_CATALOG_URL", server.url)
        with pytest.raises(
            ServiceUnavailable, match=r"answered 503 to shop\.catalog\.get_product: upstream connect error"
        ):
            catalog.call("shop.catalog.get_product", (1,), {}, idempotent=True)
        assert server.requests == 3

        with pytest.raises(ServiceUnavailable, match="answered 503"):
            catalog.call("shop.catalog.reserve", (1, 1), {}, idempotent=False)
        assert server.requests == 4
    finally:
        server.close()


def test_a_forked_child_gets_a_pool_of_its_own() -> None:
    parents = client_module._POOL.get()
    assert client_module._POOL.get() is parents  # one per process: connections are reused

    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which reports through its exit code
        os._exit(0 if client_module._POOL.get() is not parents else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
