"""The runtime's defences, on the two test services as real processes: ports, signatures, grants, limits.

The catalog lets the orders unit call its functions, change its products'
records and read its categories (``services/catalog/shop/app.py``); nobody
else may ask it for anything.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from generator.runtime import auth
from generator.runtime.guard import canonical_path, internal_path, too_deep

from .conftest import RunningService, ServiceLauncher
from .test_flask_server import http, http_json, signed

pytestmark = pytest.mark.slow


@dataclass
class Pair:
    catalog: RunningService
    orders: RunningService


@pytest.fixture(scope="module")
def pair(launcher: ServiceLauncher) -> Iterator[Pair]:
    catalog = launcher.start("catalog", env={"MONOSPLIT_MAX_BODY_BYTES": "100000"})
    orders = launcher.start("orders", env={"CATALOG_URL": catalog.internal})
    yield Pair(catalog, orders)
    launcher.stop(orders)
    launcher.stop(catalog)


INTERNAL_REQUESTS = [
    ("POST", "/_monosplit/call/shop.catalog.add_category"),
    ("POST", "/_monosplit/row"),
    ("GET", "/_monosplit/replica/categories"),
    ("POST", "/_monosplit/transaction/abc/commit"),
    ("GET", "/metrics"),
    ("GET", "/_monosplit"),
]


def raw(url: str, request: bytes) -> bytes:
    """One request as bytes, as a client that does not normalise anything would send it."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(("method", "path"), INTERNAL_REQUESTS)
def test_every_internal_endpoint_is_404_on_the_public_port(pair: Pair, method: str, path: str) -> None:
    # even signed: the public port has no internal endpoints at all
    status, _, _ = http(method, pair.catalog.url + path, {} if method == "POST" else None)
    assert status == 404


@pytest.mark.parametrize(
    "path",
    ["//_monosplit/row", "/./_monosplit/row", "/%5Fmonosplit/row", "/x/../_monosplit/row", "/metrics/"],
)
def test_spellings_of_an_internal_path_are_404_on_the_public_port(pair: Pair, path: str) -> None:
    answer = raw(pair.catalog.url, f"POST {path} HTTP/1.0\r\nContent-Length: 2\r\n\r\n{{}}".encode())
    assert answer.startswith(b"HTTP/1.0 404") or answer.startswith(b"HTTP/1.1 404"), answer[:200]


def test_the_internal_port_serves_no_public_route(pair: Pair) -> None:
    assert http("GET", f"{pair.orders.internal}/categories")[0] == 404
    assert http("GET", f"{pair.orders.url}/categories")[0] == 200
    assert http("GET", f"{pair.orders.internal}/readyz")[0] == 200  # the probes answer on both


def test_an_internal_request_without_a_valid_signature_is_401(pair: Pair) -> None:
    url = f"{pair.catalog.internal}/_monosplit/call/shop.catalog.add_category"
    body = {"args": ["Forged"], "kwargs": {}}
    data = json.dumps(body).encode()
    path = "/_monosplit/call/shop.catalog.add_category"
    good = auth.sign(caller="orders", callee="catalog", method="POST", path=path, body=data)
    tampered = auth.sign(caller="orders", callee="catalog", method="POST", path=path, body=b"{}")
    elsewhere = auth.sign(caller="orders", callee="orders", method="POST", path=path, body=data)
    old = {**good, auth.TIMESTAMP_HEADER: str(int(time.time()) - 3600)}
    claimed = {auth.CALLER_HEADER: "orders"}
    for headers in ({}, claimed, tampered, elsewhere, old, {**good, auth.CALLER_HEADER: "catalog"}):
        status, answer = http_json("POST", url, body, headers)
        assert status == 401, (headers, answer)
        assert answer["error"]["message"].startswith("the catalog service accepts internal requests only")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(auth.KEY_ENV, "another-deployments-key-0123456789")
        auth.KEY.forget()
        other = auth.sign(caller="orders", callee="catalog", method="POST", path=path, body=data)
    auth.KEY.forget()
    assert http_json("POST", url, body, other)[0] == 401
    assert http_json("POST", url, body, good)[0] == 200  # the same request, signed with the key


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/_monosplit/call/shop.catalog.get_product", {"args": [1], "kwargs": {}}),
        (
            "POST",
            "/_monosplit/row",
            {"class": "shop.models.Product", "pk": [1], "op": "set", "field": "stock"},
        ),
        ("GET", "/_monosplit/replica/products", None),
        ("POST", "/_monosplit/transaction/abc/abort", {}),
    ],
)
def test_a_unit_the_plan_does_not_let_in_is_403(pair: Pair, method: str, path: str, body: Any) -> None:
    status, answer = signed(method, pair.catalog.internal + path, body, caller="stranger")
    assert status == 403, answer
    assert "the stranger unit may not ask the catalog service" in answer["error"]["message"]


