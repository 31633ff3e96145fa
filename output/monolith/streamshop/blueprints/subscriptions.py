"""/api/subscriptions: prime membership."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from streamshop.db import get_session
from streamshop.services import billing
from streamshop.utils.auth import admin_required, current_user_id, login_required
from streamshop.utils.validation import get_json_body, require_fields

bp = Blueprint("subscriptions", __name__, url_prefix="/api/subscriptions")


@bp.get("/plans")
def list_plans() -> ResponseReturnValue:
    return jsonify(plans=billing.available_plans())


@bp.post("")
@login_required
def create_subscription() -> ResponseReturnValue:
    data = get_json_body()
    require_fields(data, "payment")
    subscription, payment = billing.subscribe(
        get_session(),
        current_user_id(),
        data.get("plan", billing.PLAN_PRIME_MONTHLY),
        billing.PaymentSource.from_request(data["payment"]),
    )
    body = billing.serialize_subscription(subscription)
    body["payment"] = billing.serialize_payment(payment)
    return jsonify(body), 201


@bp.get("/me")
@login_required
def my_subscription() -> ResponseReturnValue:
    subscription = billing.get_current_subscription(get_session(), current_user_id())
    return jsonify(billing.serialize_subscription(subscription))


@bp.post("/me/cancel")
@login_required
def cancel_my_subscription() -> ResponseReturnValue:
    subscription = billing.cancel_subscription(get_session(), current_user_id())
    return jsonify(billing.serialize_subscription(subscription))


@bp.post("/renewals/run")
@admin_required
def run_renewals() -> ResponseReturnValue:
    return jsonify(billing.renew_due_subscriptions(get_session()))
