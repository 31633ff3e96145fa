from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamshop.models.commerce import Payment
from streamshop.models.notification import Notification
from streamshop.models.user import Subscription
from streamshop.services import billing
from streamshop.utils.timeutil import utcnow
from streamshop.utils.validation import ValidationError

Headers = dict[str, str]


def test_card_provider_rules() -> None:
    provider = billing.CardProvider("unit-test-key")
    assert billing.CardProvider.luhn_valid("4242424242424242")
    assert not billing.CardProvider.luhn_valid("4242424242424241")
    assert billing.CardProvider.brand("5555555555554444") == "mastercard"

    def card(number: str) -> billing.PaymentSource:
        return billing.PaymentSource(
            method="card", card_number=number, exp_month=1, exp_year=2099, cvc="999"
        )

    ok = provider.charge(card("4242424242424242"), 1000, "USD")
    assert ok.approved and ok.reusable_token.startswith("tok_4242_")
    assert ok.reusable_token == provider.tokenize("4242424242424242")  # stable per card
    declined = provider.charge(card("4000000000000002"), 1000, "USD")
    assert not declined.approved and declined.decline_code == "card_declined"
    again = provider.charge(
        billing.PaymentSource(method="card", token=ok.reusable_token), 500, "USD"
    )
    assert again.approved and again.reference != ok.reference
    with pytest.raises(ValidationError, match="expired"):
        provider.charge(
            billing.PaymentSource(
                method="card", card_number="4242424242424242", exp_month=1, exp_year=2001, cvc="123"
            ),
            100,
            "USD",
        )


def test_wallet_provider_and_registry() -> None:
    provider = billing.PaymentProvider.for_method("wallet", "unit-test-key")
    assert isinstance(provider, billing.WalletProvider)
    assert provider.charge(
        billing.PaymentSource("wallet", wallet_id="wallet_abcd"), 100, "USD"
    ).approved
    empty = provider.charge(billing.PaymentSource("wallet", wallet_id="wallet_empty01"), 100, "USD")
    assert empty.decline_code == "insufficient_funds"
    with pytest.raises(ValidationError):
        billing.PaymentProvider.for_method("cheque", "unit-test-key")


def test_subscribe_flow(client: FlaskClient, user: tuple[int, Headers], good_card: dict) -> None:
    _, headers = user
    plans = client.get("/api/subscriptions/plans").json["plans"]
    assert [p["price"]["amount_cents"] for p in plans] == [899, 8990]
    assert client.get("/api/subscriptions/me", headers=headers).json == {
        "active": False,
        "subscription": None,
    }

    created = client.post(
        "/api/subscriptions", json={"plan": "prime_monthly", "payment": good_card}, headers=headers
    )
    assert created.status_code == 201
    assert created.json["active"] is True
    assert created.json["payment"]["purpose"] == "subscription"
    assert created.json["payment"]["amount_cents"] == 899
    status = client.get("/api/subscriptions/me", headers=headers).json
    assert (
        status["subscription"]["plan"] == "prime_monthly" and status["subscription"]["auto_renew"]
    )

    again = client.post("/api/subscriptions", json={"payment": good_card}, headers=headers)
    assert again.status_code == 409
    payments = client.get("/api/payments", headers=headers).json
    assert payments["total"] == 1
    payment_id = payments["items"][0]["id"]
    assert (
        client.get(f"/api/payments/{payment_id}", headers=headers).json["payment"]["card_last4"]
        == "4242"
    )
    kinds = [n["kind"] for n in client.get("/api/notifications", headers=headers).json["items"]]
    assert kinds == ["subscription_welcome", "welcome"]


def test_declined_subscription_creates_nothing(
    client: FlaskClient, db: Session, user: tuple[int, Headers], declined_card: dict
) -> None:
    user_id, headers = user
    response = client.post("/api/subscriptions", json={"payment": declined_card}, headers=headers)
    assert response.status_code == 402
    assert db.scalars(select(Subscription).where(Subscription.user_id == user_id)).all() == []
    assert db.scalars(select(Payment).where(Payment.user_id == user_id)).all() == []
    unknown_plan = client.post(
        "/api/subscriptions", json={"plan": "gold", "payment": declined_card}, headers=headers
    )
    assert unknown_plan.status_code == 400


def test_cancel_keeps_access_until_period_end_then_expires(
    client: FlaskClient, db: Session, prime_user: tuple[int, Headers]
) -> None:
    user_id, headers = prime_user
    cancelled = client.post("/api/subscriptions/me/cancel", headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.json["active"] is True
    assert cancelled.json["subscription"]["status"] == "cancelled"
    assert client.post("/api/subscriptions/me/cancel", headers=headers).status_code == 404

    subscription = db.scalars(select(Subscription).where(Subscription.user_id == user_id)).one()
    counts = billing.renew_due_subscriptions(
        db, now=subscription.current_period_end + timedelta(seconds=1)
    )
    assert counts == {"renewed": 0, "failed": 0, "expired": 1}
    assert client.get("/api/subscriptions/me", headers=headers).json["active"] is False


def test_renewal_charges_stored_token(db: Session, prime_user: tuple[int, Headers]) -> None:
    user_id, _ = prime_user
    subscription = db.scalars(select(Subscription).where(Subscription.user_id == user_id)).one()
    old_end = subscription.current_period_end
    subscription.current_period_end = utcnow() - timedelta(minutes=1)
    db.commit()
    assert billing.renew_due_subscriptions(db) == {"renewed": 1, "failed": 0, "expired": 0}
    assert subscription.current_period_end > utcnow()
    assert subscription.current_period_end < old_end + timedelta(days=1)
    payments = db.scalars(select(Payment).where(Payment.user_id == user_id)).all()
    assert [p.description for p in payments] == [
        "StreamShop Prime (monthly)",
        "StreamShop Prime (monthly) renewal",
    ]


def test_failed_renewal_expires_and_notifies(db: Session, prime_user: tuple[int, Headers]) -> None:
    user_id, _ = prime_user
    subscription = db.scalars(select(Subscription).where(Subscription.user_id == user_id)).one()
    subscription.payment_token = "tok_0002_" + "0" * 24  # card since reported lost
    subscription.current_period_end = utcnow() - timedelta(minutes=1)
    db.commit()
    assert billing.renew_due_subscriptions(db) == {"renewed": 0, "failed": 1, "expired": 0}
    assert subscription.status == "expired"
    latest = db.scalars(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc())
    ).first()
    assert latest is not None and latest.kind == "payment_failed"
    assert "card_declined" in latest.body


def test_card_validation_endpoint(
    client: FlaskClient, user: tuple[int, Headers], good_card: dict
) -> None:
    _, headers = user
    ok = client.post("/api/payments/cards/validate", json=good_card, headers=headers).json
    assert ok == {"valid": True, "brand": "visa", "last4": "4242"}
    bad = client.post(
        "/api/payments/cards/validate", json={**good_card, "cvc": "1"}, headers=headers
    ).json
    assert bad["valid"] is False and "cvc" in bad["reason"]


def test_renewal_job_endpoint_is_admin_only(
    client: FlaskClient, user: tuple[int, Headers], admin_headers: Headers
) -> None:
    assert client.post("/api/subscriptions/renewals/run", headers=user[1]).status_code == 403
    result = client.post("/api/subscriptions/renewals/run", headers=admin_headers)
    assert result.status_code == 200 and result.json == {"renewed": 0, "failed": 0, "expired": 0}
