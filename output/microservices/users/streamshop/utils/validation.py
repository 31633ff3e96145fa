"""Input validation helpers shared by every blueprint and service."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import request

from .errors import AppError

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
USERNAME_RE = re.compile(r"^[a-z0-9_]{3,30}$")
MIN_PASSWORD_LENGTH = 8


class ValidationError(AppError):
    status_code = 400
    code = "validation_error"


def get_json_body() -> dict[str, Any]:
    """The request body as a JSON object; an empty body counts as ``{}``."""
    if not request.get_data(cache=True):
        return {}
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationError("request body must be a JSON object")
    return payload


def require_fields(data: Mapping[str, Any], *names: str) -> None:
    missing = [name for name in names if data.get(name) in (None, "")]
    if missing:
        raise ValidationError("missing required fields", details={"missing": missing})


def validate_email(value: Any) -> str:
    if not isinstance(value, str) or not EMAIL_RE.match(value.strip()) or len(value) > 254:
        raise ValidationError("invalid email address", details={"field": "email"})
    return value.strip().lower()


def validate_username(value: Any) -> str:
    if not isinstance(value, str) or not USERNAME_RE.match(value.strip().lower()):
        raise ValidationError(
            "username must be 3-30 characters of a-z, 0-9 or underscore",
            details={"field": "username"},
        )
    return value.strip().lower()


def validate_password(value: Any) -> str:
    if not isinstance(value, str) or len(value) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters",
            details={"field": "password"},
        )
    if not any(ch.isdigit() for ch in value) or not any(ch.isalpha() for ch in value):
        raise ValidationError(
            "password must contain letters and digits", details={"field": "password"}
        )
    return value


def coerce_int(
    value: Any, field: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{field} must be an integer", details={"field": field})
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{field} must be an integer", details={"field": field}) from None
    if minimum is not None and number < minimum:
        raise ValidationError(f"{field} must be >= {minimum}", details={"field": field})
    if maximum is not None and number > maximum:
        raise ValidationError(f"{field} must be <= {maximum}", details={"field": field})
    return number


def coerce_bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "1", "yes"}:
        return True
    if isinstance(value, str) and value.lower() in {"false", "0", "no"}:
        return False
    raise ValidationError(f"{field} must be a boolean", details={"field": field})


def optional_str(data: Mapping[str, Any], field: str, *, max_length: int) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string", details={"field": field})
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(
            f"{field} must be at most {max_length} characters", details={"field": field}
        )
    return value
