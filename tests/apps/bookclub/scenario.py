#!/usr/bin/env python3
"""End-to-end HTTP scenario for bookclub.

Walks members through signing up, borrowing, returning (late), and reviewing
books against a running deployment, checking every response body.  It only
speaks HTTP, so it applies equally to the monolith and to any split of it.
Every run uses fresh names and emails, so it can be repeated against the same
database.  Standard library only.

    python scenario.py --base-url http://127.0.0.1:8000 --api-key "$BOOKCLUB_API_KEY"

Exit status 0 when every check passed, 1 at the first failure.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

DAYS_LATE = 10


class ScenarioError(AssertionError):
    """A step got an unexpected response."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise ScenarioError(message)


class Client:
    """A tiny JSON-over-HTTP client that checks status codes."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.requests = 0

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        expect: int = 200,
        api_key: str | None = None,
    ) -> Any:
        """Send a request; return the decoded JSON body when the status is ``expect``."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if api_key is not None:
            request.add_header("X-API-Key", api_key)
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read().decode()
        except (urllib.error.URLError, OSError) as error:
            raise ScenarioError(f"cannot reach server at {self.base_url}: {error}") from None
        check(status == expect, f"{method} {path}: expected HTTP {expect}, got {status}: {raw[:500]}")
        try:
            return json.loads(raw)
        except ValueError:
            raise ScenarioError(f"{method} {path}: response is not JSON: {raw[:500]!r}") from None

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None, *, expect: int = 200) -> Any:
        return self.call(method, path, body, expect=expect, api_key=self.api_key)

    def fails(
        self, method: str, path: str, body: dict[str, Any] | None, status: int, error_type: str, **kw: Any
    ) -> str:
        """Expect an error response of this status and type; return its message."""
        reply = self.call(method, path, body, expect=status, **kw)
        error = reply.get("error") if isinstance(reply, dict) else None
        check(
            isinstance(error, dict) and error.get("type") == error_type and bool(error.get("message")),
            f"{method} {path}: expected error type {error_type!r} with a message, got {reply!r}",
        )
        return str(error["message"])  # type: ignore[index]


