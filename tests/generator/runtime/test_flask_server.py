"""Two real services on loopback: orders calls the catalog through the runtime, as a split would.

The catalog owns the products and categories; orders holds a RemoteRecord
stub for Product, client stubs for the catalog's functions, and a read
replica of the categories table (see ``services/README.md``). The last tests
run one app in process, with Flask's test client, to make it fail.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, redirect, request
from sqlalchemy import Column, Integer, MetaData, Table, create_engine
from sqlalchemy.orm import Session, sessionmaker

from generator.runtime import BadArguments, RemoteError, ServiceClient, install
from generator.runtime.auth import sign

from .conftest import RunningService, ServiceLauncher, free_port

pytestmark = pytest.mark.slow


@dataclass
class Shop:
    catalog: RunningService
    orders: RunningService

    def catalog_client(self) -> ServiceClient:
        """The catalog as the orders service calls it: on its internal port, signed as orders."""
        return ServiceClient("catalog", "TEST_CATALOG_URL_UNSET", self.catalog.internal, caller="orders")


@pytest.fixture(scope="module")
def shop(launcher: ServiceLauncher) -> Iterator[Shop]:
    catalog = launcher.start("catalog")
    orders = launcher.start("orders", env={"CATALOG_URL": catalog.internal})
    yield Shop(catalog, orders)
    launcher.stop(orders)
    launcher.stop(catalog)


def http(
    method: str, url: str, body: object = None, headers: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    """One plain HTTP request: status, text, headers (errors are answers too)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def http_json(
    method: str, url: str, body: object = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    status, text, _ = http(method, url, body, headers)
    return status, json.loads(text)


def signed(
    method: str, url: str, body: object = None, *, caller: str = "orders", callee: str = "catalog"
) -> tuple[int, Any]:
    """An internal request signed as ``caller`` (with this process's key, the services' own)."""
    data = b"" if body is None else json.dumps(body).encode()
    path = urllib.parse.urlsplit(url).path
    headers = sign(caller=caller, callee=callee, method=method, path=path, body=data)
    return http_json(method, url, body, headers)


@pytest.fixture(scope="module")
def films(shop: Shop) -> int:
    """The id of a category the catalog owns."""
    category_id: int = shop.catalog_client().call(
        "shop.catalog.add_category", ("Films",), {}, idempotent=False
    )
    return category_id


@pytest.fixture(scope="module")
def product_id(shop: Shop, films: int) -> int:
    """A product created from orders: its session argument became the catalog's own session."""
    status, body = http_json(
        "POST",
        f"{shop.orders.url}/products",
        {"name": "Heat", "stock": 3, "price": "9.50", "category_id": films},
    )
    assert status == 200, body
    return int(body["id"])


def test_a_session_argument_writes_with_the_callees_own_session(shop: Shop, product_id: int) -> None:
    with sqlite3.connect(shop.catalog.database) as database:
        rows = database.execute(
            "SELECT name, stock, price FROM products WHERE id = ?", (product_id,)
        ).fetchall()
    assert rows == [("Heat", 3, 9.5)]


def test_an_orm_row_arrives_as_the_stub_record_and_goes_back_as_a_real_row(
    shop: Shop, films: int, product_id: int
) -> None:
    status, seen = http_json("GET", f"{shop.orders.url}/products/{product_id}")

    assert status == 200, seen
    assert seen["class"] == "shop.models.Product"
    assert seen["is_stub"] and seen["is_record"]
    assert (seen["name"], seen["price"], seen["price_type"]) == ("Heat", "9.50", "decimal.Decimal")
    # the view set stock = 0 on the record: the change went through to the owner's row
    assert (
        seen["record"]
        == f"Product(id={product_id}, name='Heat', stock=0, price=Decimal('9.50'), category_id={films})"
    )
    assert seen["read_only"] == ""
    # the loaded relationship travelled; orders maps Category on its replica, so it is a row of orders' database
    assert seen["category"] == {"class": "shop.models.Category", "name": "Films", "persistent": True}
    # handed back to its owner, the record is the owner's row again, changed within the same transaction
    assert seen["described_by_owner"] == {"class": "shop.models.Product", "persistent": True, "stock": 0}
    # the view never committed its transaction, so the owner rolled the change back
    with sqlite3.connect(shop.catalog.database) as database:
        assert database.execute("SELECT stock FROM products WHERE id = ?", (product_id,)).fetchall() == [(3,)]


def test_an_exception_raised_in_the_callee_is_raised_in_the_caller_as_its_own_class(
    shop: Shop, product_id: int
) -> None:
    status, seen = http_json("POST", f"{shop.orders.url}/reserve", {"product_id": product_id, "quantity": 5})

    assert status == 409
    assert seen["caught"] == "shop.errors.InsufficientStock"
    assert (seen["message"], seen["available"], seen["status_code"]) == (
        f"product {product_id}: 5 wanted, 3 in stock",
        3,
        409,
    )
    assert seen["remote_service"] == "catalog"
    assert seen["remote_traceback"] == ""  # in the catalog's log, not in its answer

    status, seen = http_json("POST", f"{shop.orders.url}/reserve", {"product_id": product_id, "quantity": 2})
    assert (status, seen) == (200, {"left": 1})


def test_an_exception_class_only_the_callee_has_arrives_as_a_stand_in_under_its_base(
    shop: Shop, product_id: int
) -> None:
    status, seen = http_json("POST", f"{shop.orders.url}/price", {"product_id": product_id, "price": "1"})

    assert status == 200
    assert seen == {
        "caught": "shop.pricing.PriceFrozen",  # caught as shop.errors.ShopError: the nearest base orders has
        "message": f"the price of product {product_id} is frozen",
        "is_remote_error": True,
        "status_code": 423,
    }


def test_the_callers_authorization_is_forwarded_and_the_request_placeholder_is_the_callees_request(
    shop: Shop,
) -> None:
    status, seen = http_json("GET", f"{shop.orders.url}/whoami", headers={"Authorization": "Bearer t0k3n"})
    assert (status, seen) == (200, {"seen_by_catalog": "Bearer t0k3n"})


def test_arguments_that_do_not_fit_the_signature_are_a_400(shop: Shop) -> None:
    url = f"{shop.catalog.internal}/_monosplit/call/shop.catalog.get_product"
    status, body = signed("POST", url, {"args": [], "kwargs": {"colour": "red"}})

    assert status == 400
    assert body["error"]["message"] == (
        "bad arguments for shop.catalog.get_product(product_id): missing a required argument: 'product_id'"
    )
    status, body = signed("POST", url, ["not", "an", "object"])
    assert status == 400 and "the body must be a JSON object" in body["error"]["message"]

    with pytest.raises(TypeError, match="missing a required argument") as raised:
        shop.catalog_client().call("shop.catalog.get_product", (), {}, idempotent=True)
    # monosplit_runtime is not importable here: the stand-in keeps the name and both bases
    assert type(raised.value).__name__ == "BadArguments"
    assert type(raised.value).__module__ == "monosplit_runtime.errors"
    assert isinstance(raised.value, RemoteError)
    assert not isinstance(raised.value, BadArguments)


def test_a_function_the_caller_does_not_call_in_the_plan_is_a_403(shop: Shop) -> None:
    url = f"{shop.catalog.internal}/_monosplit/call/shop.catalog.drop_everything"
    status, body = signed("POST", url, {})
    assert status == 403
    assert body["error"]["message"] == (
        "the orders unit may not ask the catalog service for a call of shop.catalog.drop_everything"
    )
    assert "traceback" not in body["error"] and body["error"]["request_id"]

    with pytest.raises(
        RemoteError, match=r"may not ask the catalog service for a call of os\.system"
    ) as raised:
        shop.catalog_client().call("os.system", ("true",), {}, idempotent=False)
    assert type(raised.value).__name__ == "NotAllowed"


def test_probes_and_openapi(shop: Shop) -> None:
    for service in (shop.catalog, shop.orders):
        assert http_json("GET", f"{service.url}/healthz") == (200, {"status": "ok", "service": service.name})
        assert http_json("GET", f"{service.url}/readyz") == (
            200,
            {"status": "ready", "service": service.name},
        )
    status, spec = http_json("GET", f"{shop.catalog.url}/openapi.json")
    assert (status, spec["info"]["title"]) == (200, "catalog")
    status, spec = http_json("GET", f"{shop.catalog.internal}/openapi.json")
    assert (status, spec["info"]["title"]) == (200, "catalog internal API")
    assert http("GET", f"{shop.orders.url}/openapi.json")[0] == 404


def test_metrics_count_requests_calls_and_outbound_calls(shop: Shop, product_id: int) -> None:
    http_json("GET", f"{shop.orders.url}/products/{product_id}")

    assert http("GET", f"{shop.catalog.url}/metrics")[0] == 404  # on the internal port only
    status, catalog_metrics, headers = http("GET", f"{shop.catalog.internal}/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert 'monosplit_rpc_calls_total{function="shop.catalog.get_product",outcome="ok"}' in catalog_metrics
    assert 'monosplit_http_requests_total{method="POST",service="catalog",status="200"}' in catalog_metrics
    assert 'monosplit_http_request_seconds_count{service="catalog"}' in catalog_metrics

    orders_metrics = http("GET", f"{shop.orders.internal}/metrics")[1]
    assert (
        'monosplit_client_requests_total{function="shop.catalog.get_product",outcome="ok",service="catalog"}'
        in orders_metrics
    )
    assert 'monosplit_client_request_seconds_count{service="catalog"}' in orders_metrics


def test_the_replica_follows_the_owners_table(shop: Shop, films: int) -> None:
    catalog = shop.catalog_client()
    status, body = http_json("GET", f"{shop.orders.url}/categories")
    assert (status, body) == (200, {"categories": ["Films"]})

    catalog.call("shop.catalog.rename_category", (films, "Cinema"), {}, idempotent=True)
    music = catalog.call("shop.catalog.add_category", ("Music",), {}, idempotent=False)

    assert http_json("GET", f"{shop.orders.url}/categories") == (200, {"categories": ["Cinema", "Music"]})
    with sqlite3.connect(shop.orders.database) as database:
        copied = database.execute("SELECT id, name FROM categories ORDER BY id").fetchall()
    assert copied == [(films, "Cinema"), (music, "Music")]


def test_what_a_unit_cached_of_a_copy_goes_when_the_copy_changes(shop: Shop) -> None:
    """The owner's code clears what it cached of a table in the owner; the reader's cache empties itself.

    FlaskBB's users unit kept its cached settings (activation by e-mail on) after the
    administrator turned it off in the settings unit, and every registration failed.
    """
    before = http_json("GET", f"{shop.orders.url}/categories/cached")[1]["categories"]
    assert http_json("GET", f"{shop.orders.url}/categories/cached")[1]["categories"] == before
    shop.catalog_client().call("shop.catalog.add_category", ("Podcasts",), {}, idempotent=False)
    after = http_json("GET", f"{shop.orders.url}/categories/cached")[1]["categories"]
    assert after == [*before, "Podcasts"]


def test_only_the_owner_serves_a_table(shop: Shop) -> None:
    status, body = signed("GET", f"{shop.catalog.internal}/_monosplit/replica/categories")
    assert status == 200 and body["table"] == "categories" and body["columns"] == ["id", "name"]
    # orders holds a copy of categories but does not own it, and may not read a table called "secrets"
    assert signed("GET", f"{shop.orders.internal}/_monosplit/replica/categories", callee="orders")[0] == 403
    assert signed("GET", f"{shop.catalog.internal}/_monosplit/replica/secrets")[0] == 403


# --------------------------------------------------------------------------- failures, in process


def _app_with_database(database_url: str, **install_options: Any) -> Flask:
    engine = create_engine(database_url)
    sessions = sessionmaker(bind=engine)

    def session_provider() -> Session:
        if "session" not in g:
            g.session = sessions()
        session: Session = g.session
        return session

    def close_session(exc: BaseException | None) -> None:
        session = g.pop("session", None)
        if session is not None:
            session.close()

    app = Flask("failing")
    app.teardown_appcontext(close_session)
    install(app, session_provider=session_provider, **install_options)
    return app


def test_not_ready_while_the_database_does_not_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONOSPLIT_SERVICE", "tiny")
    app = _app_with_database(f"sqlite:///{tmp_path}/missing-folder/db.sqlite", service="tiny", exports={})

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json is not None and response.json["status"] == "unavailable"
    # in public, the kind of failure and where the log has it; never the database's own words
    assert response.json["reason"].startswith("database: OperationalError (request id ")
    assert "sqlite" not in response.json["reason"]
    assert (
        app.test_client().get("/healthz").status_code == 200
    )  # alive all the same: liveness needs no database


def test_a_replica_that_cannot_be_refreshed_is_a_503_naming_table_and_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONOSPLIT_SERVICE", "orders")
    monkeypatch.setenv("CATALOG_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("MONOSPLIT_UNAVAILABLE_TIMEOUT", "0.2")
    metadata = MetaData()
    Table("categories", metadata, Column("id", Integer, primary_key=True))
    database_url = f"sqlite:///{tmp_path}/orders.sqlite"
    metadata.create_all(create_engine(database_url))
    app = _app_with_database(
        database_url, service="orders", exports={}, replicas={"categories": "catalog"}, metadata=metadata
    )
    app.add_url_rule("/report", "report", lambda: "counted")

    response = app.test_client().get("/report")

    assert response.status_code == 503
    assert response.json is not None
    assert response.json["error"]["message"].startswith(
        "the orders service cannot refresh its copy of the categories table from the catalog service: "
        "catalog service unavailable at http://127.0.0.1:"
    )
    assert app.test_client().get("/healthz").status_code == 200  # probes never wait for replicas


def test_the_probes_answer_before_an_app_hook_that_redirects_every_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CTFd sends every request to /setup until it is set up: the probes must not follow it."""
    monkeypatch.setenv("MONOSPLIT_SERVICE", "ctf")
    database_url = f"sqlite:///{tmp_path}/ctf.sqlite"
    app = Flask("ctf")
    engine = create_engine(database_url)
    sessions = sessionmaker(bind=engine)

    def session_provider() -> Session:
        if "session" not in g:
            g.session = sessions()
        session: Session = g.session
        return session

    @app.before_request
    def needs_setup() -> Any:
        if request.path != "/setup":
            return redirect("/setup")
        return None

    install(app, service="ctf", exports={}, session_provider=session_provider)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics", base_url="http://localhost:8001").status_code == 200  # internal port
    assert client.get("/").status_code == 302  # the app's own pages still go where the app says
