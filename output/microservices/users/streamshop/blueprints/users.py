"""/api/users: the signed-in user's profile, addresses and account summary."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from streamshop.db import get_session
from streamshop.services import account, billing, notifications, orders
from streamshop.utils.auth import current_user_id, login_required
from streamshop.utils.validation import get_json_body

bp = Blueprint("users", __name__, url_prefix="/api/users")


@bp.get("/me")
@login_required
def get_me() -> ResponseReturnValue:
    user = account.get_user(get_session(), current_user_id())
    return jsonify(user=account.serialize_user(user))


@bp.patch("/me")
@login_required
def update_me() -> ResponseReturnValue:
    user = account.update_profile(get_session(), current_user_id(), get_json_body())
    return jsonify(user=account.serialize_user(user))


@bp.post("/me/password")
@login_required
def change_my_password() -> ResponseReturnValue:
    data = get_json_body()
    account.change_password(
        get_session(), current_user_id(), data.get("current_password"), data.get("new_password")
    )
    return jsonify(status="password_changed")


@bp.get("/me/addresses")
@login_required
def list_my_addresses() -> ResponseReturnValue:
    addresses = account.list_addresses(get_session(), current_user_id())
    return jsonify(items=[account.serialize_address(address) for address in addresses])


@bp.post("/me/addresses")
@login_required
def add_my_address() -> ResponseReturnValue:
    address = account.add_address(get_session(), current_user_id(), get_json_body())
    return jsonify(address=account.serialize_address(address)), 201


@bp.get("/me/summary")
@login_required
def my_summary() -> ResponseReturnValue:
    """Account dashboard: profile plus counters from orders, billing and notifications."""
    session = get_session()
    user_id = current_user_id()
    user = account.get_user(session, user_id)
    return jsonify(
        user=account.serialize_user(user),
        prime=billing.has_active_prime(session, user_id),
        order_count=orders.count_orders(session, user_id),
        unread_notifications=notifications.unread_count(session, user_id),
    )


@bp.get("/<int:user_id>")
@login_required
def get_public_profile(user_id: int) -> ResponseReturnValue:
    user = account.get_user(get_session(), user_id)
    return jsonify(user=account.serialize_user(user, private=False))