def run_scenario(base_url: str, api_key: str | None = None, log: Callable[[str], None] | None = None) -> None:
    """Run the whole journey; raise :class:`ScenarioError` at the first wrong response."""
    say = log or (lambda _message: None)
    http = Client(base_url, api_key or os.environ.get("BOOKCLUB_API_KEY", "dev-admin-key"))
    tag = secrets.token_hex(4)

    say("health")
    check(http.call("GET", "/health") == {"status": "ok", "database": "ok"}, "health check is not ok")
    rules = http.call("GET", "/policy")
    check(
        set(rules) == {"max_loans", "loan_days", "fine_per_day_cents", "max_fine_cents"},
        f"unexpected policy: {rules!r}",
    )
    max_loans, loan_days = rules["max_loans"], rules["loan_days"]
    check(max_loans >= 2, f"the scenario needs a loan limit of at least 2, the server allows {max_loans}")

    say("members")
    members: dict[str, dict[str, Any]] = {}
    for name in ("Alice", "Bob", "Carol"):
        email = f"{name}.{tag}@Example.org"
        member = http.call("POST", "/members", {"name": f"{name} {tag}", "email": email}, expect=201)
        check(isinstance(member.get("id"), int), f"member has no integer id: {member!r}")
        check(
            (member["name"], member["email"], member["active"]) == (f"{name} {tag}", email.lower(), True),
            f"member created wrong: {member!r}",
        )
        check(http.call("GET", f"/members/{member['id']}") == member, "GET /members/<id> differs from POST")
        members[name] = member
    alice, bob, carol = members["Alice"], members["Bob"], members["Carol"]
    http.fails(
        "POST", "/members", {"name": "Copycat", "email": f"ALICE.{tag}@example.org"}, 409, "DuplicateEmail"
    )
    http.fails("POST", "/members", {"name": "Nobody", "email": "not-an-email"}, 400, "ValidationError")
    http.fails("GET", "/members/987654321", None, 404, "NotFound")

    say("catalog")
    new_book = {"title": f"Dune {tag}", "author": f"Frank Herbert {tag}", "isbn": "978-0441013593"}
    http.fails("POST", "/books", new_book, 401, "Unauthorized")
    http.fails("POST", "/books", new_book, 401, "Unauthorized", api_key="wrong-key")
    specs = [(f"Book {i:02d} {tag}", f"Author {i % 2} {tag}", 1990 + i) for i in range(max_loans + 1)]
    books = []
    for title, author, year in specs:
        book = http.admin("POST", "/books", {"title": title, "author": author, "year": year}, expect=201)
        expected = {"id": book.get("id"), "title": title, "author": author, "isbn": None, "year": year}
        check(book == {**expected, "available": True}, f"book created wrong: {book!r}")
        books.append(book)
    dune = http.admin("POST", "/books", new_book, expect=201)
    check(dune["isbn"] == "9780441013593", f"isbn not normalised: {dune!r}")

    listing = http.call("GET", f"/books?q={tag}")
    check(listing["count"] == len(books) + 1, f"search by tag should find {len(books) + 1}: {listing!r}")
    check(
        [b["title"] for b in listing["books"]] == sorted([b["title"] for b in books] + [dune["title"]]),
        "search results are not sorted by title",
    )
    by_author = http.call("GET", "/books?q=" + quote(f"author 0 {tag}"))
    check(
        {b["id"] for b in by_author["books"]} == {b["id"] for b in books[0::2]},
        f"author search returned the wrong books: {by_author!r}",
    )
    check(http.call("GET", f"/books/{dune['id']}") == dune, "GET /books/<id> differs from POST")
    http.fails("GET", "/books/987654321", None, 404, "NotFound")

    say("borrow")
    first = http.call("POST", "/loans", {"member_id": alice["id"], "book_id": books[0]["id"]}, expect=201)
    borrowed_on = date.fromisoformat(first["borrowed_on"])
    check(
        first
        == {
            "id": first["id"],
            "member_id": alice["id"],
            "member_name": alice["name"],
            "book_id": books[0]["id"],
            "book_title": books[0]["title"],
            "borrowed_on": borrowed_on.isoformat(),
            "due_on": (borrowed_on + timedelta(days=loan_days)).isoformat(),
            "returned_on": None,
            "status": "active",
            "fine_cents": 0,
        },
        f"loan receipt wrong: {first!r}",
    )
    check(http.call("GET", f"/books/{books[0]['id']}")["available"] is False, "lent book still available")
    available = http.call("GET", f"/books?q={tag}&available=true")
    check(
        books[0]["id"] not in {b["id"] for b in available["books"]} and available["count"] == len(books),
        f"?available=true still lists the lent book: {available!r}",
    )
    message = http.fails(
        "POST", "/loans", {"member_id": bob["id"], "book_id": books[0]["id"]}, 409, "NotAvailable"
    )
    check(books[0]["title"] in message, f"NotAvailable message does not name the book: {message!r}")
    http.fails("POST", "/loans", {"member_id": bob["id"], "book_id": 987654321}, 404, "NotFound")
    http.fails("POST", "/loans", {"member_id": bob["id"]}, 400, "ValidationError")

    say("loan limit")
    loans = [first]
    for book in books[1:max_loans]:
        loans.append(
            http.call("POST", "/loans", {"member_id": alice["id"], "book_id": book["id"]}, expect=201)
        )
    message = http.fails(
        "POST", "/loans", {"member_id": alice["id"], "book_id": books[max_loans]["id"]}, 409, "LimitReached"
    )
    check(f"limit {max_loans}" in message, f"LimitReached message does not give the limit: {message!r}")
    check(http.call("GET", f"/books/{books[max_loans]['id']}")["available"], "refused loan took the book")

    say("return")
    last = loans.pop()
    returned = http.call("POST", f"/loans/{last['id']}/return")
    check(
        returned == {**last, "returned_on": returned["returned_on"], "status": "returned", "fine_cents": 0},
        f"on-time return wrong: {returned!r}",
    )
    check(returned["returned_on"] is not None, "returned loan has no return date")
    http.fails("POST", f"/loans/{last['id']}/return", None, 409, "AlreadyReturned")
    check(http.call("GET", f"/books/{last['book_id']}")["available"], "returned book is not available")

    say("overdue fine")
    backdated = (borrowed_on - timedelta(days=loan_days + DAYS_LATE)).isoformat()
    http.fails("PATCH", f"/admin/loans/{first['id']}", {"borrowed_on": backdated}, 401, "Unauthorized")
    corrected = http.admin("PATCH", f"/admin/loans/{first['id']}", {"borrowed_on": backdated})
    expected_fine = min(DAYS_LATE * rules["fine_per_day_cents"], rules["max_fine_cents"])
    overdue = {
        **first,
        "borrowed_on": backdated,
        "due_on": (borrowed_on - timedelta(days=DAYS_LATE)).isoformat(),
        "status": "overdue",
        "fine_cents": expected_fine,
    }
    check(corrected == overdue, f"backdated loan wrong: {corrected!r}, expected {overdue!r}")
    check(http.call("GET", f"/loans/{first['id']}") == overdue, "GET /loans/<id> differs after backdating")
    late = http.call("POST", f"/loans/{first['id']}/return")
    check(
        late == {**overdue, "returned_on": late["returned_on"], "status": "returned"},
        f"late return should keep the {expected_fine} cent fine: {late!r}",
    )

    say("reviews")
    review_path = f"/books/{books[0]['id']}/reviews"
    message = http.fails("POST", review_path, {"member_id": bob["id"], "rating": 4}, 403, "NotEligible")
    check(bob["name"] in message, f"NotEligible message does not name the member: {message!r}")
    mine = http.call(
        "POST", review_path, {"member_id": alice["id"], "rating": 5, "text": " Loved it "}, expect=201
    )
    check(
        (mine["book_id"], mine["member_id"], mine["reviewer"], mine["rating"], mine["text"])
        == (books[0]["id"], alice["id"], alice["name"], 5, "Loved it"),
        f"review created wrong: {mine!r}",
    )
    http.fails("POST", review_path, {"member_id": alice["id"], "rating": 1}, 409, "AlreadyReviewed")
    http.fails(
        "POST",
        f"/books/{books[1]['id']}/reviews",
        {"member_id": alice["id"], "rating": 6},
        400,
        "ValidationError",
    )
    http.call("POST", "/loans", {"member_id": bob["id"], "book_id": books[0]["id"]}, expect=201)
    theirs = http.call("POST", review_path, {"member_id": bob["id"], "rating": 2}, expect=201)
    summary = http.call("GET", review_path)
    check(
        summary
        == {
            "book_id": books[0]["id"],
            "title": books[0]["title"],
            "count": 2,
            "average_rating": 3.5,
            "reviews": [mine, theirs],
        },
        f"review listing wrong: {summary!r}",
    )
    empty = http.call("GET", f"/books/{dune['id']}/reviews")
    check(empty["count"] == 0 and empty["average_rating"] is None, f"unreviewed book: {empty!r}")

    say("inactive member")
    http.fails("POST", f"/members/{carol['id']}/deactivate", None, 401, "Unauthorized")
    check(
        http.admin("POST", f"/members/{carol['id']}/deactivate") == {**carol, "active": False},
        "deactivation did not stick",
    )
    http.fails("POST", "/loans", {"member_id": carol["id"], "book_id": dune["id"]}, 403, "MemberInactive")

    say("member summary")
    profile = http.call("GET", f"/members/{alice['id']}/summary")
    check(profile.get("member") == alice, f"summary member wrong: {profile.get('member')!r}")
    check(
        profile.get("loans")
        == {"open": loans[:0:-1], "returned_count": 2, "overdue_count": 0, "fines_cents": expected_fine},
        f"summary loans wrong: {profile.get('loans')!r}",
    )
    check(profile.get("reviews") == [mine], f"summary reviews wrong: {profile.get('reviews')!r}")
    say(f"done: {http.requests} requests checked")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--api-key", default=None, help="admin key (default: $BOOKCLUB_API_KEY)")
    args = parser.parse_args(argv)
    try:
        run_scenario(args.base_url, args.api_key, log=lambda message: print(f"* {message}"))
    except ScenarioError as error:
        print(f"[FAILED] {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
