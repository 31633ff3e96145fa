from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from streamshop.models.media import PlaybackSession
from streamshop.services import streaming

Headers = dict[str, str]


def _start(client: FlaskClient, headers: Headers, title_id: int) -> dict:
    response = client.post(
        "/api/stream/sessions", json={"title_id": title_id, "device": "tv"}, headers=headers
    )
    assert response.status_code == 201, response.json
    return response.json


def test_free_title_full_playback_flow(
    client: FlaskClient, user: tuple[int, Headers], titles: dict
) -> None:
    _, headers = user
    title = titles["signal-lost"]
    session = _start(client, headers, title["id"])
    assert session["stream_url"].startswith("https://cdn.streamshop.invalid/hls/signal-lost/")
    assert "sig=" in session["stream_url"] and session["position_seconds"] == 0
    beat = client.post(
        f"/api/stream/sessions/{session['session_id']}/heartbeat",
        json={"position_seconds": 600},
        headers=headers,
    )
    assert beat.status_code == 200 and beat.json["position_seconds"] == 600
    stopped = client.post(
        f"/api/stream/sessions/{session['session_id']}/stop",
        json={"position_seconds": 900},
        headers=headers,
    )
    assert stopped.json["history"]["seconds_watched"] == 900
    assert stopped.json["history"]["completed"] is False
    late = client.post(
        f"/api/stream/sessions/{session['session_id']}/heartbeat",
        json={"position_seconds": 901},
        headers=headers,
    )
    assert late.status_code == 409

    history = client.get("/api/stream/history", headers=headers).json
    assert history["total"] == 1 and history["items"][0]["title"]["slug"] == "signal-lost"
    resumed = client.get("/api/stream/continue-watching", headers=headers).json["items"]
    assert [item["title_id"] for item in resumed] == [title["id"]]
    assert 0 < resumed[0]["progress"] < 1

    second = _start(client, headers, title["id"])
    assert second["position_seconds"] == 900  # resumes where the viewer left off


def test_prime_title_requires_subscription(
    client: FlaskClient, user: tuple[int, Headers], titles: dict, good_card: dict
) -> None:
    _, headers = user
    denied = client.post(
        "/api/stream/sessions", json={"title_id": titles["orbital-drift"]["id"]}, headers=headers
    )
    assert denied.status_code == 403
    assert denied.json["error"]["code"] == "subscription_required"
    client.post("/api/subscriptions", json={"payment": good_card}, headers=headers)
    _start(client, headers, titles["orbital-drift"]["id"])


def test_watching_to_the_end_marks_completed(
    client: FlaskClient, prime_user: tuple[int, Headers], titles: dict
) -> None:
    _, headers = prime_user
    title = titles["galaxy-garage-s1e1"]
    session = _start(client, headers, title["id"])
    stopped = client.post(
        f"/api/stream/sessions/{session['session_id']}/stop",
        json={"position_seconds": title["duration_seconds"] + 500},
        headers=headers,
    )
    history = stopped.json["history"]
    assert history["completed"] is True
    assert history["last_position_seconds"] == title["duration_seconds"]
    assert client.get("/api/stream/continue-watching", headers=headers).json["items"] == []


def test_concurrent_stream_limit(
    client: FlaskClient, user: tuple[int, Headers], titles: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, headers = user
    monkeypatch.setenv("MAX_CONCURRENT_STREAMS", "1")
    _start(client, headers, titles["laugh-track"]["id"])
    blocked = client.post(
        "/api/stream/sessions", json={"title_id": titles["paper-lanterns"]["id"]}, headers=headers
    )
    assert blocked.status_code == 409 and blocked.json["error"]["details"] == {"limit": 1}


def test_sessions_are_private(
    client: FlaskClient, register: Callable[..., tuple[int, Headers]], titles: dict
) -> None:
    _, owner = register("owner")
    _, intruder = register("intruder")
    session = _start(client, owner, titles["laugh-track"]["id"])
    response = client.post(
        f"/api/stream/sessions/{session['session_id']}/stop",
        json={"position_seconds": 10},
        headers=intruder,
    )
    assert response.status_code == 404
    negative = client.post(
        f"/api/stream/sessions/{session['session_id']}/heartbeat",
        json={"position_seconds": -5},
        headers=owner,
    )
    assert negative.status_code == 400


def test_stale_sessions_expire_into_history(
    client: FlaskClient, db: Session, user: tuple[int, Headers], titles: dict
) -> None:
    user_id, headers = user
    session = _start(client, headers, titles["mountain-echoes"]["id"])
    client.post(
        f"/api/stream/sessions/{session['session_id']}/heartbeat",
        json={"position_seconds": 1200},
        headers=headers,
    )
    playback = db.get(PlaybackSession, session["session_id"])
    assert playback is not None
    playback.last_heartbeat_at -= timedelta(seconds=streaming.SESSION_TIMEOUT_SECONDS + 60)
    db.commit()
    assert streaming.expire_stale_sessions(db, user_id) == 1
    db.commit()
    assert playback.status == "expired"
    assert streaming.watched_title_ids(db, user_id) == {titles["mountain-echoes"]["id"]}
