"""/api/payments: the signed-in user's payment history."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from streamshop.db import get_session
from streamshop.services import billing
from streamshop.utils.auth import current_user_id, login_required
from streamshop.utils.pagination import parse_pagination
from streamshop.utils.validation import get_json_body

bp = Blueprint("payments", __name__, url_prefix="/api/payments")


@bp.get("")
@login_required
def list_payments() -> ResponseReturnValue:
    page, per_page = parse_pagination(request.args)
    result = billing.list_payments(get_session(), current_user_id(), page=page, per_page=per_page)
    return jsonify(result.to_dict(billing.serialize_payment))


@bp.get("/<int:payment_id>")
@login_required
def get_payment(payment_id: int) -> ResponseReturnValue:
    payment = billing.get_payment(get_session(), current_user_id(), payment_id)
    return jsonify(payment=billing.serialize_payment(payment))


@bp.post("/cards/validate")
@login_required
def validate_card() -> ResponseReturnValue:
    return jsonify(billing.describe_card(get_json_body()))
