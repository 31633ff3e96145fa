"""/api/auth: registration and login."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from streamshop.db import get_session
from streamshop.services import account
from streamshop.utils.auth import current_claims, issue_token, login_required
from streamshop.utils.validation import get_json_body, require_fields

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


@bp.post("/register")
def register() -> ResponseReturnValue:
    data = get_json_body()
    require_fields(data, "username", "email", "password")
    session = get_session()
    user = account.register_user(
        session,
        username=data["username"],
        email=data["email"],
        password=data["password"],
        display_name=data.get("display_name"),
    )
    return jsonify(user=account.serialize_user(user)), 201


@bp.post("/login")
def login() -> ResponseReturnValue:
    data = get_json_body()
    login_name = data.get("login") or data.get("email") or data.get("username")
    require_fields({"login": login_name, "password": data.get("password")}, "login", "password")
    user, token = account.login(get_session(), login_name, data["password"])
    return jsonify(token=token, token_type="Bearer", user=account.serialize_user(user))


@bp.post("/refresh")
@login_required
def refresh_token() -> ResponseReturnValue:
    claims = current_claims()
    user = account.get_user(get_session(), claims.user_id)
    return jsonify(token=issue_token(user.id, is_admin=user.is_admin), token_type="Bearer")
