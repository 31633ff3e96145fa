from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamshop.models.media import PlaybackSession
from streamshop.models.notification import Notification, NotificationPreference

Headers = dict[str, str]


def test_register_login_and_profile(client: FlaskClient) -> None:
    response = client.post(
        "/api/auth/register",
        json={
            "username": "Bob_1",
            "email": "Bob@Example.com",
            "password": "hunter22",
            "display_name": "Bobby",
        },
    )
    assert response.status_code == 201
    user = response.json["user"]
    assert user["username"] == "bob_1" and user["email"] == "bob@example.com"
    assert "password_hash" not in user

    login = client.post(
        "/api/auth/login", json={"email": "BOB@example.com", "password": "hunter22"}
    )
    assert login.status_code == 200 and login.json["token_type"] == "Bearer"
    headers = {"Authorization": f"Bearer {login.json['token']}"}
    me = client.get("/api/users/me", headers=headers).json["user"]
    assert me["display_name"] == "Bobby" and me["last_login_at"] is not None

    refreshed = client.post("/api/auth/refresh", headers=headers)
    assert refreshed.status_code == 200 and refreshed.json["token"]


def test_registration_validation_and_duplicates(
    client: FlaskClient, user: tuple[int, Headers]
) -> None:
    bad_email = client.post(
        "/api/auth/register", json={"username": "carol", "email": "nope", "password": "hunter22"}
    )
    assert bad_email.status_code == 400 and bad_email.json["error"]["code"] == "validation_error"
    missing = client.post("/api/auth/register", json={"username": "carol"})
    assert missing.status_code == 400
    assert set(missing.json["error"]["details"]["missing"]) == {"email", "password"}
    duplicate = client.post(
        "/api/auth/register",
        json={"username": "other", "email": "ALICE@example.com", "password": "hunter22"},
    )
    assert duplicate.status_code == 409 and duplicate.json["error"]["details"]["field"] == "email"


def test_wrong_password_and_bad_tokens_are_401(
    client: FlaskClient, user: tuple[int, Headers]
) -> None:
    wrong = client.post("/api/auth/login", json={"login": "alice", "password": "wrong-pass-1"})
    assert wrong.status_code == 401 and wrong.json["error"]["code"] == "invalid_credentials"
    assert client.get("/api/users/me").status_code == 401
    tampered = {"Authorization": user[1]["Authorization"] + "x"}
    assert client.get("/api/users/me", headers=tampered).status_code == 401
    assert client.get("/api/users/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_registration_creates_preferences_and_welcome(
    db: Session, user: tuple[int, Headers]
) -> None:
    user_id, _ = user
    assert db.get(NotificationPreference, user_id) is not None
    kinds = db.scalars(select(Notification.kind).where(Notification.user_id == user_id)).all()
    assert kinds == ["welcome"]


def test_update_profile(client: FlaskClient, user: tuple[int, Headers]) -> None:
    _, headers = user
    response = client.patch(
        "/api/users/me",
        json={"display_name": "Alice L.", "country": "gb", "favourite_genres": ["Sci-Fi", "drama"]},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json["user"]["country"] == "GB"
    assert response.json["user"]["favourite_genres"] == ["drama", "sci-fi"]
    assert (
        client.patch("/api/users/me", json={"is_admin": True}, headers=headers).status_code == 400
    )
    assert (
        client.patch("/api/users/me", json={"country": "GBR"}, headers=headers).status_code == 400
    )
    public = client.get(f"/api/users/{user[0]}", headers=headers).json["user"]
    assert "email" not in public and public["display_name"] == "Alice L."


def test_change_password_ends_open_streams(
    client: FlaskClient, db: Session, user: tuple[int, Headers], titles: dict
) -> None:
    _, headers = user
    started = client.post(
        "/api/stream/sessions", json={"title_id": titles["the-last-harvest"]["id"]}, headers=headers
    )
    assert started.status_code == 201
    wrong = client.post(
        "/api/users/me/password",
        json={"current_password": "nope-nope-1", "new_password": "brand-new-9"},
        headers=headers,
    )
    assert wrong.status_code == 401
    ok = client.post(
        "/api/users/me/password",
        json={"current_password": "correct-horse-42", "new_password": "brand-new-9"},
        headers=headers,
    )
    assert ok.status_code == 200
    assert (
        client.post(
            "/api/auth/login", json={"login": "alice", "password": "brand-new-9"}
        ).status_code
        == 200
    )
    playback = db.get(PlaybackSession, started.json["session_id"])
    assert playback is not None and playback.status == "ended"


def test_addresses_first_is_default(
    client: FlaskClient, user: tuple[int, Headers], address: dict
) -> None:
    _, headers = user
    first = client.post("/api/users/me/addresses", json=address, headers=headers)
    assert first.status_code == 201 and first.json["address"]["is_default"] is True
    second = client.post(
        "/api/users/me/addresses",
        json={**address, "label": "work", "is_default": True},
        headers=headers,
    )
    assert second.json["address"]["is_default"] is True
    listed = client.get("/api/users/me/addresses", headers=headers).json["items"]
    assert [a["is_default"] for a in listed] == [False, True]
    missing = client.post("/api/users/me/addresses", json={"city": "Paris"}, headers=headers)
    assert missing.status_code == 400


def test_admin_emails_grant_admin(
    client: FlaskClient, register: Callable[..., tuple[int, Headers]]
) -> None:
    _, headers = register("boss", "boss@streamshop.test")
    assert client.get("/api/users/me", headers=headers).json["user"]["is_admin"] is True


def test_account_summary_aggregates_other_areas(
    client: FlaskClient, prime_user: tuple[int, Headers]
) -> None:
    summary = client.get("/api/users/me/summary", headers=prime_user[1]).json
    assert summary["prime"] is True
    assert summary["order_count"] == 0
    assert summary["unread_notifications"] == 2  # welcome + subscription welcome
