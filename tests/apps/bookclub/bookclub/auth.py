"""API-key protection for admin endpoints."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import request

from bookclub import settings
from bookclub.errors import ConfigurationError, Unauthorized

P = ParamSpec("P")
R = TypeVar("R")

API_KEY_HEADER = "X-API-Key"


def check_api_key(presented: str | None) -> None:
    """Raise unless ``presented`` matches the configured admin key."""
    if settings.API_KEY is None:
        raise ConfigurationError("admin endpoints are disabled: BOOKCLUB_API_KEY is not set")
    if presented is None or not hmac.compare_digest(presented.encode(), settings.API_KEY.encode()):
        raise Unauthorized(f"a valid {API_KEY_HEADER} header is required")


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """Decorate a view so that it only runs for callers holding the admin key."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        check_api_key(request.headers.get(API_KEY_HEADER))
        return view(*args, **kwargs)

    return wrapper
