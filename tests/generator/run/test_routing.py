from __future__ import annotations

import doctest
import re

import pytest

from generator.run import routing
from generator.run.routing import Reason, Router, RuleSyntaxError, parse_rule

ANY: frozenset[str] = frozenset()


def router(*rules: tuple[str, str, str], default: str = "web") -> Router:
    """``(unit, rule, "GET POST")`` triples; an empty method string means any method."""
    return Router.build(((u, r, frozenset(m.split())) for u, r, m in rules), default_unit=default)


def unit_for(r: Router, method: str, path: str) -> str:
    return r.choose(method, path).unit


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "matching", "not_matching"),
    [
        ("/api/products", ["/api/products"], ["/api/products/1", "/api/product"]),
        ("/p/<int:id>", ["/p/7", "/p/123"], ["/p/x", "/p/-1", "/p/1.5", "/p/"]),
        ("/p/<name>", ["/p/x", "/p/1"], ["/p/", "/p/a/b"]),
        ("/p/<string:name>", ["/p/abc"], ["/p/a/b"]),
        ("/p/<string(length=2):code>", ["/p/ab"], ["/p/a/b"]),
        ("/p/<float:price>", ["/p/1.5", "/p/2"], ["/p/x"]),
        ("/f/<path:rest>", ["/f/a", "/f/a/b/c.txt"], ["/f/", "/f//a"]),
        ("/u/<uuid:key>", ["/u/12345678-1234-1234-1234-123456789abc"], ["/u/1234"]),
        ("/k/<any(movies, 'shows'):kind>", ["/k/movies", "/k/shows"], ["/k/music"]),
        ("/items/{item_id}", ["/items/9", "/items/x"], ["/items/a/b"]),
        ("/items/{item_id:int}", ["/items/9"], ["/items/x"]),
        ("/files/{rest:path}", ["/files/a/b", "/files/"], ["/file"]),
        ("/a.b/<x>", ["/a.b/1"], ["/aXb/1"]),  # static text is literal, not a regex
        ("/<a>/<b>", ["/x/y"], ["/x", "/x/y/z"]),
    ],
)
def test_rules_match_like_their_framework(rule: str, matching: list[str], not_matching: list[str]) -> None:
    pattern = re.compile(parse_rule(rule).pattern)
    for path in matching:
        assert pattern.fullmatch(path), path
    for path in not_matching:
        assert not pattern.fullmatch(path), path


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("api/products", "start with '/'"),
        ("/p/<int:id", "malformed variable"),
        ("/p/<bogus:id>", "unknown converter 'bogus'"),
        ("/p/{id:bogus}", "unknown converter 'bogus'"),
        ("/p/{id", "malformed variable"),
        ("/p/id>", "unmatched '>'"),
        ("/p/id}", "unmatched '}'"),
        ("/p/<any():x>", "any() needs"),
        ("/p/<1x>", "malformed variable"),
    ],
)
def test_malformed_rules_are_rejected(rule: str, problem: str) -> None:
    with pytest.raises(RuleSyntaxError, match=re.escape(problem)):
        parse_rule(rule)


def test_rule_counts_static_characters_and_variables() -> None:
    parsed = parse_rule("/api/products/<int:product_id>/reviews/{review}")
    assert (parsed.static_chars, parsed.variables, parsed.is_static) == (
        len("/api/products//reviews/"),
        2,
        False,
    )
    assert parse_rule("/health").is_static


# --- choosing ----------------------------------------------------------------------------


def test_rule_and_method_choose_the_unit() -> None:
    r = router(
        ("catalog", "/api/products", "GET"),
        ("orders", "/api/products", "POST"),
        ("catalog", "/api/products/<int:product_id>", "GET PATCH"),
    )
    assert unit_for(r, "GET", "/api/products") == "catalog"
    assert unit_for(r, "POST", "/api/products") == "orders"
    assert unit_for(r, "post", "/api/products") == "orders"  # methods compare case-insensitively
    assert unit_for(r, "PATCH", "/api/products/3") == "catalog"
    assert r.choose("GET", "/api/products/3").rule == "/api/products/<int:product_id>"


def test_unmatched_path_goes_to_the_default_unit() -> None:
    r = router(("catalog", "/api/products", "GET"))
    choice = r.choose("GET", "/about")
    assert (choice.unit, choice.rule, choice.reason) == ("web", None, Reason.DEFAULT)
    assert unit_for(r, "GET", "/") == "web"
    assert unit_for(r, "GET", "/api/products/x") == "web"


def test_path_without_its_method_goes_to_the_owner_which_answers_405() -> None:
    r = router(("catalog", "/api/products/<int:id>", "GET"), ("orders", "/api/orders", "POST"))
    choice = r.choose("DELETE", "/api/products/1")
    assert (choice.unit, choice.reason) == ("catalog", Reason.METHOD_NOT_ALLOWED)
    assert unit_for(r, "GET", "/api/orders") == "orders"


