"""Billing: payment providers, order payments, refunds and prime subscriptions.

The payment gateway is simulated in-process.  Its decisions are deterministic
so that demos and tests are reproducible:

* cards must pass the Luhn check and not be expired;
* card numbers ending in ``0002`` are declined, ``9995`` fail for insufficient
  funds and ``0069`` are reported as expired by the issuer;
* wallet ids look like ``wallet_<id>``; ``wallet_empty...`` has no funds.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from streamshop.config import get_settings
from streamshop.models.commerce import Payment, PaymentStatus
from streamshop.models.notification import NotificationKind
from streamshop.models.user import Subscription, SubscriptionStatus
from streamshop.utils.errors import Conflict, NotFound, PaymentRequired
from streamshop.utils.money import format_cents, money_dict
from streamshop.utils.pagination import Page, paginate
from streamshop.utils.timeutil import add_months, isoformat, utcnow
from streamshop.utils.validation import ValidationError, coerce_int

from . import notifications

logger = logging.getLogger(__name__)

PLAN_PRIME_MONTHLY = "prime_monthly"
PLAN_PRIME_ANNUAL = "prime_annual"
ANNUAL_PRICE_MONTHS = 10  # two months free on the annual plan

TOKEN_RE = re.compile(r"^tok_(\d{4})_[0-9a-f]{24}$")
WALLET_RE = re.compile(r"^wallet_[a-z0-9]{4,40}$")


class PaymentDeclined(PaymentRequired):
    code = "payment_declined"


@dataclass(frozen=True)
class PaymentSource:
    """What the customer pays with: a card, a stored card token, or a wallet."""

    method: str
    card_number: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    cvc: str | None = None
    token: str | None = None
    wallet_id: str | None = None

    @classmethod
    def from_request(cls, data: Any) -> PaymentSource:
        if not isinstance(data, Mapping):
            raise ValidationError("payment must be an object", details={"field": "payment"})
        method = data.get("method", "card")
        if method == "card":
            number = re.sub(r"[\s-]", "", str(data.get("card_number", "")))
            if not number:
                raise ValidationError("card_number is required", details={"field": "card_number"})
            return cls(
                method="card",
                card_number=number,
                exp_month=coerce_int(data.get("exp_month"), "exp_month", minimum=1, maximum=12),
                exp_year=coerce_int(data.get("exp_year"), "exp_year", minimum=2000, maximum=2100),
                cvc=str(data.get("cvc", "")),
            )
        if method == "wallet":
            return cls(method="wallet", wallet_id=str(data.get("wallet_id", "")).strip().lower())
        raise ValidationError(f"unsupported payment method {method!r}", details={"field": "method"})

    @property
    def last4(self) -> str | None:
        if self.card_number:
            return self.card_number[-4:]
        if self.token:
            match = TOKEN_RE.match(self.token)
            return match.group(1) if match else None
        return None


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    reference: str
    reusable_token: str
    decline_code: str | None = None


class PaymentProvider(ABC):
    """Base class of the gateway adapters; subclasses register by ``method``."""

    method: ClassVar[str]
    _registry: ClassVar[dict[str, type[PaymentProvider]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        PaymentProvider._registry[cls.method] = cls

    def __init__(self, gateway_key: str) -> None:
        self._gateway_key = gateway_key.encode()

    @classmethod
    def for_method(cls, method: str, gateway_key: str) -> PaymentProvider:
        try:
            provider_cls = cls._registry[method]
        except KeyError:
            raise ValidationError(f"unsupported payment method {method!r}") from None
        return provider_cls(gateway_key)

    @abstractmethod
    def charge(self, source: PaymentSource, amount_cents: int, currency: str) -> ChargeResult:
        """Authorise and capture ``amount_cents`` in one step."""

    def refund(self, reference: str, amount_cents: int) -> str:
        """Refund a captured charge in full; returns the refund reference."""
        if amount_cents <= 0:
            raise ValidationError("refund amount must be positive")
        return "re_" + self._digest(reference, str(amount_cents))[:24]

    def _digest(self, *parts: str) -> str:
        return hmac.new(self._gateway_key, "|".join(parts).encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def new_reference(prefix: str) -> str:
        return f"{prefix}_{uuid.uuid4().hex[:24]}"


class CardProvider(PaymentProvider):
    method = "card"
    DECLINE_SUFFIXES: ClassVar[dict[str, str]] = {
        "0002": "card_declined",
        "9995": "insufficient_funds",
        "0069": "expired_card",
    }

    @staticmethod
    def luhn_valid(number: str) -> bool:
        if not number.isdigit() or not 12 <= len(number) <= 19:
            return False
        total = 0
        for index, char in enumerate(reversed(number)):
            digit = int(char)
            if index % 2 == 1:
                digit *= 2
                if digit > 9:
                    digit -= 9
            total += digit
        return total % 10 == 0

    @staticmethod
    def brand(number: str) -> str:
        if number.startswith("4"):
            return "visa"
        if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
            return "mastercard"
        if number[:2] in {"34", "37"}:
            return "amex"
        return "unknown"

    def tokenize(self, card_number: str) -> str:
        return f"tok_{card_number[-4:]}_{self._digest('card', card_number)[:24]}"

    def charge(self, source: PaymentSource, amount_cents: int, currency: str) -> ChargeResult:
        if source.token is not None:
            if not TOKEN_RE.match(source.token):
                raise ValidationError("malformed card token")
            token = source.token
        else:
            token = self.tokenize(self.validated_card_number(source))
        decline_code = self.DECLINE_SUFFIXES.get(source.last4 or "")
        return ChargeResult(
            approved=decline_code is None,
            reference=self.new_reference("ch"),
            reusable_token=token,
            decline_code=decline_code,
        )

    def validated_card_number(self, source: PaymentSource) -> str:
        if not source.card_number or not self.luhn_valid(source.card_number):
            raise ValidationError("card number is invalid", details={"field": "card_number"})
        if not source.cvc or not source.cvc.isdigit() or len(source.cvc) not in (3, 4):
            raise ValidationError("cvc must be 3 or 4 digits", details={"field": "cvc"})
        now = utcnow()
        if (source.exp_year or 0, source.exp_month or 0) < (now.year, now.month):
            raise ValidationError("card has expired", details={"field": "exp_year"})
        return source.card_number


class WalletProvider(PaymentProvider):
    method = "wallet"

    def charge(self, source: PaymentSource, amount_cents: int, currency: str) -> ChargeResult:
        wallet_id = source.wallet_id or source.token or ""
        if not WALLET_RE.match(wallet_id):
            raise ValidationError("wallet_id is invalid", details={"field": "wallet_id"})
        declined = wallet_id.startswith("wallet_empty")
        return ChargeResult(
            approved=not declined,
            reference=self.new_reference("wl"),
            reusable_token=wallet_id,
            decline_code="insufficient_funds" if declined else None,
        )


def describe_card(data: Any) -> dict[str, Any]:
    """Check a card form without charging it (used by the checkout page)."""
    if not isinstance(data, Mapping):
        raise ValidationError("card must be an object")
    source = PaymentSource.from_request({**data, "method": "card"})
    brand = CardProvider.brand(source.card_number or "")
    try:
        CardProvider(get_settings().payment_gateway_key).validated_card_number(source)
    except ValidationError as exc:
        return {"valid": False, "brand": brand, "reason": exc.message}
    return {"valid": True, "brand": brand, "last4": source.last4}


def get_provider(method: str) -> PaymentProvider:
    return PaymentProvider.for_method(method, get_settings().payment_gateway_key)


def charge(
    session: Session,
    *,
    user_id: int,
    amount_cents: int,
    currency: str,
    source: PaymentSource,
    purpose: str,
    description: str,
    order_id: int | None = None,
    subscription_id: int | None = None,
) -> tuple[Payment, str]:
    """Charge ``source`` and record the payment; returns it with a reusable token.

    Raises :class:`PaymentDeclined` without writing anything.  Flushes only.
    """
    if amount_cents <= 0:
        raise ValidationError("amount must be positive")
    result = get_provider(source.method).charge(source, amount_cents, currency)
    if not result.approved:
        logger.warning(
            "payment declined for user %s: %s (%s)", user_id, result.decline_code, description
        )
        raise PaymentDeclined(
            "the payment was declined", details={"decline_code": result.decline_code}
        )
    payment = Payment(
        user_id=user_id,
        purpose=purpose,
        order_id=order_id,
        subscription_id=subscription_id,
        amount_cents=amount_cents,
        currency=currency,
        method=source.method,
        card_last4=source.last4,
        status=PaymentStatus.CAPTURED,
        provider_reference=result.reference,
        description=description[:200],
    )
    session.add(payment)
    session.flush()
    return payment, result.reusable_token


def refund_payment(session: Session, payment_id: int, *, reason: str) -> Payment:
    """Refund a captured payment in full.  Flushes only."""
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"payment {payment_id} not found")
    if payment.status != PaymentStatus.CAPTURED:
        raise Conflict(f"payment {payment_id} cannot be refunded (status {payment.status})")
    provider = get_provider(payment.method)
    payment.refund_reference = provider.refund(payment.provider_reference, payment.amount_cents)
    payment.status = PaymentStatus.REFUNDED
    payment.refunded_at = utcnow()
    session.flush()
    logger.info("refunded payment %s (%s)", payment.id, reason)
    return payment


def get_payment_for_order(session: Session, order_id: int) -> Payment | None:
    return session.scalars(
        select(Payment).where(Payment.order_id == order_id).order_by(Payment.id.desc())
    ).first()


def list_payments(session: Session, user_id: int, *, page: int, per_page: int) -> Page[Payment]:
    stmt = (
        select(Payment)
        .where(Payment.user_id == user_id)
        .order_by(Payment.created_at.desc(), Payment.id.desc())
    )
    return paginate(session, stmt, page, per_page)


def get_payment(session: Session, user_id: int, payment_id: int) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None or payment.user_id != user_id:
        raise NotFound(f"payment {payment_id} not found")
    return payment


def available_plans() -> list[dict[str, Any]]:
    settings = get_settings()
    monthly = settings.prime_monthly_price_cents
    return [
        {
            "code": PLAN_PRIME_MONTHLY,
            "name": "Prime (monthly)",
            "period_months": 1,
            "price": money_dict(monthly, settings.currency),
        },
        {
            "code": PLAN_PRIME_ANNUAL,
            "name": "Prime (annual)",
            "period_months": 12,
            "price": money_dict(monthly * ANNUAL_PRICE_MONTHS, settings.currency),
        },
    ]


def get_plan(plan_code: Any) -> dict[str, Any]:
    for plan in available_plans():
        if plan["code"] == plan_code:
            return plan
    raise ValidationError(f"unknown plan {plan_code!r}", details={"field": "plan"})


def get_current_subscription(
    session: Session, user_id: int, *, at: datetime | None = None
) -> Subscription | None:
    """The subscription granting prime at ``at`` (active, or cancelled but paid up)."""
    at = at or utcnow()
    return session.scalars(
        select(Subscription)
        .where(
            Subscription.user_id == user_id,
            Subscription.status.in_([SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED]),
            Subscription.current_period_end > at,
        )
        .order_by(Subscription.current_period_end.desc())
    ).first()


def has_active_prime(session: Session, user_id: int) -> bool:
    return get_current_subscription(session, user_id) is not None


def subscribe(
    session: Session, user_id: int, plan_code: Any, source: PaymentSource
) -> tuple[Subscription, Payment]:
    """Charge the first period of ``plan_code`` and start the subscription."""
    plan = get_plan(plan_code)
    current = get_current_subscription(session, user_id)
    if current is not None and current.status == SubscriptionStatus.ACTIVE:
        raise Conflict("you already have an active prime subscription")
    price_cents = plan["price"]["amount_cents"]
    currency = plan["price"]["currency"]
    payment, token = charge(
        session,
        user_id=user_id,
        amount_cents=price_cents,
        currency=currency,
        source=source,
        purpose="subscription",
        description=f"StreamShop {plan['name']}",
    )
    now = utcnow()
    # A cancelled-but-paid-up subscription is replaced; the new period starts today.
    if current is not None:
        current.status = SubscriptionStatus.EXPIRED
    subscription = Subscription(
        user_id=user_id,
        plan=plan["code"],
        status=SubscriptionStatus.ACTIVE,
        price_cents=price_cents,
        currency=currency,
        payment_method=source.method,
        payment_token=token,
        auto_renew=True,
        started_at=now,
        current_period_end=add_months(now, plan["period_months"]),
    )
    session.add(subscription)
    session.flush()
    payment.subscription_id = subscription.id
    notifications.notify(
        session,
        user_id,
        NotificationKind.SUBSCRIPTION_WELCOME,
        {
            "plan": plan["name"],
            "amount": format_cents(price_cents, currency),
            "renews_on": subscription.current_period_end.date().isoformat(),
        },
        link="/api/subscriptions/me",
    )
    session.commit()
    return subscription, payment


def cancel_subscription(session: Session, user_id: int) -> Subscription:
    """Stop auto-renewal; prime stays available until the paid period ends."""
    subscription = get_current_subscription(session, user_id)
    if subscription is None or subscription.status != SubscriptionStatus.ACTIVE:
        raise NotFound("no active subscription to cancel")
    subscription.status = SubscriptionStatus.CANCELLED
    subscription.auto_renew = False
    subscription.cancelled_at = utcnow()
    notifications.notify(
        session,
        user_id,
        NotificationKind.SUBSCRIPTION_CANCELLED,
        {"access_until": subscription.current_period_end.date().isoformat()},
    )
    session.commit()
    return subscription


def renew_due_subscriptions(session: Session, *, now: datetime | None = None) -> dict[str, int]:
    """Billing job: renew active subscriptions whose period ended, expire the rest."""
    now = now or utcnow()
    due = session.scalars(
        select(Subscription).where(
            Subscription.status.in_([SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED]),
            Subscription.current_period_end <= now,
        )
    ).all()
    counts = {"renewed": 0, "failed": 0, "expired": 0}
    for subscription in due:
        if subscription.status == SubscriptionStatus.CANCELLED or not subscription.auto_renew:
            subscription.status = SubscriptionStatus.EXPIRED
            counts["expired"] += 1
            continue
        plan = get_plan(subscription.plan)
        stored = subscription.payment_token
        source = PaymentSource(
            method=subscription.payment_method,
            token=stored if subscription.payment_method == "card" else None,
            wallet_id=stored if subscription.payment_method == "wallet" else None,
        )
        try:
            charge(
                session,
                user_id=subscription.user_id,
                amount_cents=subscription.price_cents,
                currency=subscription.currency,
                source=source,
                purpose="subscription",
                description=f"StreamShop {plan['name']} renewal",
                subscription_id=subscription.id,
            )
        except PaymentDeclined as exc:
            subscription.status = SubscriptionStatus.EXPIRED
            counts["failed"] += 1
            notifications.notify(
                session,
                subscription.user_id,
                NotificationKind.PAYMENT_FAILED,
                {"what": plan["name"], "reason": exc.details.get("decline_code", "declined")},
            )
            continue
        subscription.current_period_end = add_months(
            subscription.current_period_end, plan["period_months"]
        )
        counts["renewed"] += 1
        notifications.notify(
            session,
            subscription.user_id,
            NotificationKind.SUBSCRIPTION_RENEWED,
            {"plan": plan["name"], "renews_on": subscription.current_period_end.date().isoformat()},
        )
    session.commit()
    return counts


def serialize_payment(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "purpose": payment.purpose,
        "order_id": payment.order_id,
        "subscription_id": payment.subscription_id,
        "amount": money_dict(payment.amount_cents, payment.currency),
        "amount_cents": payment.amount_cents,
        "currency": payment.currency,
        "method": payment.method,
        "card_last4": payment.card_last4,
        "status": payment.status,
        "provider_reference": payment.provider_reference,
        "description": payment.description,
        "created_at": isoformat(payment.created_at),
        "refunded_at": isoformat(payment.refunded_at),
    }


def serialize_subscription(subscription: Subscription | None) -> dict[str, Any]:
    if subscription is None:
        return {"active": False, "subscription": None}
    active = subscription.status in (
        SubscriptionStatus.ACTIVE,
        SubscriptionStatus.CANCELLED,
    ) and subscription.current_period_end > utcnow()
    return {
        "active": active,
        "subscription": {
            "id": subscription.id,
            "plan": subscription.plan,
            "status": subscription.status,
            "price": money_dict(subscription.price_cents, subscription.currency),
            "auto_renew": subscription.auto_renew,
            "payment_method": subscription.payment_method,
            "started_at": isoformat(subscription.started_at),
            "current_period_end": isoformat(subscription.current_period_end),
            "cancelled_at": isoformat(subscription.cancelled_at),
        },
    }
