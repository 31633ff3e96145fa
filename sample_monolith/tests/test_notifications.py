from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from streamshop.models.notification import NotificationKind
from streamshop.services import account, notifications

Headers = dict[str, str]


def test_inbox_and_mark_read(client: FlaskClient, prime_user: tuple[int, Headers]) -> None:
    _, headers = prime_user
    inbox = client.get("/api/notifications", headers=headers).json
    assert inbox["unread_count"] == 2 and inbox["total"] == 2
    newest = inbox["items"][0]
    assert newest["kind"] == "subscription_welcome" and "$8.99" in newest["body"]
    marked = client.post(f"/api/notifications/{newest['id']}/read", headers=headers)
    assert marked.json["notification"]["read"] is True and marked.json["notification"]["read_at"]
    assert client.get("/api/notifications/unread-count", headers=headers).json == {
        "unread_count": 1
    }
    unread = client.get("/api/notifications?unread=true", headers=headers).json["items"]
    assert [n["kind"] for n in unread] == ["welcome"]
    assert client.post("/api/notifications/read-all", headers=headers).json == {"marked": 1}
    assert client.get("/api/notifications/unread-count", headers=headers).json == {
        "unread_count": 0
    }


def test_notifications_are_private(
    client: FlaskClient, register: Callable[..., tuple[int, Headers]]
) -> None:
    _, first = register("first")
    _, second = register("second")
    note_id = client.get("/api/notifications", headers=first).json["items"][0]["id"]
    assert client.post(f"/api/notifications/{note_id}/read", headers=second).status_code == 404


def test_preferences_control_channels(
    client: FlaskClient,
    user: tuple[int, Headers],
    good_card: dict,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, headers = user
    assert client.get("/api/notifications/preferences", headers=headers).json["preferences"] == {
        "email_enabled": True,
        "in_app_enabled": True,
        "marketing_opt_in": False,
    }
    updated = client.put(
        "/api/notifications/preferences",
        json={"in_app_enabled": False, "email_enabled": "true"},
        headers=headers,
    )
    assert updated.json["preferences"]["in_app_enabled"] is False
    assert (
        client.put(
            "/api/notifications/preferences", json={"sms": True}, headers=headers
        ).status_code
        == 400
    )
    with caplog.at_level(logging.INFO, logger="streamshop.services.notifications"):
        client.post("/api/subscriptions", json={"payment": good_card}, headers=headers)
    assert client.get("/api/notifications", headers=headers).json["total"] == 1  # only "welcome"
    assert any("subscription_welcome" in record.getMessage() for record in caplog.records)


def test_templates_and_email_rendering(db: Session, user: tuple[int, Headers]) -> None:
    message = notifications.render_message(
        NotificationKind.ORDER_CANCELLED, {"order_id": 7, "total": "$1.00"}, link="/api/orders/7"
    )
    assert message.subject == "Order #7 cancelled" and message.link == "/api/orders/7"
    with pytest.raises(ValueError, match="order_id"):
        notifications.render_message(NotificationKind.ORDER_CANCELLED, {"total": "$1"})
    with pytest.raises(ValueError):
        notifications.render_message("carrier_pigeon", {})
    email = notifications.EmailNotifier.render(
        "Shop <shop@test>", account.get_user(db, user[0]), message
    )
    assert "To: alice <alice@example.com>" in email and "Subject: Order #7 cancelled" in email
