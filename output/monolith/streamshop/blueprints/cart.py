"""/api/cart: the signed-in user's shopping cart."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from streamshop.db import get_session
from streamshop.services import checkout
from streamshop.utils.auth import current_user_id, login_required
from streamshop.utils.validation import coerce_int, get_json_body, require_fields

bp = Blueprint("cart", __name__, url_prefix="/api/cart")


@bp.get("")
@login_required
def get_cart() -> ResponseReturnValue:
    session = get_session()
    cart = checkout.get_or_create_cart(session, current_user_id())
    session.commit()
    return jsonify(cart=checkout.serialize_cart(session, cart))


@bp.delete("")
@login_required
def empty_cart() -> ResponseReturnValue:
    session = get_session()
    checkout.clear_cart(session, current_user_id())
    cart = checkout.get_or_create_cart(session, current_user_id())
    return jsonify(cart=checkout.serialize_cart(session, cart))


@bp.post("/items")
@login_required
def add_item() -> ResponseReturnValue:
    data = get_json_body()
    require_fields(data, "product_id")
    session = get_session()
    cart = checkout.add_to_cart(
        session,
        current_user_id(),
        coerce_int(data["product_id"], "product_id", minimum=1),
        coerce_int(data.get("quantity", 1), "quantity", minimum=1),
    )
    return jsonify(cart=checkout.serialize_cart(session, cart)), 201


@bp.patch("/items/<int:product_id>")
@login_required
def update_item(product_id: int) -> ResponseReturnValue:
    data = get_json_body()
    require_fields(data, "quantity")
    session = get_session()
    cart = checkout.update_cart_item(
        session, current_user_id(), product_id, coerce_int(data["quantity"], "quantity", minimum=0)
    )
    return jsonify(cart=checkout.serialize_cart(session, cart))


@bp.delete("/items/<int:product_id>")
@login_required
def remove_item(product_id: int) -> ResponseReturnValue:
    session = get_session()
    cart = checkout.remove_from_cart(session, current_user_id(), product_id)
    return jsonify(cart=checkout.serialize_cart(session, cart))