def test_orders_may_read_the_categories_but_not_the_products(pair: Pair) -> None:
    assert signed("GET", f"{pair.catalog.internal}/_monosplit/replica/categories")[0] == 200
    assert signed("GET", f"{pair.catalog.internal}/_monosplit/replica/products")[0] == 403


def test_a_row_change_never_imports_what_the_caller_names(pair: Pair) -> None:
    status, _ = signed(
        "POST",
        f"{pair.catalog.internal}/_monosplit/row",
        {"class": "this.s", "pk": [1], "op": "set", "field": "x"},
    )
    assert status == 403
    # a model orders holds records of, but not one of its mapped attributes
    status, answer = signed(
        "POST",
        f"{pair.catalog.internal}/_monosplit/row",
        {"class": "shop.models.Product", "pk": [1], "op": "set", "field": "__class__", "value": 1},
    )
    assert status == 400, answer
    time.sleep(0.2)
    assert "Beautiful is better than ugly" not in pair.catalog.log.read_text()


def test_oversized_and_deeply_nested_bodies_are_refused_before_the_app(pair: Pair) -> None:
    url = f"{pair.catalog.internal}/_monosplit/call/shop.catalog.add_category"
    status, answer = signed("POST", url, {"args": ["x" * 200_000], "kwargs": {}})
    assert status == 413, answer
    nested: Any = "deep"
    for _ in range(500):
        nested = [nested]
    status, answer = signed("POST", url, {"args": [nested], "kwargs": {}})
    assert status == 400 and "nests deeper than 100 levels" in answer["error"]["message"]
    # public JSON too
    bomb = b"[" * 100_000 + b"]" * 100_000
    answer = raw(
        pair.orders.url,
        b"POST /products HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (len(bomb), bomb),
    )
    assert answer.split(b" ", 2)[1] == b"400", answer[:300]


def test_an_error_answer_names_a_request_id_and_no_traceback(pair: Pair) -> None:
    url = f"{pair.catalog.internal}/_monosplit/call/shop.catalog.get_product"
    status, text, headers = http(
        "POST",
        url,
        {"args": [], "kwargs": {}},
        auth.sign(
            caller="orders",
            callee="catalog",
            method="POST",
            path="/_monosplit/call/shop.catalog.get_product",
            body=json.dumps({"args": [], "kwargs": {}}).encode(),
        ),
    )
    assert status == 400
    assert "Traceback" not in text and "File " not in text and ".py" not in text
    assert json.loads(text)["error"]["request_id"] == headers["X-Request-ID"]


def test_a_path_integer_beyond_the_databases_range_is_404(pair: Pair) -> None:
    assert http("GET", f"{pair.orders.url}/products/{'9' * 30}")[0] == 404
    assert http("GET", f"{pair.orders.url}/products/{2**63}")[0] == 404


def test_canonical_paths_and_nesting() -> None:
    assert canonical_path("//a/./b/../c/") == "/a/c/"
    assert internal_path("/_monosplit") and internal_path("/a/../_monosplit/x") and internal_path("/metrics/")
    assert not internal_path("/_monosplitx") and not internal_path("/api/metrics")
    assert too_deep(b"[" * 101, 100) and not too_deep(b"[" * 100 + b"]" * 100, 100)
    assert not too_deep(b'["[[[[[[[[[[", {"a": "\\"[[[["}]', 2)
