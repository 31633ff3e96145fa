"""Shared fixtures: a fresh app and database per test.

Tests run on a temporary SQLite file by default.  Set
``STREAMSHOP_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://...``) to run the
same suite against PostgreSQL; tables are dropped after every test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Make ``streamshop`` and ``scenario`` importable however pytest was invoked
# (from sample_monolith/, from the repository root, or with another rootdir).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from streamshop.app import create_app
from streamshop.db import Base, dispose_engines, get_engine, get_session
from streamshop.services import catalog, recommendations

TEST_PASSWORD = "correct-horse-42"
GOOD_CARD = {
    "method": "card",
    "card_number": "4242 4242 4242 4242",
    "exp_month": 12,
    "exp_year": 2099,
    "cvc": "123",
}
DECLINED_CARD = {**GOOD_CARD, "card_number": "4000000000000002"}
ADDRESS = {
    "recipient": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}

Headers = dict[str, str]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    database_url = (
        os.environ.get("STREAMSHOP_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"
    )
    application = create_app(
        {
            "STREAMSHOP_ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-only-secret-key",
            "PAYMENT_GATEWAY_KEY": "test-only-gateway-key",
            "PRIME_MONTHLY_PRICE_CENTS": "899",
            "SHIPPING_FLAT_FEE_CENTS": "499",
            "FREE_SHIPPING_THRESHOLD_CENTS": "5000",
            "TAX_RATE_BPS": "800",
            "RECOMMENDATION_LIMIT": "6",
            "ADMIN_EMAILS": "boss@streamshop.test",
            "SEED_DEMO_DATA": "true",
            "LOG_LEVEL": "WARNING",
        }
    )
    yield application
    catalog.invalidate_catalog_cache()
    recommendations.clear_recommendation_cache()
    if database_url.startswith("postgresql"):
        Base.metadata.drop_all(get_engine(database_url))
    dispose_engines()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session inside an application context (for calling services directly)."""
    with app.app_context():
        yield get_session()


@pytest.fixture
def register(client: FlaskClient) -> Callable[..., tuple[int, Headers]]:
    """Register and log in a user; returns ``(user_id, auth_headers)``."""

    def _register(username: str, email: str | None = None) -> tuple[int, Headers]:
        email = email or f"{username}@example.com"
        response = client.post(
            "/api/auth/register",
            json={"username": username, "email": email, "password": TEST_PASSWORD},
        )
        assert response.status_code == 201, response.json
        login = client.post("/api/auth/login", json={"login": username, "password": TEST_PASSWORD})
        assert login.status_code == 200, login.json
        return response.json["user"]["id"], {"Authorization": f"Bearer {login.json['token']}"}

    return _register


@pytest.fixture
def user(register: Callable[..., tuple[int, Headers]]) -> tuple[int, Headers]:
    return register("alice")


@pytest.fixture
def admin_headers(register: Callable[..., tuple[int, Headers]]) -> Headers:
    return register("boss", "boss@streamshop.test")[1]


@pytest.fixture
def prime_user(client: FlaskClient, user: tuple[int, Headers]) -> tuple[int, Headers]:
    response = client.post("/api/subscriptions", json={"payment": GOOD_CARD}, headers=user[1])
    assert response.status_code == 201, response.json
    return user


@pytest.fixture
def titles(client: FlaskClient) -> dict[str, dict[str, Any]]:
    """Demo titles by slug."""
    items = client.get("/api/catalog/titles?per_page=100").json["items"]
    return {title["slug"]: title for title in items}


@pytest.fixture
def products(client: FlaskClient) -> dict[str, dict[str, Any]]:
    """Demo products by SKU."""
    items = client.get("/api/catalog/products?per_page=100").json["items"]
    return {product["sku"]: product for product in items}


@pytest.fixture
def good_card() -> dict[str, Any]:
    return dict(GOOD_CARD)


@pytest.fixture
def declined_card() -> dict[str, Any]:
    return dict(DECLINED_CARD)


@pytest.fixture
def address() -> dict[str, Any]:
    return dict(ADDRESS)
