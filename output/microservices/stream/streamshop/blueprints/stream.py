"""/api/stream: playback sessions and watch history."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from streamshop.db import get_session
from streamshop.services import streaming
from streamshop.services.catalog import get_titles_by_ids, serialize_title
from streamshop.utils.auth import current_user_id, login_required
from streamshop.utils.pagination import parse_pagination
from streamshop.utils.validation import coerce_int, get_json_body, require_fields

bp = Blueprint("stream", __name__, url_prefix="/api/stream")


@bp.post("/sessions")
@login_required
def start_session() -> ResponseReturnValue:
    data = get_json_body()
    require_fields(data, "title_id")
    playback, title, url = streaming.start_playback(
        get_session(),
        current_user_id(),
        coerce_int(data["title_id"], "title_id", minimum=1),
        device=str(data.get("device", "web")),
    )
    body = streaming.serialize_playback(playback, url)
    body["title"] = serialize_title(title)
    return jsonify(body), 201


@bp.post("/sessions/<session_id>/heartbeat")
@login_required
def session_heartbeat(session_id: str) -> ResponseReturnValue:
    data = get_json_body()
    require_fields(data, "position_seconds")
    playback = streaming.heartbeat(
        get_session(),
        current_user_id(),
        session_id,
        coerce_int(data["position_seconds"], "position_seconds"),
    )
    return jsonify(streaming.serialize_playback(playback))


@bp.post("/sessions/<session_id>/stop")
@login_required
def stop_session(session_id: str) -> ResponseReturnValue:
    data = get_json_body()
    require_fields(data, "position_seconds")
    session = get_session()
    entry = streaming.stop_playback(
        session,
        current_user_id(),
        session_id,
        coerce_int(data["position_seconds"], "position_seconds"),
    )
    titles = get_titles_by_ids(session, [entry.title_id])
    return jsonify(
        status="ended",
        history=streaming.serialize_history_entry(entry, titles.get(entry.title_id)),
    )


@bp.get("/history")
@login_required
def history() -> ResponseReturnValue:
    page, per_page = parse_pagination(request.args)
    session = get_session()
    result = streaming.watch_history(session, current_user_id(), page=page, per_page=per_page)
    titles = get_titles_by_ids(session, (entry.title_id for entry in result.items))
    return jsonify(
        result.to_dict(
            lambda entry: streaming.serialize_history_entry(entry, titles.get(entry.title_id))
        )
    )


@bp.get("/continue-watching")
@login_required
def continue_watching() -> ResponseReturnValue:
    limit = coerce_int(request.args.get("limit", 10), "limit", minimum=1, maximum=50)
    return jsonify(items=streaming.continue_watching(get_session(), current_user_id(), limit=limit))
