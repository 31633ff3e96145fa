"""A journey of flaskr's main use (the Flask tutorial's blog, Flask 3.1.3's examples/tutorial), for verify.

Two people register (one twice, one with a form left empty), sign in with a
wrong password, an unknown name and their own, write posts (one without a
title first), edit one, try to edit and delete the other's post (403) and a
post that does not exist (404), delete their own, and sign out; the index is
read between the steps, signed in and not.

flaskr has no CSRF tokens; its session cookie is signed with the app's key
and carries the user's id, so it is verify's to tell apart between runs. A
post's id is read from the Edit link the index shows next to its title: the
index only links the signed-in author's own posts, so the id of the other's
post is read while its author is signed in.

The index lists posts newest first by their ``created`` time, which SQLite
keeps to the second: two posts written within one second have no order of
their own, and would be listed one way on one run and the other way on the
next. So each post is written more than a second after the one before
(:func:`write`); that is a wait, not a reading of the clock.

Nothing here is random or read from the clock, so every run sends the same
requests. The journey never asserts: a post it cannot find on the index is
sent as id 0 (a 404 on the application), so an architecture that breaks early
still runs every step and each is compared with the monolith's.
"""

from __future__ import annotations

import html
import re
import time

_ARTICLE = re.compile(r'<article class="post">(.*?)</article>', re.S)
_TITLE = re.compile(r"<h1>(.*?)</h1>", re.S)
_EDIT = re.compile(r'href="/(\d+)/update"')

ALICE = {"username": "alice", "password": "correct-horse-battery"}
BOB = {"username": "bob", "password": "staple-lamp-orbit"}

RIVER = {
    "title": "Rowing on the river at dawn",
    "body": "The teams practise their starts while the fog slowly lifts over the water.",
}
BRIDGES = {
    "title": "Old bridges of the valley",
    "body": "Seven crossings, three centuries: each tells how the valley was travelled.",
}
RIVER_EDITED = {
    "title": "Rowing on the river before breakfast",
    "body": "The teams practise their starts until the fog has lifted from the water.",
}
TRAINS = {
    "title": "History books on trains",
    "body": "A long journey is the best place to read about the people who built the line.",
}


def post_id(index_page, title: str) -> str:
    """The id in the Edit link beside the post titled ``title`` on the index ("0" when there is none)."""
    for article in _ARTICLE.findall(index_page.text):
        heading = _TITLE.search(article)
        edit = _EDIT.search(article)
        if heading and edit and html.unescape(heading.group(1).strip()) == title:
            return edit.group(1)
    return "0"


def write(client, post: dict[str, str]):
    """POST a new post, a little over a second after the previous one (see the module docstring)."""
    time.sleep(1.1)
    return client.post("/create", data=post)


def log_in(client, person: dict[str, str], password: str | None = None):
    return client.post(
        "/auth/login", data={"username": person["username"], "password": password or person["password"]}
    )


def register(client, person: dict[str, str]):
    return client.post("/auth/register", data=person)


def journey(client) -> None:
    # nobody signed in: an empty blog, and writing sends to the login page
    client.get("/")
    client.get("/create")
    client.get("/auth/register")
    register(client, ALICE)
    register(client, BOB)
    register(client, ALICE)  # "User alice is already registered."
    register(client, {"username": "", "password": "no-name"})  # "Username is required."

    # Alice: a wrong password and an unknown name first, then signed in; she writes two posts
    client.get("/auth/login")
    log_in(client, ALICE, password="not-her-password")  # "Incorrect password."
    log_in(client, {"username": "carol", "password": "whatever"})  # "Incorrect username."
    log_in(client, ALICE)
    client.get("/")
    client.get("/create")
    client.post("/create", data={"title": "", "body": "A post without a title."})  # "Title is required."
    write(client, RIVER)
    write(client, BRIDGES)
    index = client.get("/")
    river, bridges = post_id(index, RIVER["title"]), post_id(index, BRIDGES["title"])

    # she edits the river post, once without a title (refused), then for real
    client.get(f"/{river}/update")
    client.post(f"/{river}/update", data={"title": "", "body": RIVER_EDITED["body"]})
    client.post(f"/{river}/update", data=RIVER_EDITED)
    client.get("/")
    client.get("/auth/logout")

    # Bob: may not touch Alice's posts, nor one that does not exist; he writes one of his own
    log_in(client, BOB)
    client.get("/")
    client.get(f"/{river}/update")  # 403
    client.post(f"/{river}/update", data={"title": "Mine now", "body": "Not his to change."})  # 403
    client.post(f"/{bridges}/delete")  # 403
    client.get("/999/update")  # 404
    client.post("/999/delete")  # 404
    write(client, TRAINS)
    index = client.get("/")
    client.get(f"/{post_id(index, TRAINS['title'])}/update")
    client.get("/auth/logout")

    # Alice again: deletes the bridges post, which is then gone (404)
    log_in(client, ALICE)
    client.post(f"/{bridges}/delete")
    client.get("/")
    client.get(f"/{bridges}/update")  # 404
    client.get("/auth/logout")

    # signed out again: everyone's posts, and the app's own greeting
    client.get("/")
    client.get("/create")
    client.get("/hello")
