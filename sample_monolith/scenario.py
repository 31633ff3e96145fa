#!/usr/bin/env python3
"""End-to-end HTTP scenario for StreamShop.

Drives one complete customer journey (plus a few negative checks) against a
running deployment and verifies every response.  It only speaks HTTP to the
base URL, so the same scenario applies to the monolith and to any split of it.
Standard library only.

    python scenario.py --base-url http://127.0.0.1:8000

Exit status 0 when every step passed, 1 on the first failing step.
"""
from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

GOOD_CARD = {"method": "card", "card_number": "4242424242424242", "exp_month": 12,
             "exp_year": 2099, "cvc": "123"}
DECLINED_CARD = {"method": "card", "card_number": "4000000000000002", "exp_month": 12,
                 "exp_year": 2099, "cvc": "123"}
SHIPPING_ADDRESS = {"recipient": "Scenario Tester", "line1": "1 Test Street", "city": "Springfield",
                    "postal_code": "12345", "country": "US"}
PASSWORD = "scenario-pass-42"


class ScenarioError(AssertionError):
    """A step got an unexpected response."""


@dataclass
class StepResult:
    name: str
    method: str
    path: str
    status: int
    elapsed_ms: float

    def line(self) -> str:
        path = self.path if len(self.path) <= 44 else self.path[:41] + "..."
        text = f"[ok] {self.name:<40} {self.method:<6} {path:<44} -> {self.status}"
        return text + f" ({self.elapsed_ms:.0f} ms)"


@dataclass
class Response:
    status: int
    body: Any
    raw: str


@dataclass
class Client:
    base_url: str
    timeout: float = 15.0
    token: str | None = None
    results: list[StepResult] = field(default_factory=list)
    echo: Callable[[str], None] | None = None

    def request(self, method: str, path: str, body: Any = None, *,
                token: str | None = None, auth: bool = True) -> tuple[Response, float]:
        url = self.base_url.rstrip("/") + path
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        bearer = token if token is not None else self.token
        if auth and bearer:
            req.add_header("Authorization", f"Bearer {bearer}")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                status, raw = resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as exc:
            raise ScenarioError(f"{method} {path}: cannot reach server: {exc}") from exc
        elapsed = (time.perf_counter() - started) * 1000
        try:
            parsed = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            parsed = None
        return Response(status, parsed, raw), elapsed

    def step(self, name: str, method: str, path: str, body: Any = None, *, expect: int,
             token: str | None = None, auth: bool = True) -> Any:
        """Send one request, require status ``expect`` and a JSON object body."""
        response, elapsed = self.request(method, path, body, token=token, auth=auth)
        if response.status != expect:
            raise ScenarioError(
                f"step '{name}': {method} {path} returned {response.status}, expected {expect}: "
                f"{response.raw[:500]}"
            )
        if not isinstance(response.body, dict):
            raise ScenarioError(f"step '{name}': {method} {path} did not return a JSON object")
        result = StepResult(name, method, path, response.status, elapsed)
        self.results.append(result)
        if self.echo:
            self.echo(result.line())
        return response.body


def check(condition: bool, step: str, message: str) -> None:
    if not condition:
        raise ScenarioError(f"step '{step}': {message}")


def error_code(body: dict[str, Any]) -> str | None:
    error = body.get("error")
    return error.get("code") if isinstance(error, dict) else None


