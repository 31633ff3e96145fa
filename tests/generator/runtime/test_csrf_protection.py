"""The internal API is not a browser form: an app's CSRF protection leaves its POSTs alone.

FlaskBB (like most Flask apps with forms) runs Flask-WTF's ``CSRFProtect`` on
every POST. A unit's internal calls are signed with the unit-to-unit key and
carry no CSRF token, so each was refused with a 400 (``The CSRF token is
missing``): FlaskBB's two-tier client could not ask the server for
``time_diff()``. The fake below keeps Flask-WTF's protocol: it registers as
``app.extensions["csrf"]``, refuses POSTs before any view, and exempts a
blueprint by name.
"""

from __future__ import annotations

import json

import pytest
from flask import Blueprint, Flask, abort, request

from generator.runtime import auth, install
from generator.runtime.auth import sign


class FakeCSRFProtect:
    def __init__(self, app: Flask) -> None:
        self.exempt_blueprints: set[str] = set()
        app.extensions["csrf"] = self
        app.before_request(self.protect)

    def exempt(self, view: Blueprint) -> Blueprint:
        self.exempt_blueprints.add(view.name)
        return view

    def protect(self) -> None:
        if request.method == "POST" and request.blueprint not in self.exempt_blueprints:
            abort(400, "The CSRF token is missing.")


def add(a: int, b: int) -> int:
    return a + b


def test_a_signed_internal_call_is_not_refused_by_the_apps_csrf_protection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MONOSPLIT_UNIT_AUTH_KEY", "k" * 40)
    monkeypatch.setattr(auth, "KEY", auth._Key())  # read the key set here, not one read before
    app = Flask("forum")
    FakeCSRFProtect(app)
    app.add_url_rule("/post", "post", lambda: "posted", methods=["POST"])
    install(app, service="forum", exports={"forum.add": add}, callers={"web": {"calls": ["forum.add"]}})
    client = app.test_client()
    body = json.dumps({"args": [1], "kwargs": {"b": 2}}).encode()
    path = "/_monosplit/call/forum.add"
    headers = sign(caller="web", callee="forum", method="POST", path=path, body=body)

    answer = client.post(
        path, data=body, headers=headers, content_type="application/json", base_url="http://localhost:8001"
    )

    assert (answer.status_code, answer.json) == (200, {"result": 3})
    assert client.post("/post").status_code == 400  # the app's own forms are still protected
