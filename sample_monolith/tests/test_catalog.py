from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from streamshop.services import catalog, inventory

Headers = dict[str, str]


def test_titles_are_paginated(client: FlaskClient) -> None:
    first = client.get("/api/catalog/titles?per_page=5").json
    second = client.get("/api/catalog/titles?per_page=5&page=2").json
    assert first["total"] == len(catalog.DEMO_TITLES) and first["pages"] == 3
    assert len(first["items"]) == 5 and first["has_next"]
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}
    assert client.get("/api/catalog/titles?page=0").status_code == 400


def test_title_filters(client: FlaskClient) -> None:
    prime = client.get("/api/catalog/titles?prime=true&per_page=100").json["items"]
    assert prime and all(t["is_prime"] for t in prime)
    episodes = client.get("/api/catalog/titles?kind=episode").json["items"]
    assert {t["series_name"] for t in episodes} == {"Galaxy Garage"}
    docs = client.get("/api/catalog/titles?genre=documentary").json["items"]
    assert {t["genre"] for t in docs} == {"documentary"}
    assert client.get("/api/catalog/titles?kind=podcast").status_code == 400
    assert client.get("/api/catalog/titles/9999").status_code == 404
    genres = client.get("/api/catalog/genres").json["genres"]
    assert "sci-fi" in genres and genres == sorted(genres)


def test_product_filters(client: FlaskClient) -> None:
    books = client.get("/api/catalog/products?category=books").json["items"]
    assert books and {p["category"] for p in books} == {"books"}
    cheap = client.get("/api/catalog/products?max_price_cents=2000&per_page=100").json["items"]
    assert cheap and all(p["price_cents"] <= 2000 for p in cheap)
    product = cheap[0]
    assert product["price"]["display"].startswith("$")
    assert (
        client.get(f"/api/catalog/products/{product['id']}").json["product"]["sku"]
        == product["sku"]
    )


def test_search_finds_titles_and_products(client: FlaskClient) -> None:
    result = client.get("/api/catalog/search?q=orbital").json
    assert [t["slug"] for t in result["titles"]] == ["orbital-drift"]
    assert {p["sku"] for p in result["products"]} == {"MERCH-OD-POSTER", "MERCH-OD-OST"}
    assert client.get("/api/catalog/search?q=a").status_code == 400
    assert client.get("/api/catalog/search").status_code == 400


def test_admin_endpoints_require_admin(
    client: FlaskClient, user: tuple[int, Headers], admin_headers: Headers, titles: dict
) -> None:
    payload = {
        "sku": "merch-qh-cap",
        "name": "Quiet Harbour Cap",
        "category": "Merch",
        "price_cents": 2200,
        "stock_quantity": 3,
        "related_title_id": titles["quiet-harbour"]["id"],
    }
    assert client.post("/api/catalog/products", json=payload).status_code == 401
    assert client.post("/api/catalog/products", json=payload, headers=user[1]).status_code == 403
    created = client.post("/api/catalog/products", json=payload, headers=admin_headers)
    assert created.status_code == 201
    assert created.json["product"]["sku"] == "MERCH-QH-CAP"
    assert created.json["product"]["category"] == "merch"
    again = client.post("/api/catalog/products", json=payload, headers=admin_headers)
    assert again.status_code == 409
    product_id = created.json["product"]["id"]
    hidden = client.patch(
        f"/api/catalog/products/{product_id}", json={"is_active": False}, headers=admin_headers
    )
    assert hidden.status_code == 200
    assert client.get(f"/api/catalog/products/{product_id}").status_code == 404

    title = client.post(
        "/api/catalog/titles",
        json={
            "name": "Harbour Lights",
            "genre": "Drama",
            "release_year": 2024,
            "duration_seconds": 5000,
        },
        headers=admin_headers,
    )
    assert title.status_code == 201 and title.json["title"]["slug"] == "harbour-lights"


def test_seeding_is_idempotent(db: Session) -> None:
    assert catalog.seed_demo_catalog(db) == 0


def test_low_stock_report_and_bulk_restock(
    client: FlaskClient, db: Session, admin_headers: Headers, products: dict
) -> None:
    mug = products["MERCH-GG-MUG"]
    inventory.reserve_stock(db, [(mug["id"], mug["stock_quantity"] - 2)])
    db.commit()
    report = client.get("/api/catalog/inventory/low-stock?threshold=5", headers=admin_headers).json
    assert [row["sku"] for row in report["items"]] == ["MERCH-GG-MUG"]
    assert report["items"][0]["stock_quantity"] == 2
    restocked = client.post(
        "/api/catalog/inventory/restock-low",
        json={"threshold": 5, "amount": 50},
        headers=admin_headers,
    )
    assert restocked.json == {"restocked_products": 1}
    assert client.get(f"/api/catalog/products/{mug['id']}").json["product"]["stock_quantity"] == 52
    movements = client.get(
        f"/api/catalog/products/{mug['id']}/movements", headers=admin_headers
    ).json["items"]
    assert [m["reason"] for m in movements] == ["restock", "reserve"]
    single = client.post(
        f"/api/catalog/products/{mug['id']}/restock", json={"quantity": 8}, headers=admin_headers
    )
    assert single.json["product"]["stock_quantity"] == 60
