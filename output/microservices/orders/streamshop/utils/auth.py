"""Bearer-token authentication.

Tokens are signed with ``SECRET_KEY`` (itsdangerous) and carry the user id and
the admin flag, so verifying one needs no database round-trip.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from flask import g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from streamshop.config import get_settings

from .errors import Forbidden, Unauthorized

P = ParamSpec("P")
R = TypeVar("R")

TOKEN_SALT = "streamshop.auth.v1"


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    is_admin: bool


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=TOKEN_SALT)


def issue_token(user_id: int, *, is_admin: bool = False) -> str:
    return _serializer().dumps({"uid": user_id, "adm": bool(is_admin)})


def decode_token(token: str) -> TokenClaims:
    try:
        payload = _serializer().loads(token, max_age=get_settings().token_max_age_seconds)
    except SignatureExpired:
        raise Unauthorized("token expired") from None
    except BadSignature:
        raise Unauthorized("invalid token") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("uid"), int):
        raise Unauthorized("invalid token")
    return TokenClaims(user_id=payload["uid"], is_admin=bool(payload.get("adm")))


def bearer_token_from_request() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def login_required(view: Callable[P, R]) -> Callable[P, R]:
    """Reject the request with 401 unless it carries a valid bearer token."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = bearer_token_from_request()
        if token is None:
            raise Unauthorized("authentication required")
        g.claims = decode_token(token)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """Like :func:`login_required`, and the token must carry the admin flag."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not current_claims().is_admin:
            raise Forbidden("administrator access required")
        return view(*args, **kwargs)

    return login_required(wrapper)


def current_claims() -> TokenClaims:
    claims: TokenClaims | None = g.get("claims")
    if claims is None:
        raise Unauthorized("authentication required")
    return claims


def current_user_id() -> int:
    return current_claims().user_id
