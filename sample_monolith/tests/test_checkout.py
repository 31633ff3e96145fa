from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamshop.models.catalog import Product
from streamshop.models.commerce import Order, Payment

Headers = dict[str, str]


def _stock(client: FlaskClient, product_id: int) -> int:
    return client.get(f"/api/catalog/products/{product_id}").json["product"]["stock_quantity"]


def test_cart_lifecycle_and_quote(
    client: FlaskClient, user: tuple[int, Headers], products: dict
) -> None:
    _, headers = user
    mug, book = products["MERCH-GG-MUG"], products["BOOK-SIGNAL"]
    client.post("/api/cart/items", json={"product_id": mug["id"]}, headers=headers)
    cart = client.post(
        "/api/cart/items", json={"product_id": mug["id"], "quantity": 2}, headers=headers
    ).json["cart"]
    assert cart["items"][0]["quantity"] == 3
    cart = client.post("/api/cart/items", json={"product_id": book["id"]}, headers=headers).json[
        "cart"
    ]
    quote = cart["quote"]
    subtotal = 3 * mug["price_cents"] + book["price_cents"]  # 6096 > free-shipping threshold
    assert quote["subtotal"]["amount_cents"] == subtotal
    assert quote["shipping"]["amount_cents"] == 0 and quote["free_shipping_reason"] == "threshold"
    assert quote["tax"]["amount_cents"] == round(subtotal * 0.08)

    cart = client.patch(f"/api/cart/items/{mug['id']}", json={"quantity": 1}, headers=headers).json[
        "cart"
    ]
    quote = cart["quote"]
    assert quote["shipping"]["amount_cents"] == 499 and quote["free_shipping_reason"] is None
    cart = client.delete(f"/api/cart/items/{book['id']}", headers=headers).json["cart"]
    assert [i["product_id"] for i in cart["items"]] == [mug["id"]]
    assert (
        client.patch(
            f"/api/cart/items/{book['id']}", json={"quantity": 1}, headers=headers
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/cart/items", json={"product_id": mug["id"], "quantity": 11}, headers=headers
        ).status_code
        == 400
    )
    assert (
        client.post("/api/cart/items", json={"product_id": 9999}, headers=headers).status_code
        == 404
    )
    assert client.delete("/api/cart", headers=headers).json["cart"]["items"] == []


def test_checkout_charges_reserves_and_notifies(
    client: FlaskClient, user: tuple[int, Headers], products: dict, good_card: dict, address: dict
) -> None:
    _, headers = user
    poster = products["MERCH-OD-POSTER"]
    before = _stock(client, poster["id"])
    client.post(
        "/api/cart/items", json={"product_id": poster["id"], "quantity": 2}, headers=headers
    )
    response = client.post(
        "/api/orders", json={"payment": good_card, "shipping_address": address}, headers=headers
    )
    assert response.status_code == 201
    order = response.json["order"]
    expected_subtotal = 2 * poster["price_cents"]
    expected_tax = round((expected_subtotal + 499) * 0.08)
    assert order["status"] == "paid"
    assert order["total"]["amount_cents"] == expected_subtotal + 499 + expected_tax
    assert order["shipping_address"]["city"] == "London"
    assert order["payment"] == {
        "id": order["payment"]["id"],
        "status": "captured",
        "method": "card",
        "card_last4": "4242",
        "amount_cents": order["total"]["amount_cents"],
    }
    assert _stock(client, poster["id"]) == before - 2
    assert client.get("/api/cart", headers=headers).json["cart"]["items"] == []
    listed = client.get("/api/orders", headers=headers).json
    assert [o["id"] for o in listed["items"]] == [order["id"]]
    notes = client.get("/api/notifications", headers=headers).json["items"]
    assert notes[0]["kind"] == "order_confirmation" and f"#{order['id']}" in notes[0]["subject"]


def test_declined_card_leaves_no_trace(
    client: FlaskClient,
    db: Session,
    user: tuple[int, Headers],
    products: dict,
    declined_card: dict,
    address: dict,
) -> None:
    user_id, headers = user
    hoodie = products["MERCH-NSP-HOODIE"]
    before = _stock(client, hoodie["id"])
    client.post("/api/cart/items", json={"product_id": hoodie["id"]}, headers=headers)
    response = client.post(
        "/api/orders", json={"payment": declined_card, "shipping_address": address}, headers=headers
    )
    assert response.status_code == 402
    assert response.json["error"] == {
        "code": "payment_declined",
        "message": "the payment was declined",
        "details": {"decline_code": "card_declined"},
    }
    assert _stock(client, hoodie["id"]) == before
    assert db.scalar(select(func.count()).select_from(Order)) == 0
    assert (
        db.scalar(select(func.count()).select_from(Payment).where(Payment.user_id == user_id)) == 0
    )
    assert len(client.get("/api/cart", headers=headers).json["cart"]["items"]) == 1


