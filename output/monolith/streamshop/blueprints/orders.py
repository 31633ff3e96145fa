"""/api/orders: checkout and order history."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from streamshop.db import get_session
from streamshop.services import billing, checkout, orders
from streamshop.utils.auth import current_user_id, login_required
from streamshop.utils.pagination import parse_pagination
from streamshop.utils.timeutil import parse_iso
from streamshop.utils.validation import ValidationError, get_json_body, require_fields

bp = Blueprint("orders", __name__, url_prefix="/api/orders")


@bp.post("")
@login_required
def place_order() -> ResponseReturnValue:
    data = get_json_body()
    require_fields(data, "payment")
    session = get_session()
    order = checkout.checkout(
        session,
        current_user_id(),
        payment_source=billing.PaymentSource.from_request(data["payment"]),
        shipping_address=data.get("shipping_address"),
    )
    payment = billing.get_payment_for_order(session, order.id)
    return jsonify(order=orders.serialize_order(order, payment)), 201


@bp.get("")
@login_required
def list_orders() -> ResponseReturnValue:
    page, per_page = parse_pagination(request.args)
    since = request.args.get("since")
    try:
        placed_since = parse_iso(since) if since else None
    except ValueError:
        raise ValidationError("since must be an ISO-8601 timestamp") from None
    result = orders.list_orders(
        get_session(),
        current_user_id(),
        page=page,
        per_page=per_page,
        status=request.args.get("status"),
        since=placed_since,
    )
    return jsonify(result.to_dict(orders.serialize_order))


@bp.get("/<int:order_id>")
@login_required
def get_order(order_id: int) -> ResponseReturnValue:
    session = get_session()
    order = orders.get_order(session, current_user_id(), order_id)
    payment = billing.get_payment_for_order(session, order.id)
    return jsonify(order=orders.serialize_order(order, payment))


@bp.post("/<int:order_id>/cancel")
@login_required
def cancel_order(order_id: int) -> ResponseReturnValue:
    session = get_session()
    order = orders.cancel_order(session, current_user_id(), order_id)
    payment = billing.get_payment_for_order(session, order.id)
    return jsonify(order=orders.serialize_order(order, payment))
