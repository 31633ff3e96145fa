"""The real-app yardstick's journeys (benchmarks/journeys/) load, are long enough and send the same requests each run.

Each journey is driven twice by verify's own client against a small HTTP server
of ours on loopback that records every request. Its pages carry a CSRF field
whose value changes with every page, as Flask-WTF's does, so the test also
shows that forms send the token of the page they were read from. The server
knows nothing of the applications: every answer is 200 with a form page, or
``{}`` under ``/api``, so a journey that needs a real answer to go on (a token,
a slug, an id) has to go on without one, as it does on a broken architecture.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.verify import JourneyClient, load_journey

JOURNEYS = Path(__file__).resolve().parents[2] / "benchmarks" / "journeys"
MIN_STEPS = 24  # issue 11: a journey of at least 20 steps of the app's main use; these aim higher


class _Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str, bytes]] = []
        self.tokens: list[str] = []  # the CSRF value each page carried, in order
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _Recorder

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.requests.append((self.command, self.path, body))
            token = f"csrf-{len(self.server.requests)}"
            self.server.tokens.append(token)
        if self.path.startswith("/api"):
            content, media_type = b"{}", "application/json"
        else:
            content = f'<form><input id="csrf_token" name="csrf_token" type="hidden" value="{token}"></form>'.encode()
            media_type = "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[_Recorder]:
    server = _Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _drive(journey_file: Path, server: _Recorder) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    with server.lock:
        server.requests.clear()
        server.tokens.clear()
    journey = load_journey(journey_file)
    journey.load()(JourneyClient(f"http://127.0.0.1:{server.server_address[1]}"))
    with server.lock:
        return list(server.requests), list(server.tokens)


@pytest.mark.parametrize("name", ["flaskr.py", "microblog.py", "realworld.py"])
def test_a_journey_runs_to_its_end_with_enough_steps_and_sends_the_same_requests_twice(
    name: str, recorder: _Recorder
) -> None:
    first, first_tokens = _drive(JOURNEYS / name, recorder)
    second, second_tokens = _drive(JOURNEYS / name, recorder)

    assert len(first) >= MIN_STEPS, [f"{m} {p}" for m, p, _ in first]
    # the same requests, once the CSRF values our server handed out (its own, per run) are read alike
    assert [(m, p, _neutral(b, first_tokens)) for m, p, b in first] == [
        (m, p, _neutral(b, second_tokens)) for m, p, b in second
    ]


def test_microblog_forms_send_the_csrf_token_of_the_page_each_was_read_from(recorder: _Recorder) -> None:
    sent, tokens = _drive(JOURNEYS / "microblog.py", recorder)

    forms = [
        (index, urllib.parse.parse_qs(body.decode()))
        for index, (m, _, body) in enumerate(sent)
        if m == "POST"
    ]
    posted = [(index, fields) for index, fields in forms if "csrf_token" in fields]
    assert len(posted) >= 10  # register twice, log in, post, edit profile, follow, message, unfollow...
    for index, fields in posted:
        assert fields["csrf_token"] == [tokens[index - 1]], sent[index][1]  # the page GET just before it


def test_flaskr_edits_and_deletes_the_posts_the_index_links(recorder: _Recorder) -> None:
    # our server's index links no post: each post id the journey reads from it is sent as 0
    sent, _ = _drive(JOURNEYS / "flaskr.py", recorder)

    paths = [f"{m} {p}" for m, p, _ in sent]
    assert "POST /0/delete" in paths and "GET /0/update" in paths
    assert sum(1 for m, p, _ in sent if m == "POST" and p == "/create") == 4  # one refused, three posts
    assert [p for m, p, _ in sent if p.startswith("/auth/log")].count("/auth/logout") == 3


def _neutral(body: bytes, tokens: list[str]) -> bytes:
    for token in sorted(tokens, key=len, reverse=True):  # csrf-12 before csrf-1
        body = body.replace(token.encode(), b"<csrf>")
    return body
