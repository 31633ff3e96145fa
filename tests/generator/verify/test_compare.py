"""What counts as the same answer: values, tokens, and what the monolith itself varies."""

from __future__ import annotations

import json

from generator.verify.compare import (
    compare_recordings,
    first_difference,
    json_path,
    learn_volatile,
)
from generator.verify.exchanges import Exchange, JourneyFailure, Phase, Recording
from generator.verify.normalise import Answer, JsonBody, Placeholders, TextBody, read_body


def _json(value: object, status: int = 200) -> Answer:
    return Answer(
        status,
        "application/json",
        None,
        read_body(json.dumps(value).encode(), "application/json", Placeholders()),
    )


def _html(text: str, status: int = 200) -> Answer:
    return Answer(status, "text/html", None, TextBody.of(text))


def test_equal_json_with_keys_in_another_order_is_the_same() -> None:
    assert first_difference(_json({"a": 1, "b": [1, 2]}), _json({"b": [1, 2], "a": 1})) is None


def test_json_differences_name_the_path() -> None:
    reference = _json({"items": [{"id": 1, "price": 10}], "total": 1})
    assert first_difference(reference, _json({"items": [{"id": 1, "price": 12}], "total": 1})) == (
        "$.items[0].price is 12, the monolith 10"
    )
    assert (
        first_difference(reference, _json({"items": [], "total": 1})) == "$.items has 0 items, the monolith 1"
    )
    assert first_difference(reference, _json({"items": [{"id": 1, "price": 10}]})) == (
        "$.total missing (the monolith: 1)"
    )
    assert first_difference(reference, _json({"items": [{"id": 1, "price": 10}], "total": 1, "x": 0})) == (
        "$.x is not in the monolith's answer (0)"
    )


def test_status_media_type_and_redirects_come_first() -> None:
    assert first_difference(_json({}), _json({}, status=500)) == "status 500, the monolith 200"
    assert first_difference(_json({}), _html("{}")) == "media type text/html, the monolith application/json"
    moved = Answer(302, "text/html", "/login", TextBody.of(""))
    assert first_difference(moved, Answer(302, "text/html", "/index", TextBody.of(""))) == (
        "redirects to /index, the monolith to /login"
    )


def test_what_the_monolith_varies_between_two_runs_is_not_compared() -> None:
    first = _json({"token": "abc", "user": {"id": 1, "nonce": 5}, "tags": [1]})
    second = _json({"token": "xyz", "user": {"id": 1, "nonce": 9}, "tags": [1, 2]})
    volatile = learn_volatile(first, second)
    assert volatile.json_paths == {("token",), ("user", "nonce"), ("tags",)}
    candidate = _json({"token": "qqq", "user": {"id": 1, "nonce": 0}, "tags": []})
    assert first_difference(first, candidate, volatile) is None
    assert first_difference(
        first, _json({"token": "q", "user": {"id": 2, "nonce": 0}, "tags": []}), volatile
    ) == ("$.user.id is 2, the monolith 1")


def test_a_csrf_token_in_html_is_learnt_as_volatile_and_real_changes_still_show() -> None:
    page = '<form><input name="csrf_token" value="{token}"><h1>{title}</h1></form>'
    first = _html(page.format(token="IjQ1Zm.aBc-1", title="Sign In"))
    second = _html(page.format(token="ImZ9Yw.xyz_2", title="Sign In"))
    volatile = learn_volatile(first, second)
    assert first_difference(first, _html(page.format(token="Ik00.q-9", title="Sign In")), volatile) is None
    found = first_difference(first, _html(page.format(token="Ik00.q-9", title="Log In")), volatile)
    # the token shows as "…" even in the context: a difference reads the same in every run
    assert found == 'body after "… " > < h1 >" has "Log", the monolith "Sign"'


def test_a_difference_next_to_a_volatile_value_hides_the_value_on_both_sides() -> None:
    first, second = _html("<b>A1x9</b> total 10"), _html("<b>Zq77</b> total 10")
    volatile = learn_volatile(first, second)
    found = first_difference(first, _html("<b>Pp00</b> sum 11"), volatile)
    assert found is not None and "Pp00" not in found and "A1x9" not in found


