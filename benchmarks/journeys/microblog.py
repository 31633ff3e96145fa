"""A journey of microblog's main use (miguelgrinberg/microblog at a975ef6), for ``monosplit verify --journey``.

Two people register, sign in and out, edit a profile, post, follow and
unfollow each other, look at the explore page, user pages and the popup,
send and read a private message, search, and use the token API.

Every form carries Flask-WTF's CSRF token, read from the page each form is
on (the GET before each POST is a step of its own, as a browser makes it).
Post and message bodies are long English sentences: the app tags each post
with ``langdetect``'s guess, which is random on short text and would make
the pages differ from run to run for a reason no architecture has.

Nothing here is random or read from the clock, so every run sends the same
requests. What the app answers differently each time (CSRF tokens, API
tokens, the notifications' float timestamps) is verify's to tell apart. The
journey never asserts: a missing form or token sends an empty value, so an
architecture that breaks early still runs every step and each is compared.
"""

from __future__ import annotations

import base64
import re

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')

ALICE = {"username": "alice", "email": "alice@example.com", "password": "correct-horse-battery"}
BOB = {"username": "bob", "email": "bob@example.com", "password": "staple-lamp-orbit"}

BOB_POST = (
    "This morning I walked along the river and watched the rowing teams practise "
    "their starts while the fog slowly lifted."
)
ALICE_POST = (
    "I have finally finished reading the history of the railway, and I think it is "
    "the best book I have read this year."
)
ALICE_MESSAGE = (
    "Hello Bob, I enjoyed your story about the river, and I would like to join you "
    "for a walk there next weekend."
)
BOB_ABOUT = "I write about long walks, old bridges and the people I meet along the way."


def csrf(page) -> str:
    """The CSRF token of the first form on ``page`` ("" when it has none)."""
    found = _CSRF.search(page.text)
    return found.group(1) if found else ""


def submit(client, form_path: str, values: dict[str, str], *, action: str | None = None):
    """GET the page the form is on, then POST it with its CSRF token: two steps."""
    page = client.get(form_path)
    return client.post(action or form_path, data={"csrf_token": csrf(page), **values})


def log_in(client, person: dict[str, str], password: str | None = None):
    return submit(
        client,
        "/auth/login",
        {"username": person["username"], "password": password or person["password"], "submit": "Sign In"},
    )


def register(client, person: dict[str, str]):
    return submit(
        client,
        "/auth/register",
        {
            "username": person["username"],
            "email": person["email"],
            "password": person["password"],
            "password2": person["password"],
            "submit": "Register",
        },
    )


def json_field(answer, name: str) -> str:
    """``answer``'s JSON ``name`` ("" when the answer is not JSON or has no such field)."""
    try:
        value = answer.json()
    except ValueError:
        return ""
    return str(value.get(name, "")) if isinstance(value, dict) else ""


def basic(person: dict[str, str]) -> dict[str, str]:
    pair = f"{person['username']}:{person['password']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def journey(client) -> None:
    # before anyone signs in: the index sends to the login page
    client.get("/index")
    register(client, ALICE)
    register(client, BOB)

    # Bob: a wrong password first, then signed in; he posts and fills in his profile
    log_in(client, BOB, password="not-his-password")
    client.get("/auth/login")  # the flashed "Invalid username or password"
    log_in(client, BOB)
    client.get("/index")
    submit(client, "/index", {"post": BOB_POST, "submit": "Submit"})
    client.get("/index")
    submit(client, "/edit_profile", {"username": "bob", "about_me": BOB_ABOUT, "submit": "Submit"})
    client.get("/edit_profile")
    client.get("/user/bob")
    client.get("/auth/logout")

    # Alice: signs in, posts, finds Bob on the explore page, follows him, writes to him
    log_in(client, ALICE)
    submit(client, "/index", {"post": ALICE_POST, "submit": "Submit"})
    client.get("/explore")
    bob_page = client.get("/user/bob")
    client.post("/follow/bob", data={"csrf_token": csrf(bob_page), "submit": "Follow"})
    client.get("/user/bob")
    client.get("/index")  # her feed now has Bob's post too
    client.get("/user/bob/popup")
    submit(client, "/send_message/bob", {"message": ALICE_MESSAGE, "submit": "Submit"})
    client.get("/user/bob")
    client.get("/search", params={"q": "river"})
    bob_page = client.get("/user/bob")
    client.post("/unfollow/bob", data={"csrf_token": csrf(bob_page), "submit": "Unfollow"})
    client.get("/user/alice")
    client.get("/notifications")
    client.get("/auth/logout")

    # Bob again: reads Alice's message; his notifications say how many are unread
    log_in(client, BOB)
    client.get("/index")
    client.get("/notifications")
    client.get("/messages")
    client.get("/user/alice")

    # the token API, with Bob's password, then his token
    token = json_field(client.post("/api/tokens", headers=basic(BOB)), "token")
    bearer = {"Authorization": f"Bearer {token}"}
    client.get("/api/users", headers=bearer)
    client.get("/api/users/1", headers=bearer)
    client.get("/api/users/2/followers", headers=bearer)
    client.delete("/api/tokens", headers=bearer)
    client.get("/api/users", headers=bearer)  # the token is revoked: 401
    client.get("/auth/logout")
    client.get("/index")
