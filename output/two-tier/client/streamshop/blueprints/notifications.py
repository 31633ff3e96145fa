"""/api/notifications: the signed-in user's inbox and delivery preferences."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from streamshop.db import get_session
from streamshop.services import notifications
from streamshop.utils.auth import current_user_id, login_required
from streamshop.utils.pagination import parse_pagination
from streamshop.utils.validation import coerce_bool, get_json_body

bp = Blueprint("notifications", __name__, url_prefix="/api/notifications")


@bp.get("")
@login_required
def list_notifications() -> ResponseReturnValue:
    page, per_page = parse_pagination(request.args)
    session = get_session()
    user_id = current_user_id()
    result = notifications.list_notifications(
        session,
        user_id,
        page=page,
        per_page=per_page,
        unread_only=coerce_bool(request.args.get("unread", "false"), "unread"),
    )
    body = result.to_dict(notifications.serialize_notification)
    body["unread_count"] = notifications.unread_count(session, user_id)
    return jsonify(body)


@bp.get("/unread-count")
@login_required
def unread_count() -> ResponseReturnValue:
    return jsonify(unread_count=notifications.unread_count(get_session(), current_user_id()))


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> ResponseReturnValue:
    notification = notifications.mark_read(get_session(), current_user_id(), notification_id)
    return jsonify(notification=notifications.serialize_notification(notification))


@bp.post("/read-all")
@login_required
def mark_all_read() -> ResponseReturnValue:
    return jsonify(marked=notifications.mark_all_read(get_session(), current_user_id()))


@bp.get("/preferences")
@login_required
def get_preferences() -> ResponseReturnValue:
    session = get_session()
    prefs = notifications.get_preferences(session, current_user_id())
    session.commit()
    return jsonify(preferences=notifications.serialize_preferences(prefs))


@bp.put("/preferences")
@login_required
def update_preferences() -> ResponseReturnValue:
    prefs = notifications.update_preferences(get_session(), current_user_id(), get_json_body())
    return jsonify(preferences=notifications.serialize_preferences(prefs))