def test_a_less_specific_rule_with_the_method_beats_a_more_specific_one_without() -> None:
    # as werkzeug does: 405 only when no rule at all accepts the method
    r = router(("catalog", "/api/products/<int:id>", "GET"), ("files", "/api/<path:rest>", ""))
    assert unit_for(r, "GET", "/api/products/1") == "catalog"
    assert unit_for(r, "DELETE", "/api/products/1") == "files"


def test_empty_methods_mean_any_method() -> None:
    r = router(("legacy", "/old/<path:rest>", ""))
    for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"):
        assert r.choose(method, "/old/x").reason is Reason.ROUTE


def test_head_goes_where_get_goes() -> None:
    r = router(("catalog", "/api/products", "GET"), ("orders", "/api/products", "POST"))
    assert r.choose("HEAD", "/api/products") == routing.Choice("catalog", "/api/products", Reason.ROUTE)


def test_options_goes_to_the_unit_owning_the_path() -> None:
    r = router(("catalog", "/api/products", "GET"))
    assert unit_for(r, "OPTIONS", "/api/products") == "catalog"


def test_a_static_rule_beats_a_variable_one() -> None:
    r = router(("users", "/api/users/<name>", "GET"), ("me", "/api/users/me", "GET"))
    assert unit_for(r, "GET", "/api/users/me") == "me"
    assert unit_for(r, "GET", "/api/users/alice") == "users"


def test_more_static_characters_win() -> None:
    r = router(
        ("catch-all", "/<path:rest>", ""),
        ("api", "/api/<path:rest>", ""),
        ("reviews", "/api/products/<int:id>/reviews", "GET"),
        ("products", "/api/products/<path:rest>", "GET"),
    )
    assert unit_for(r, "GET", "/api/products/4/reviews") == "reviews"
    assert unit_for(r, "GET", "/api/products/4/images/1") == "products"
    assert unit_for(r, "GET", "/api/users") == "api"
    assert unit_for(r, "GET", "/robots.txt") == "catch-all"


def test_fewer_variables_win_at_equal_static_characters() -> None:
    r = router(("two", "/<a>p<b>", "GET"), ("one", "/p<x>", "GET"))
    # both match "/ppq" with the static text "/p"; one variable wins over two
    assert unit_for(r, "GET", "/ppq") == "one"


def test_tighter_converters_win_a_tie() -> None:
    r = router(
        ("by-path", "/items/<path:rest>", "GET"),
        ("by-name", "/items/<name>", "GET"),
        ("by-id", "/items/<int:item_id>", "GET"),
    )
    assert unit_for(r, "GET", "/items/42") == "by-id"
    assert unit_for(r, "GET", "/items/lamp") == "by-name"
    assert unit_for(r, "GET", "/items/lamp/parts") == "by-path"


def test_manifest_order_breaks_a_complete_tie() -> None:
    r = router(("first", "/x/<a>", "GET"), ("second", "/x/<b>", "GET"))
    assert unit_for(r, "GET", "/x/1") == "first"
    r = router(("second", "/x/<b>", "GET"), ("first", "/x/<a>", "GET"))
    assert unit_for(r, "GET", "/x/1") == "second"


def test_flask_and_fastapi_rules_mix() -> None:
    r = router(("flask", "/api/a/<int:id>", "GET"), ("fastapi", "/api/b/{id}", "GET"))
    assert unit_for(r, "GET", "/api/a/1") == "flask"
    assert unit_for(r, "GET", "/api/b/1") == "fastapi"


def test_a_trailing_slash_difference_still_reaches_the_rule_owner() -> None:
    r = router(("catalog", "/api/products/", "GET"), ("orders", "/api/orders", "GET"))
    assert unit_for(r, "GET", "/api/products") == "catalog"  # Flask redirects to the slash
    assert unit_for(r, "GET", "/api/orders/") == "orders"


def test_an_exact_match_beats_a_trailing_slash_match() -> None:
    r = router(("with-slash", "/docs/", "GET"), ("without", "/docs", "GET"))
    assert unit_for(r, "GET", "/docs") == "without"
    assert unit_for(r, "GET", "/docs/") == "with-slash"


def test_the_router_is_deterministic_whatever_the_input_order() -> None:
    rules = [
        ("a", "/x/<int:i>", "GET"),
        ("b", "/x/<s>", "GET"),
        ("c", "/x/static", "GET"),
        ("d", "/<path:p>", ""),
    ]
    built = router(*rules)
    assert [r.unit for r in built.rules] == ["c", "a", "b", "d"]
    assert [r.unit for r in router(*reversed(rules)).rules] == ["c", "a", "b", "d"]


def test_no_rules_at_all_send_everything_to_the_default_unit() -> None:
    r = Router.build([], default_unit="monolith")
    assert r.choose("POST", "/anything").unit == "monolith"


def test_module_examples() -> None:
    assert doctest.testmod(routing).failed == 0
