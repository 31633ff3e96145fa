"""A journey of the RealWorld ("Conduit") API's main use (gothinkster/flask-realworld-example-app), for verify.

Two people register and sign in (a JWT each, sent as ``Authorization: Token
<jwt>``), read and update their user, look at and follow each other's
profiles; Bob writes, edits and deletes articles, Alice reads her feed,
favourites an article and comments on it; both list articles by tag, author
and favourite, and the tags.

The feed (``GET /api/articles/feed``) answers 500 on the application itself
with SQLAlchemy 1.3 (``Article.query.join(profile.follows)`` joins a dynamic
relationship's query: ``AttributeError: 'AppenderQuery' object has no
attribute 'is_selectable'``); its steps stay, since a split must answer as the
original does, errors included.

Nothing here is random or read from the clock, so every run sends the same
requests; what the app answers differently each time (JWTs, createdAt and
updatedAt) verify normalises. The journey never asserts: a token or id it
cannot read is sent empty, so an architecture that breaks early still runs
every step and each is compared with the monolith's.
"""

from __future__ import annotations

from typing import Any

ALICE = {"username": "alice", "email": "alice@example.com", "password": "correct-horse-battery"}
BOB = {"username": "bob", "email": "bob@example.com", "password": "staple-lamp-orbit"}

RIVER = {
    "title": "Rowing on the river at dawn",
    "description": "What the fog hides and the oars reveal",
    "body": "The teams practise their starts while the fog slowly lifts over the water.",
    "tagList": ["rowing", "mornings"],
}
BRIDGES = {
    "title": "Old bridges of the valley",
    "description": "Seven crossings, three centuries",
    "body": "Each bridge tells how the valley was travelled before the railway came.",
    "tagList": ["history", "mornings"],
}


def field(answer, *path: str) -> Any:
    """The value at ``path`` in ``answer``'s JSON ("" when it is not JSON or has no such value)."""
    try:
        value = answer.json()
    except ValueError:
        return ""
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return ""
        value = value[key]
    return value


def token_of(answer) -> dict[str, str]:
    return {"Authorization": f"Token {field(answer, 'user', 'token')}"}


def journey(client) -> None:
    # registration: two people, and one who tries twice
    client.post("/api/users", json={"user": ALICE})
    client.post("/api/users", json={"user": BOB})
    client.post("/api/users", json={"user": ALICE})  # 422: already registered

    # signing in: a wrong password, then each with their own
    client.post("/api/users/login", json={"user": {"email": ALICE["email"], "password": "wrong-one"}})
    alice = token_of(
        client.post("/api/users/login", json={"user": {k: ALICE[k] for k in ("email", "password")}})
    )
    bob = token_of(client.post("/api/users/login", json={"user": {k: BOB[k] for k in ("email", "password")}}))
    client.get("/api/user")  # 401: no token
    client.get("/api/user", headers=alice)
    client.put(
        "/api/user",
        json={"user": {"bio": "I read history books on trains.", "image": "https://example.com/alice.png"}},
        headers=alice,
    )
    client.get("/api/user", headers=alice)

    # profiles and following
    client.get("/api/profiles/bob")
    client.get("/api/profiles/bob", headers=alice)
    client.post("/api/profiles/bob/follow", headers=alice)
    client.get("/api/profiles/bob", headers=alice)
    client.get("/api/profiles/nobody", headers=alice)  # 404

    # Bob writes two articles and edits one
    river = field(client.post("/api/articles", json={"article": RIVER}, headers=bob), "article", "slug")
    bridges = field(client.post("/api/articles", json={"article": BRIDGES}, headers=bob), "article", "slug")
    client.put(
        f"/api/articles/{river}",
        json={
            "article": {"body": "The teams practise their starts until the fog has lifted from the water."}
        },
        headers=bob,
    )
    client.get(f"/api/articles/{river}")

    # lists: all, by tag, by author, and Alice's feed of the people she follows
    client.get("/api/articles")
    client.get("/api/articles", params={"tag": "mornings"})
    client.get("/api/articles", params={"author": "bob"})
    client.get("/api/articles", params={"limit": 1, "offset": 1})
    client.get("/api/articles/feed", headers=alice)

    # Alice favourites the river article and comments on it twice
    client.post(f"/api/articles/{river}/favorite", headers=alice)
    client.get("/api/articles", params={"favorited": "alice"}, headers=alice)
    client.get(f"/api/articles/{river}", headers=alice)
    first = field(
        client.post(
            f"/api/articles/{river}/comments",
            json={"comment": {"body": "I rowed there as a student; the fog was always the best part."}},
            headers=alice,
        ),
        "comment",
        "id",
    )
    client.post(
        f"/api/articles/{river}/comments",
        json={"comment": {"body": "Do the teams still start from the old boathouse?"}},
        headers=alice,
    )
    client.get(f"/api/articles/{river}/comments")
    client.delete(f"/api/articles/{river}/comments/{first}", headers=alice)
    client.get(f"/api/articles/{river}/comments")
    client.delete(f"/api/articles/{river}/favorite", headers=alice)
    client.delete("/api/profiles/bob/follow", headers=alice)
    client.get("/api/articles/feed", headers=alice)

    # tags, and Bob deletes his other article
    client.get("/api/tags")
    client.delete(f"/api/articles/{bridges}", headers=bob)
    client.get(f"/api/articles/{bridges}")  # 404
    client.get("/api/articles")
    client.get("/api/tags")
