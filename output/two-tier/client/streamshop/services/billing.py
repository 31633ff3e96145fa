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
from typing import Any, ClassVar
from streamshop.utils.validation import ValidationError, coerce_int

from . import notifications

logger = logging.getLogger(__name__)

PLAN_PRIME_MONTHLY = "prime_monthly"
PLAN_PRIME_ANNUAL = "prime_annual"
ANNUAL_PRICE_MONTHS = 10  # two months free on the annual plan

TOKEN_RE = re.compile(r"^tok_(\d{4})_[0-9a-f]{24}$")
WALLET_RE = re.compile(r"^wallet_[a-z0-9]{4,40}$")


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


# describe_card moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import describe_card


# charge moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import charge


# get_payment_for_order moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import get_payment_for_order


# list_payments moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import list_payments


# get_payment moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import get_payment


# available_plans moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import available_plans


# get_current_subscription moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import get_current_subscription


# has_active_prime moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import has_active_prime


# subscribe moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import subscribe


# cancel_subscription moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import cancel_subscription


# renew_due_subscriptions moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import renew_due_subscriptions


# serialize_payment moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import serialize_payment


# serialize_subscription moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import serialize_subscription