def run_scenario(base_url: str, *, user_suffix: str | None = None,
                 echo: Callable[[str], None] | None = None) -> list[StepResult]:
    """Run the journey against ``base_url``; raises ScenarioError on the first failure."""
    suffix = (user_suffix or f"{int(time.time())}{secrets.token_hex(3)}").lower()
    client = Client(base_url=base_url, echo=echo)
    step = client.step

    # -- health -------------------------------------------------------------------
    body = step("health check", "GET", "/healthz", expect=200)
    check(body.get("status") == "ok", "health check", f"status is {body.get('status')!r}")

    # -- accounts -------------------------------------------------------------------
    username = f"viewer_{suffix}"[:30]
    email = f"{username}@example.com"
    body = step("register user", "POST", "/api/auth/register",
                {"username": username, "email": email, "password": PASSWORD,
                 "display_name": "Scenario Viewer"}, expect=201)
    user = body.get("user") or {}
    check(user.get("username") == username and isinstance(user.get("id"), int),
          "register user", f"unexpected user {user}")
    user_id = user["id"]

    body = step("register duplicate is rejected", "POST", "/api/auth/register",
                {"username": username, "email": email, "password": PASSWORD}, expect=409)
    check(error_code(body) == "conflict", "register duplicate is rejected", f"body {body}")

    body = step("login with wrong password", "POST", "/api/auth/login",
                {"login": username, "password": "not-the-password-1"}, expect=401)
    check(error_code(body) is not None, "login with wrong password", "no error code")

    step("profile requires a token", "GET", "/api/users/me", expect=401, auth=False)

    body = step("login", "POST", "/api/auth/login", {"login": email, "password": PASSWORD},
                expect=200)
    check(isinstance(body.get("token"), str) and body["token"], "login", "no token returned")
    client.token = body["token"]

    body = step("fetch profile", "GET", "/api/users/me", expect=200)
    check(body["user"]["id"] == user_id and body["user"]["email"] == email,
          "fetch profile", f"profile {body['user']}")

    body = step("update profile", "PATCH", "/api/users/me",
                {"display_name": "Scenario Fan", "favourite_genres": ["documentary"]}, expect=200)
    check(body["user"]["display_name"] == "Scenario Fan", "update profile", "name not updated")

    # -- catalog ----------------------------------------------------------------------
    body = step("browse titles page 1", "GET", "/api/catalog/titles?page=1&per_page=4", expect=200)
    check(body.get("page") == 1 and 0 < len(body.get("items", [])) <= 4, "browse titles page 1",
          f"page={body.get('page')} items={len(body.get('items', []))}")
    check(body.get("total", 0) >= 2, "browse titles page 1", "catalog needs at least 2 titles")
    first_page_ids = {item["id"] for item in body["items"]}
    if body.get("has_next"):
        body = step("browse titles page 2", "GET", "/api/catalog/titles?page=2&per_page=4",
                    expect=200)
        check(body.get("page") == 2 and body.get("items"), "browse titles page 2", "empty page")
        check(not first_page_ids & {item["id"] for item in body["items"]},
              "browse titles page 2", "pages overlap")

    body = step("browse prime titles", "GET", "/api/catalog/titles?prime=true&per_page=50",
                expect=200)
    prime_titles = [t for t in body.get("items", []) if t.get("is_prime")]
    check(len(prime_titles) == len(body["items"]) > 0,
          "browse prime titles", "no prime titles in catalog (or a non-prime one in the list)")
    prime_title = prime_titles[0]

    body = step("title detail", "GET", f"/api/catalog/titles/{prime_title['id']}", expect=200)
    check(body["title"]["id"] == prime_title["id"], "title detail", "wrong title")

    body = step("browse products", "GET", "/api/catalog/products?in_stock=true&per_page=20",
                expect=200)
    products = [p for p in body.get("items", []) if p.get("stock_quantity", 0) >= 5]
    check(len(products) >= 3, "browse products", "need at least 3 products with stock")
    product_a, product_b, product_c = products[0], products[1], products[2]

    word = max(prime_title["name"].split(), key=len).strip(":,.")
    body = step("search catalog", "GET",
                "/api/catalog/search?" + urllib.parse.urlencode({"q": word}), expect=200)
    check(prime_title["id"] in {t["id"] for t in body.get("titles", [])},
          "search catalog", f"searching {word!r} did not find title {prime_title['id']}")

    # -- subscription (payments) -----------------------------------------------------------
    body = step("subscription status before", "GET", "/api/subscriptions/me", expect=200)
    check(body.get("active") is False, "subscription status before", "new user already prime")

    body = step("subscribe to prime", "POST", "/api/subscriptions",
                {"plan": "prime_monthly", "payment": GOOD_CARD}, expect=201)
    check(body.get("active") is True and body["subscription"]["status"] == "active",
          "subscribe to prime", f"subscription {body.get('subscription')}")
    check(body["payment"]["status"] == "captured" and body["payment"]["amount_cents"] > 0,
          "subscribe to prime", f"payment {body.get('payment')}")

    body = step("subscription status after", "GET", "/api/subscriptions/me", expect=200)
    check(body.get("active") is True and body["subscription"]["plan"] == "prime_monthly",
          "subscription status after", f"body {body}")

    # -- cart and checkout (orders) --------------------------------------------------------------
    body = step("add product to cart", "POST", "/api/cart/items",
                {"product_id": product_a["id"], "quantity": 2}, expect=201)
    body = step("add second product to cart", "POST", "/api/cart/items",
                {"product_id": product_b["id"], "quantity": 1}, expect=201)
    cart = body["cart"]
    expected_subtotal = product_a["price_cents"] * 2 + product_b["price_cents"]
    check(cart["item_count"] == 3, "add second product to cart", f"item_count {cart['item_count']}")
    check(cart["quote"]["subtotal"]["amount_cents"] == expected_subtotal,
          "add second product to cart", f"subtotal {cart['quote']['subtotal']}")
    check(cart["quote"]["shipping"]["amount_cents"] == 0, "add second product to cart",
          "prime members should ship free")

    stock_before = step("product stock before checkout", "GET",
                        f"/api/catalog/products/{product_a['id']}", expect=200
                        )["product"]["stock_quantity"]

    body = step("checkout", "POST", "/api/orders",
                {"payment": GOOD_CARD, "shipping_address": SHIPPING_ADDRESS}, expect=201)
    order = body["order"]
    check(order["status"] == "paid" and order["total"]["amount_cents"] == cart["quote"]["total"][
        "amount_cents"], "checkout", f"order {order}")
    check({item["product_id"] for item in order["items"]} == {product_a["id"], product_b["id"]},
          "checkout", "order items do not match the cart")
    check(order.get("payment", {}).get("status") == "captured", "checkout", "payment not captured")

    stock_after = step("stock reserved by checkout", "GET",
                       f"/api/catalog/products/{product_a['id']}", expect=200
                       )["product"]["stock_quantity"]
    check(stock_after <= stock_before - 2, "stock reserved by checkout",
          f"stock went from {stock_before} to {stock_after}")

    body = step("cart is empty after checkout", "GET", "/api/cart", expect=200)
    check(body["cart"]["items"] == [], "cart is empty after checkout", f"cart {body['cart']}")

    body = step("list orders", "GET", "/api/orders", expect=200)
    check(order["id"] in {o["id"] for o in body.get("items", [])}, "list orders", "order missing")

    body = step("order detail", "GET", f"/api/orders/{order['id']}", expect=200)
    check(body["order"]["id"] == order["id"], "order detail", "wrong order")

    body = step("payment history", "GET", "/api/payments", expect=200)
    purposes = sorted(p["purpose"] for p in body.get("items", []))
    check(purposes == ["order", "subscription"], "payment history", f"payments {purposes}")

    # -- streaming -------------------------------------------------------------------
    body = step("start playback of prime title", "POST", "/api/stream/sessions",
                {"title_id": prime_title["id"], "device": "scenario"}, expect=201)
    session_id = body.get("session_id")
    check(bool(session_id) and body.get("stream_url", "").startswith("http"),
          "start playback of prime title", f"body {body}")
    body = step("playback heartbeat", "POST", f"/api/stream/sessions/{session_id}/heartbeat",
                {"position_seconds": 120}, expect=200)
    check(body.get("position_seconds") == 120, "playback heartbeat", f"body {body}")
    body = step("stop playback", "POST", f"/api/stream/sessions/{session_id}/stop",
                {"position_seconds": 300}, expect=200)
    check(body.get("status") == "ended", "stop playback", f"body {body}")

    body = step("watch history", "GET", "/api/stream/history", expect=200)
    history = {entry["title_id"]: entry for entry in body.get("items", [])}
    check(prime_title["id"] in history, "watch history", "watched title missing")
    check(history[prime_title["id"]]["last_position_seconds"] == 300, "watch history",
          f"entry {history[prime_title['id']]}")

    # -- recommendations -------------------------------------------------------------------
    body = step("recommendations", "GET", "/api/recommendations", expect=200)
    rec_titles = [item["title"]["id"] for item in body.get("titles", [])]
    rec_products = [item["product"]["id"] for item in body.get("products", [])]
    check(bool(rec_titles) and bool(rec_products), "recommendations", "empty recommendations")
    check(prime_title["id"] not in rec_titles, "recommendations",
          "recommends the title that was just watched")
    check(not {product_a["id"], product_b["id"]} & set(rec_products), "recommendations",
          "recommends products that were just bought")

    # -- notifications -------------------------------------------------------------------
    body = step("list notifications", "GET", "/api/notifications?per_page=50", expect=200)
    by_kind = {n["kind"]: n for n in body.get("items", [])}
    check({"order_confirmation", "subscription_welcome"} <= set(by_kind), "list notifications",
          f"kinds {sorted(by_kind)}")
    unread_before = body.get("unread_count", 0)
    target = by_kind["order_confirmation"]
    check(target["read"] is False and unread_before >= 2, "list notifications",
          f"unread_count {unread_before}")
    body = step("mark notification read", "POST", f"/api/notifications/{target['id']}/read",
                expect=200)
    check(body["notification"]["read"] is True, "mark notification read", f"body {body}")
    body = step("unread count drops", "GET", "/api/notifications/unread-count", expect=200)
    check(body.get("unread_count") == unread_before - 1, "unread count drops", f"body {body}")

    # -- negative checks with a second, non-prime user --------------------------------------
    other = f"browser_{suffix}"[:30]
    step("register second user", "POST", "/api/auth/register",
         {"username": other, "email": f"{other}@example.com", "password": PASSWORD}, expect=201)
    body = step("login second user", "POST", "/api/auth/login",
                {"login": other, "password": PASSWORD}, expect=200)
    other_token = body["token"]

    body = step("prime title without subscription", "POST", "/api/stream/sessions",
                {"title_id": prime_title["id"]}, expect=403, token=other_token)
    check(error_code(body) == "subscription_required", "prime title without subscription",
          f"body {body}")

    step("second user fills cart", "POST", "/api/cart/items",
         {"product_id": product_c["id"], "quantity": 1}, expect=201, token=other_token)
    stock_c_before = step("stock before declined checkout", "GET",
                          f"/api/catalog/products/{product_c['id']}", expect=200,
                          token=other_token)["product"]["stock_quantity"]
    body = step("checkout with declined card", "POST", "/api/orders",
                {"payment": DECLINED_CARD, "shipping_address": SHIPPING_ADDRESS}, expect=402,
                token=other_token)
    check(error_code(body) == "payment_declined", "checkout with declined card", f"body {body}")
    body = step("declined checkout created no order", "GET", "/api/orders", expect=200,
                token=other_token)
    check(body.get("total") == 0 and body.get("items") == [],
          "declined checkout created no order", f"orders {body.get('items')}")
    body = step("cart kept after declined checkout", "GET", "/api/cart", expect=200,
                token=other_token)
    check([i["product_id"] for i in body["cart"]["items"]] == [product_c["id"]],
          "cart kept after declined checkout", f"cart {body['cart']}")
    stock_c_after = step("stock untouched by declined checkout", "GET",
                         f"/api/catalog/products/{product_c['id']}", expect=200,
                         token=other_token)["product"]["stock_quantity"]
    check(stock_c_after == stock_c_before, "stock untouched by declined checkout",
          f"stock went from {stock_c_before} to {stock_c_after}")

    return client.results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000",
                        help="root URL of the deployment (default: %(default)s)")
    parser.add_argument("--user-suffix", default=None,
                        help="suffix for the generated usernames (default: time + random)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        results = run_scenario(args.base_url, user_suffix=args.user_suffix, echo=print)
    except ScenarioError as exc:
        print(f"[FAIL] {exc}", file=sys.stderr)
        return 1
    print(f"scenario passed: {len(results)} steps in {time.perf_counter() - started:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