def test_invalid_card_is_a_validation_error(
    client: FlaskClient, user: tuple[int, Headers], products: dict, good_card: dict, address: dict
) -> None:
    _, headers = user
    client.post(
        "/api/cart/items", json={"product_id": products["HOME-BLANKET"]["id"]}, headers=headers
    )
    bad = {**good_card, "card_number": "4242424242424241"}
    response = client.post(
        "/api/orders", json={"payment": bad, "shipping_address": address}, headers=headers
    )
    assert (
        response.status_code == 400 and response.json["error"]["details"]["field"] == "card_number"
    )


def test_stock_shortage_at_checkout_rolls_back(
    client: FlaskClient,
    db: Session,
    user: tuple[int, Headers],
    products: dict,
    good_card: dict,
    address: dict,
) -> None:
    _, headers = user
    projector, mug = products["HOME-PROJECTOR"], products["MERCH-GG-MUG"]
    client.post("/api/cart/items", json={"product_id": mug["id"]}, headers=headers)
    client.post(
        "/api/cart/items", json={"product_id": projector["id"], "quantity": 2}, headers=headers
    )
    db.get(Product, projector["id"]).stock_quantity = 1  # someone else bought the rest
    db.commit()
    mug_before = _stock(client, mug["id"])
    response = client.post(
        "/api/orders", json={"payment": good_card, "shipping_address": address}, headers=headers
    )
    assert response.status_code == 409 and response.json["error"]["code"] == "insufficient_stock"
    assert response.json["error"]["details"]["available"] == 1
    assert _stock(client, mug["id"]) == mug_before
    assert client.get("/api/orders", headers=headers).json["total"] == 0


def test_checkout_needs_items_and_an_address(
    client: FlaskClient, user: tuple[int, Headers], products: dict, good_card: dict, address: dict
) -> None:
    _, headers = user
    empty = client.post(
        "/api/orders", json={"payment": good_card, "shipping_address": address}, headers=headers
    )
    assert empty.status_code == 400 and empty.json["error"]["message"] == "cart is empty"
    client.post("/api/cart/items", json={"product_id": products["BOOK-DBA"]["id"]}, headers=headers)
    no_address = client.post("/api/orders", json={"payment": good_card}, headers=headers)
    assert no_address.status_code == 400
    client.post("/api/users/me/addresses", json=address, headers=headers)
    placed = client.post("/api/orders", json={"payment": good_card}, headers=headers)
    assert placed.status_code == 201
    assert placed.json["order"]["shipping_address"]["recipient"] == "Ada Lovelace"


def test_prime_members_ship_free(
    client: FlaskClient, prime_user: tuple[int, Headers], products: dict
) -> None:
    _, headers = prime_user
    cart = client.post(
        "/api/cart/items", json={"product_id": products["BOOK-SIGNAL"]["id"]}, headers=headers
    ).json["cart"]
    assert cart["quote"]["shipping"]["amount_cents"] == 0
    assert cart["quote"]["free_shipping_reason"] == "prime"


def test_cancel_order_refunds_and_restocks(
    client: FlaskClient,
    register: Callable[..., tuple[int, Headers]],
    products: dict,
    good_card: dict,
    address: dict,
) -> None:
    _, headers = register("carol")
    _, other_headers = register("dave")
    mug = products["MERCH-GG-MUG"]
    before = _stock(client, mug["id"])
    client.post("/api/cart/items", json={"product_id": mug["id"], "quantity": 4}, headers=headers)
    order = client.post(
        "/api/orders", json={"payment": good_card, "shipping_address": address}, headers=headers
    ).json["order"]
    assert client.get(f"/api/orders/{order['id']}", headers=other_headers).status_code == 404
    assert (
        client.post(f"/api/orders/{order['id']}/cancel", headers=other_headers).status_code == 404
    )

    cancelled = client.post(f"/api/orders/{order['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.json["order"]["status"] == "cancelled"
    assert cancelled.json["order"]["payment"]["status"] == "refunded"
    assert _stock(client, mug["id"]) == before
    assert client.post(f"/api/orders/{order['id']}/cancel", headers=headers).status_code == 409
    kinds = [n["kind"] for n in client.get("/api/notifications", headers=headers).json["items"]]
    assert kinds[:2] == ["order_cancelled", "order_confirmation"]
    assert client.get("/api/orders?status=cancelled", headers=headers).json["total"] == 1
    assert client.get("/api/orders?since=2000-01-01T00:00:00Z", headers=headers).json["total"] == 1
    assert client.get("/api/orders?since=2999-01-01T00:00:00Z", headers=headers).json["total"] == 0
    assert client.get("/api/orders?since=yesterday", headers=headers).status_code == 400
