"""A journey of FlaskBB's main use (flaskbb==2.0.2 from PyPI), for ``monosplit verify --journey``.

It needs an installed forum: the default groups and settings, an ``admin``
account (password ``admin-secret-1``) and the welcome forum, as
``flaskbb install --force --username admin --email admin@example.com
--password admin-secret-1`` makes them (with the virtualenv's ``bin/`` on
PATH, for ``pybabel``). Played against the original application on such a
database, every step answers as a browser's would (51 steps: 2xx and 3xx). The
yardstick does not yet start the generated architectures on such a database,
so it does not run this journey for FlaskBB.

The administrator turns off account activation by e-mail and the sign-in rate
limit in the forum's settings; then two people register, sign out and in, look at the forum, open a topic and
reply to each other, edit a post, track a topic, look at profiles, the
member list and who is online; the administrator looks at the management
pages.

Every form carries Flask-WTF's CSRF token, read from the page it is on (the
GET before each POST is a step of its own, as a browser makes it). Nothing
here is random or read from the clock, so every run sends the same requests;
what the forum answers differently each time (CSRF tokens, dates) is verify's
to tell apart. The journey never asserts: a form or id it cannot read sends
an empty value, so an architecture that breaks early still runs every step.
"""

from __future__ import annotations

import re

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')
_INPUT = re.compile(r"<input\b[^>]*>")
_ATTRIBUTE = re.compile(r'(\w+)(?:="([^"]*)")?')
_TOPIC = re.compile(r"/topic/(\d+)")
_POST = re.compile(r"/post/(\d+)/edit")

ADMIN = {"login": "admin", "password": "admin-secret-1"}
ALICE = {"username": "alice", "email": "alice@example.com", "password": "correct-horse-battery"}
BOB = {"username": "bob", "email": "bob@example.com", "password": "staple-lamp-orbit"}

TOPIC_TITLE = "Rowing on the river at dawn"
TOPIC_TEXT = "The teams practise their starts while the fog slowly lifts over the water."
REPLY_TEXT = "I watched them last week from the old bridge; the coxes shout surprisingly loud."
EDITED_REPLY = "I watched them last week from the old bridge; the coxes are louder than the gulls."


def csrf(page) -> str:
    """The CSRF token of the first form on ``page`` ("" when it has none)."""
    found = _CSRF.search(page.text)
    return found.group(1) if found else ""


def submit(client, form_path: str, values: dict[str, str], *, action: str | None = None):
    """GET the page the form is on, then POST it with its CSRF token: two steps."""
    page = client.get(form_path)
    return client.post(action or form_path, data={"csrf_token": csrf(page), **values})


def form_values(page) -> dict[str, str]:
    """What the form on ``page`` would send as it is: its text fields, and its ticked boxes as ``y``."""
    values: dict[str, str] = {}
    for tag in _INPUT.findall(page.text):
        attributes = {name: value or "" for name, value in _ATTRIBUTE.findall(tag[len("<input") :])}
        name, kind = attributes.get("name", ""), attributes.get("type", "text")
        if not name or name == "csrf_token":
            continue
        if kind == "checkbox":
            if "checked" in attributes:
                values[name] = attributes.get("value", "y")
        elif kind in ("text", "hidden", "number", "email"):
            values[name] = attributes.get("value", "")
    return values


def path_of(answer) -> str:
    """Where a redirect points, as a path on the same site ("" when it is not one)."""
    location = answer.headers.get("Location", "") if answer.status_code in (301, 302, 303) else ""
    return re.sub(r"^https?://[^/]+", "", location)


def register(client, person: dict[str, str]):
    return submit(
        client,
        "/auth/register",
        {
            "username": person["username"],
            "email": person["email"],
            "password": person["password"],
            "confirm_password": person["password"],
            "language": "en",
            "accept_tos": "y",
        },
    )


def log_in(client, login: str, password: str):
    return submit(client, "/auth/login", {"login": login, "password": password})


def journey(client) -> None:
    client.get("/")  # the forum index, signed out

    # The administrator lets people join without an activation e-mail (no mail server
    # here) and lifts the sign-in rate limit a journey of many sign-ins would reach
    log_in(client, ADMIN["login"], ADMIN["password"])
    page = client.get("/admin/settings/auth")
    settings = form_values(page)
    settings.pop("activate_account", None)
    settings.pop("auth_ratelimit_enabled", None)
    client.post("/admin/settings/auth", data={"csrf_token": csrf(page), **settings})
    client.get("/auth/logout")

    register(client, ALICE)
    client.get("/")
    client.get("/auth/logout")
    register(client, BOB)
    client.get("/auth/logout")

    # Alice opens a topic in the welcome forum
    log_in(client, ALICE["username"], ALICE["password"])
    client.get("/forum/1")
    opened = submit(
        client, "/1/topic/new", {"title": TOPIC_TITLE, "content": TOPIC_TEXT, "submit": "Post Topic"}
    )
    found = _TOPIC.search(path_of(opened))
    topic = found.group(1) if found else ""
    client.get(f"/topic/{topic}")
    client.get("/auth/logout")

    # Bob reads it, replies, corrects his reply, and tracks the topic
    log_in(client, BOB["username"], BOB["password"])
    client.get("/")
    page = client.get(f"/topic/{topic}")
    client.post(
        f"/topic/{topic}/post/new", data={"csrf_token": csrf(page), "content": REPLY_TEXT, "submit": "Reply"}
    )
    page = client.get(f"/topic/{topic}")
    edits = [int(n) for n in _POST.findall(page.text)]
    reply = str(max(edits)) if edits else ""
    submit(client, f"/post/{reply}/edit", {"content": EDITED_REPLY, "submit": "Reply"})
    client.get(f"/post/{reply}/raw")
    page = client.get(f"/topic/{topic}")
    client.post(f"/topictracker/{topic}/add", data={"csrf_token": csrf(page)})
    client.get("/topictracker")
    client.get("/user/alice")
    client.get("/user/alice/topics")
    client.get("/user/bob/posts")
    client.get("/memberlist")
    client.get("/who-is-online")
    client.get("/user/settings/general")
    client.get("/auth/logout")

    # Alice sees the reply; the administrator looks after the forum
    log_in(client, ALICE["username"], ALICE["password"])
    client.get(f"/topic/{topic}")
    client.get("/forum/1")
    client.get("/auth/logout")
    log_in(client, ADMIN["login"], ADMIN["password"])
    client.get("/admin/")
    client.get("/admin/users")
    client.get("/admin/forums")
    client.get("/auth/logout")
    client.get("/")
