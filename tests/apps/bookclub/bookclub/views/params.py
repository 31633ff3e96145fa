"""Reading and validating request input."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request

from bookclub.errors import ValidationError


def json_body() -> dict[str, Any]:
    """The request's JSON object, or :class:`ValidationError`."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("request body must be a JSON object")
    return body


def required_str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{key!r} is required and must be a non-empty string")
    return value


def optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{key!r} must be a string")
    return value


def required_int(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{key!r} is required and must be an integer")
    return value


def optional_int(body: dict[str, Any], key: str) -> int | None:
    if body.get(key) is None:
        return None
    return required_int(body, key)


def required_date(body: dict[str, Any], key: str) -> date:
    value = required_str(body, key)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{key!r} must be a date like 2024-01-31, got {value!r}") from None


def flag(name: str) -> bool:
    """A boolean query-string parameter (``?available=true``)."""
    return request.args.get(name, "").lower() in {"1", "true", "yes"}
