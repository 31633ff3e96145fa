"""Money helpers.  All amounts are integer cents; never floats."""
from __future__ import annotations
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY_SYMBOLS: dict[str, str] = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$"}


def to_cents(amount: str | int | Decimal) -> int:
    """Convert a decimal amount such as ``"12.30"`` into cents (``1230``)."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValueError(f"not a monetary amount: {amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a monetary amount: {amount!r}")
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def format_cents(cents: int, currency: str = "USD") -> str:
    """Human readable amount, e.g. ``format_cents(-1999, "EUR") == "-€19.99"``."""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    sign = "-" if cents < 0 else ""
    amount = f"{from_cents(abs(cents)):,.2f}"
    if symbol is None:
        return f"{sign}{amount} {currency.upper()}"
    return f"{sign}{symbol}{amount}"


def money_dict(cents: int, currency: str) -> dict[str, object]:
    """The JSON shape used for every amount in API responses."""
    return {"amount_cents": cents, "currency": currency, "display": format_cents(cents, currency)}
