from __future__ import annotations

from flask.testing import FlaskClient

Headers = dict[str, str]


def _watch(client: FlaskClient, headers: Headers, title_id: int, position: int) -> None:
    started = client.post("/api/stream/sessions", json={"title_id": title_id}, headers=headers).json
    client.post(
        f"/api/stream/sessions/{started['session_id']}/stop",
        json={"position_seconds": position},
        headers=headers,
    )


def test_new_user_gets_popular_titles_and_bestsellers(
    client: FlaskClient, user: tuple[int, Headers]
) -> None:
    body = client.get("/api/recommendations", headers=user[1]).json
    assert len(body["titles"]) == 6 and len(body["products"]) == 6
    assert {item["reason"] for item in body["titles"]} == {"popular on StreamShop"}
    assert {item["reason"] for item in body["products"]} == {"bestseller"}
    assert client.get("/api/recommendations").status_code == 401


def test_history_drives_recommendations(
    client: FlaskClient,
    prime_user: tuple[int, Headers],
    titles: dict,
    products: dict,
    good_card: dict,
    address: dict,
) -> None:
    _, headers = prime_user
    pilot = titles["galaxy-garage-s1e1"]
    _watch(client, headers, pilot["id"], 2000)
    mug = products["MERCH-GG-MUG"]
    client.post("/api/cart/items", json={"product_id": products["BOOK-DBA"]["id"]}, headers=headers)
    client.post(
        "/api/orders", json={"payment": good_card, "shipping_address": address}, headers=headers
    )

    body = client.get("/api/recommendations?limit=5", headers=headers).json
    title_ids = [item["title"]["id"] for item in body["titles"]]
    assert pilot["id"] not in title_ids
    assert body["titles"][0]["title"]["slug"] == "galaxy-garage-s1e2"
    assert body["titles"][0]["reason"] == "more from Galaxy Garage"
    assert body["titles"][1]["title"]["genre"] == "sci-fi"

    product_ids = [item["product"]["id"] for item in body["products"]]
    assert products["BOOK-DBA"]["id"] not in product_ids
    assert product_ids[0] == mug["id"] and "Galaxy Garage" in body["products"][0]["reason"]
    assert any(item["reason"].startswith("more books") for item in body["products"])
    assert len(product_ids) == 5


def test_profile_genres_count_as_affinity(client: FlaskClient, user: tuple[int, Headers]) -> None:
    _, headers = user
    client.patch("/api/users/me", json={"favourite_genres": ["documentary"]}, headers=headers)
    items = client.get("/api/recommendations/titles?limit=2", headers=headers).json["items"]
    assert [item["title"]["genre"] for item in items] == ["documentary", "documentary"]
    products = client.get("/api/recommendations/products?limit=3", headers=headers).json["items"]
    assert len(products) == 3
