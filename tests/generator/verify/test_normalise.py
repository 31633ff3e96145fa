"""Reading answers for comparison: placeholders for what every run has its own of."""

from __future__ import annotations

import gzip

from generator.verify.exchanges import Exchange, Phase
from generator.verify.normalise import (
    BytesBody,
    JsonBody,
    Placeholders,
    TextBody,
    decoded,
    read_answer,
    read_body,
    tokenise,
)

RUN = Placeholders(base_url="http://127.0.0.1:41234", data_root="/tmp/monosplit-verify-abc")


def test_run_addresses_and_folders_become_placeholders() -> None:
    text = "see http://127.0.0.1:41234/api/x, Host 127.0.0.1:41234, db /tmp/monosplit-verify-abc/u/u.db"
    assert RUN.apply(text) == "see {base}/api/x, Host {host}, db {data}/u/u.db"


def test_date_times_uuids_and_jwts_become_placeholders() -> None:
    text = (
        "at 2024-05-01T10:00:00.123456+00:00 or 2024-05-01 10:00 or Wed, 01 May 2024 10:00:00 GMT; "
        "id 123e4567-e89b-12d3-a456-426614174000; token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2lnbmF0dXJl"
    )
    assert Placeholders().apply(text) == ("at <datetime> or <datetime> or <datetime>; id <uuid>; token <jwt>")


def test_dates_written_out_with_a_time_and_clock_ages_become_placeholders() -> None:
    # FlaskBB's topic pages and forum index: the architectures run minutes apart
    text = (
        "posted 08 December 2026 - 00:34, edited Dec 8, 2026, 12:34 PM or 8th December 2026 at 9:05; "
        "last post a few seconds ago, then 3 minutes ago, an hour, 1 minute"
    )
    assert Placeholders().apply(text) == (
        "posted <datetime>, edited <datetime> or <datetime>; last post <age>, then <age>, <age>, <age>"
    )


def test_a_date_alone_and_plain_numbers_are_kept() -> None:
    # a date without a time is usually data (a birthday), and ids of fresh databases agree
    assert Placeholders().apply("born 1990-04-02, order 17") == "born 1990-04-02, order 17"
    assert Placeholders().apply("born 2 April 1990, 17 minutesmen") == "born 2 April 1990, 17 minutesmen"


def test_json_is_read_as_a_value_with_sorted_keys_and_placeholders() -> None:
    body = read_body(
        b'{"b": [1, {"z": "2024-05-01T10:00:00Z", "a": null}], "a": true}', "application/json", RUN
    )
    assert isinstance(body, JsonBody)
    assert list(body.value) == ["a", "b"]
    assert body.value["b"][1] == {"a": None, "z": "<datetime>"}


def test_json_media_types_with_suffixes_count_and_broken_json_is_text() -> None:
    assert isinstance(read_body(b'{"type": "about:blank"}', "application/problem+json", RUN), JsonBody)
    assert isinstance(read_body(b"{not json", "application/json", RUN), TextBody)


def test_html_is_read_as_tokens_and_binary_as_a_digest() -> None:
    html = read_body(b'<p class="x">Hello,   world</p>', "text/html", RUN)
    assert isinstance(html, TextBody)
    assert html.tokens == ("<", "p", "class", "=", '"', "x", '"', ">", "Hello,", "world", "<", "/p", ">")
    assert tokenise('<input name="csrf" value="a1b2">') == [
        "<", "input", "name", "=", '"', "csrf", '"', "value", "=", '"', "a1b2", '"', ">",
    ]  # fmt: skip
    binary = read_body(bytes(range(256)), "image/png", RUN)
    assert isinstance(binary, BytesBody) and binary.size == 256


def test_an_excerpt_shows_the_original_text_of_a_token_range() -> None:
    body = TextBody.of("<h1>Hello\n   there,  world</h1>")
    start = body.tokens.index("Hello")
    assert body.excerpt(start, start + 3) == "Hello there, world"


def test_no_answer_is_status_zero_with_the_reason() -> None:
    exchange = Exchange(Phase.ROUTE, "/x", "GET", "/x", 0, error="ServerDisconnectedError")
    answer = read_answer(exchange, RUN)
    assert answer.status == 0 and isinstance(answer.body, TextBody)
    assert answer.body.tokens == ("ServerDisconnectedError",)


def test_redirect_targets_get_placeholders_too() -> None:
    exchange = Exchange(Phase.ROUTE, "/", "GET", "/", 302, "text/html", "http://127.0.0.1:41234/login", b"")
    assert read_answer(exchange, RUN).location == "{base}/login"


def test_compressed_bodies_are_decoded() -> None:
    assert decoded(gzip.compress(b"hello"), "gzip") == b"hello"
    assert decoded(b"not gzip", "gzip") == b"not gzip"
    assert decoded(b"plain", "") == b"plain"
