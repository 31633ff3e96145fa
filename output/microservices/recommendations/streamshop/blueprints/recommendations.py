"""/api/recommendations: personalised titles and products."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from streamshop.config import get_settings
from streamshop.db import get_session
from streamshop.services import recommendations
from streamshop.utils.auth import current_user_id, login_required
from streamshop.utils.validation import coerce_int

bp = Blueprint("recommendations", __name__, url_prefix="/api/recommendations")


def _requested_limit() -> int:
    default = get_settings().recommendation_limit
    return coerce_int(request.args.get("limit", default), "limit", minimum=1, maximum=50)


@bp.get("")
@login_required
def get_recommendations() -> ResponseReturnValue:
    return jsonify(
        recommendations.get_recommendations(
            get_session(), current_user_id(), limit=_requested_limit()
        )
    )


@bp.get("/titles")
@login_required
def recommended_titles() -> ResponseReturnValue:
    items = recommendations.recommend_titles(
        get_session(), current_user_id(), limit=_requested_limit()
    )
    return jsonify(items=items)


@bp.get("/products")
@login_required
def recommended_products() -> ResponseReturnValue:
    items = recommendations.recommend_products(
        get_session(), current_user_id(), limit=_requested_limit()
    )
    return jsonify(items=items)