def test_a_status_the_monolith_itself_varies_makes_the_request_unstable() -> None:
    assert learn_volatile(_json({}, 200), _json({}, 500)).status
    assert first_difference(_json({}), _json({}, 404), learn_volatile(_json({}, 200), _json({}, 500))) is None


def test_json_paths_read_like_json_path() -> None:
    assert json_path(("items", 0, "id")) == "$.items[0].id"
    assert json_path(()) == "$"


def _exchange(phase: Phase, label: str, target: str, value: object, status: int = 200) -> Exchange:
    return Exchange(phase, label, "GET", target, status, "application/json", None, json.dumps(value).encode())


def _recording(*exchanges: Exchange, failures: tuple[JourneyFailure, ...] = (), base: str = "") -> Recording:
    return Recording(tuple(exchanges), failures, base_url=base)


def test_recordings_pair_routes_by_rule_and_steps_by_position_within_a_journey() -> None:
    reference = _recording(
        _exchange(Phase.JOURNEY, "j.py", "/a", {"n": 1}),
        _exchange(Phase.JOURNEY, "j.py", "/b", {"n": 2}),
        _exchange(Phase.ROUTE, "/x", "/x", {"at": "http://127.0.0.1:1000/x"}),
        _exchange(Phase.ROUTE, "/y", "/y", {}),
        base="http://127.0.0.1:1000",
    )
    candidate = _recording(
        _exchange(Phase.JOURNEY, "j.py", "/a", {"n": 1}),
        _exchange(Phase.JOURNEY, "j.py", "/b", {"n": 3}),
        _exchange(Phase.ROUTE, "/x", "/x", {"at": "http://127.0.0.1:2000/x"}),  # its own address: the same
        _exchange(Phase.ROUTE, "/y", "/y", {}, status=503),
        base="http://127.0.0.1:2000",
    )
    comparison = compare_recordings(reference, None, candidate)
    assert (comparison.routes.equal, comparison.routes.total) == (1, 2)
    assert (comparison.journey.equal, comparison.journey.total) == (1, 2)
    assert [d.line for d in comparison.differences] == [
        "journey j.py step 2 (GET /b): $.n is 3, the monolith 2",
        "GET /y: status 503, the monolith 200",
    ]
    assert not comparison.same


def test_steps_a_shorter_journey_did_not_send_are_one_difference_and_count_as_unequal() -> None:
    steps = [_exchange(Phase.JOURNEY, "j.py", f"/{n}", {}) for n in range(5)]
    failure = JourneyFailure("j.py", 2, "AssertionError: no token (j.py:7)")
    comparison = compare_recordings(_recording(*steps), None, _recording(*steps[:2], failures=(failure,)))
    assert (comparison.journey.equal, comparison.journey.total) == (2, 5)
    assert [d.line for d in comparison.differences] == [
        "journey j.py step 3 (GET /2): steps 3-5 not sent: the journey ended before",
        "journey j.py stopped after 2 step(s): AssertionError: no token (j.py:7)",
    ]


def test_the_same_journey_failure_on_both_sides_is_no_difference() -> None:
    failure = JourneyFailure("j.py", 0, "KeyError: 'x' (j.py:3)")
    comparison = compare_recordings(_recording(failures=(failure,)), None, _recording(failures=(failure,)))
    assert comparison.same


def test_unstable_requests_are_counted_apart() -> None:
    reference = _recording(_exchange(Phase.ROUTE, "/r", "/r", {}, status=200))
    twin = _recording(_exchange(Phase.ROUTE, "/r", "/r", {}, status=500))
    comparison = compare_recordings(reference, twin, _recording(_exchange(Phase.ROUTE, "/r", "/r", {}, 404)))
    assert (comparison.routes.equal, comparison.routes.total, comparison.routes.unstable) == (0, 0, 1)
    assert comparison.same


def test_an_answer_body_of_another_kind_is_a_difference() -> None:
    assert first_difference(_json({}), Answer(200, "application/json", None, TextBody.of("oops"))) == (
        "body is text, the monolith's is JSON"
    )
    assert isinstance(_json({}).body, JsonBody)
