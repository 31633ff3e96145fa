from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from streamshop.utils.auth import decode_token, issue_token
from streamshop.utils.errors import Unauthorized
from streamshop.utils.money import apply_basis_points, format_cents, money_dict, sum_cents, to_cents
from streamshop.utils.pagination import MAX_PER_PAGE, Page, parse_pagination
from streamshop.utils.timeutil import add_months, isoformat, parse_iso
from streamshop.utils.validation import (
    ValidationError,
    coerce_int,
    validate_email,
    validate_password,
    validate_username,
)


def test_money_conversions_and_formatting() -> None:
    assert to_cents("12.345") == 1235
    assert to_cents(3) == 300
    assert format_cents(-1999, "EUR") == "-€19.99"
    assert format_cents(123456, "USD") == "$1,234.56"
    assert format_cents(500, "JPY") == "5.00 JPY"
    assert money_dict(899, "USD") == {"amount_cents": 899, "currency": "USD", "display": "$8.99"}
    with pytest.raises(ValueError):
        to_cents("abc")


def test_basis_points_round_half_up_and_sum_rejects_floats() -> None:
    assert apply_basis_points(10000, 800) == 800
    assert apply_basis_points(5, 1000) == 1  # 0.5 rounds up
    assert apply_basis_points(4, 1000) == 0
    assert sum_cents([100, 250]) == 350
    with pytest.raises(TypeError):
        sum_cents([1.5])  # type: ignore[list-item]


def test_time_helpers() -> None:
    jan31 = datetime(2024, 1, 31, 12, tzinfo=UTC)
    assert add_months(jan31, 1).date().isoformat() == "2024-02-29"
    assert add_months(jan31, 13).date().isoformat() == "2025-02-28"
    assert isoformat(jan31) == "2024-01-31T12:00:00Z"
    assert parse_iso("2024-01-31T12:00:00Z") == jan31
    assert isoformat(None) is None


def test_validation_helpers() -> None:
    assert validate_email(" Ada@Example.COM ") == "ada@example.com"
    assert validate_username("Ada_99") == "ada_99"
    with pytest.raises(ValidationError):
        validate_email("not-an-email")
    with pytest.raises(ValidationError):
        validate_password("lettersonly")
    with pytest.raises(ValidationError):
        validate_username("x")
    with pytest.raises(ValidationError):
        coerce_int(True, "quantity")
    assert coerce_int("7", "quantity", minimum=1) == 7


def test_pagination_helpers() -> None:
    assert parse_pagination({}) == (1, 20)
    assert parse_pagination({"page": "3", "per_page": "5000"}) == (3, MAX_PER_PAGE)
    with pytest.raises(ValidationError):
        parse_pagination({"page": "0"})
    page = Page(items=[1, 2], page=1, per_page=2, total=5)
    assert page.pages == 3 and page.has_next
    assert page.to_dict(lambda n: {"n": n})["items"] == [{"n": 1}, {"n": 2}]


def test_tokens_round_trip_and_reject_tampering(app: Flask) -> None:
    with app.app_context():
        token = issue_token(42, is_admin=True)
        claims = decode_token(token)
        assert claims.user_id == 42 and claims.is_admin
        with pytest.raises(Unauthorized):
            decode_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
