"""The static comparison: units matched by content, moves, coupling, and network hops per route."""

from __future__ import annotations

from analyzer.plan.metrics import compute_metrics
from generator.diff.compare import compare, jaccard, match_units, moved_symbols, network_calls
from generator.diff.model import Move, NetworkCall, RouteReach, UnitMatch
from tests.generator.diff.fixtures import CALLS, architecture, graph, side

WEB = ("app.web.handler", "app.web.helper")
SHOP = ("app.shop.buy", "app.shop.Item")
STOCK = ("app.stock.reserve",)
UTIL = ("app.util.fmt",)


def test_jaccard() -> None:
    assert jaccard(frozenset("abc"), frozenset("bcd")) == 0.5
    assert jaccard(frozenset(), frozenset()) == 1.0


def test_a_renamed_unit_is_matched_by_content_and_moves_nothing() -> None:
    a = side({"web": WEB, "shop": (*SHOP, *STOCK)}, UTIL)
    b = side({"frontend": WEB, "shop": (*SHOP, *STOCK)}, UTIL)
    diff = compare(a, b)
    assert diff.units == (
        UnitMatch("shop", "shop", "same", 1.0, 3),
        UnitMatch("web", "frontend", "renamed", 1.0, 2),
    )
    assert diff.moves == ()


def test_a_symbol_that_changes_unit_is_one_move_and_both_units_changed() -> None:
    a = side({"web": WEB, "shop": (*SHOP, *STOCK)}, UTIL)
    b = side({"web": (*WEB, *STOCK), "shop": SHOP}, UTIL)
    diff = compare(a, b)
    assert [m.status for m in diff.units] == ["changed", "changed"]
    assert diff.moves == (Move("app.stock.reserve", "shop", "web"),)


def test_a_split_removes_the_unit_and_says_where_its_symbols_went() -> None:
    a = side({"app": (*WEB, *SHOP, *STOCK, *UTIL)})
    b = side({"web": WEB, "shop": SHOP, "stock": STOCK}, UTIL)
    units = match_units(a, b)
    assert units[0] == UnitMatch(
        "app", None, "removed", flows=(("shop", 2), ("web", 2), ("shared", 1), ("stock", 1))
    )
    assert [(m.b, m.status, m.flows) for m in units[1:]] == [
        ("shop", "added", (("app", 2),)),
        ("stock", "added", (("app", 1),)),
        ("web", "added", (("app", 2),)),
    ]
    moves = moved_symbols(a, b, units)
    assert len(moves) == 6
    assert Move("app.util.fmt", "app", "shared") in moves


def test_units_with_the_same_name_but_little_in_common_are_still_the_same_unit() -> None:
    a = side({"shop": (*SHOP, *STOCK), "web": WEB})
    b = side({"shop": ("app.shop.buy",), "web": (*WEB, "app.shop.Item", *STOCK)})
    units = match_units(a, b)
    assert [(m.a, m.b, m.status) for m in units] == [("shop", "shop", "changed"), ("web", "web", "changed")]
    assert units[0].similarity == round(1 / 3, 4)


def test_a_symbol_missing_on_one_side_is_a_move_from_or_to_nothing() -> None:
    a = side({"web": WEB, "shop": SHOP})
    b = side({"web": WEB, "shop": (*SHOP, *STOCK)})
    assert compare(a, b).moves == (Move("app.stock.reserve", None, "shop"),)


def test_network_calls_leave_out_the_shared_library_copies_and_calls_inside_a_unit() -> None:
    split = architecture({"web": WEB, "shop": SHOP, "stock": STOCK}, UTIL, copies={"web": ["app.shop.Item"]})
    assert network_calls(split) == (
        NetworkCall("app.shop.buy", "app.stock.reserve", "shop", "stock"),
        NetworkCall("app.stock.reserve", "app.shop.buy", "stock", "shop"),
        NetworkCall("app.web.handler", "app.shop.buy", "web", "shop"),
    )
    # without the copy, constructing the model is a call into the shop too
    plain = architecture({"web": WEB, "shop": SHOP, "stock": STOCK}, UTIL)
    assert NetworkCall("app.web.handler", "app.shop.Item.__init__", "web", "shop") in network_calls(plain)


def test_coupling_uses_the_plan_metrics_on_the_side_s_units() -> None:
    a = side({"app": (*WEB, *SHOP, *STOCK)}, UTIL)
    b = side({"web": WEB, "shop": SHOP, "stock": STOCK}, UTIL)
    diff = compare(a, b)
    assert diff.coupling_b.metrics == compute_metrics(graph().units, b.owner)
    assert diff.coupling_a.metrics.ICP == 0.0
    assert len(diff.coupling_a.network_calls) == 0
    assert len(diff.coupling_b.network_calls) == 4
    # the plan's API: what other services call, by top-level symbol
    assert dict(diff.coupling_b.api) == {
        "shop": ("app.shop.Item", "app.shop.buy"),
        "stock": ("app.stock.reserve",),
        "web": (),
    }
    # the stock writes the table the shop's model maps
    assert diff.coupling_b.shared_tables == (("items", ("shop", "stock")),)


def test_hops_count_distinct_network_call_edges_and_depth_the_nesting() -> None:
    a = side({"app": (*WEB, *SHOP, *STOCK)}, UTIL)
    b = architecture({"web": WEB, "shop": SHOP, "stock": STOCK}, UTIL, copies={"web": ["app.shop.Item"]})
    (route,) = compare(a, b).routes
    assert route.route == "GET /buy/<int:item_id>"
    assert route.a == RouteReach("app", 0, 0, ("app",))
    # web → shop.buy, then shop.buy → stock.reserve → shop.buy: a loop, collapsed, so the depth is a lower bound
    assert route.b == RouteReach("web", 3, 1, ("web", "shop", "stock"), cyclic=True)
    chain = [call for call in CALLS if call != ("app.stock.reserve", "app.shop.buy")]
    b = architecture(
        {"web": WEB, "shop": SHOP, "stock": STOCK}, UTIL, copies={"web": ["app.shop.Item"]}, calls=chain
    )
    (route,) = compare(b, b).routes
    assert route.b == RouteReach("web", 2, 2, ("web", "shop", "stock"))


def test_a_route_whose_handler_is_shared_enters_where_the_architecture_serves_it() -> None:
    b = architecture(
        {"shop": SHOP, "stock": STOCK}, (*UTIL, *WEB), routes={"stock": [("GET", "/buy/<int:item_id>")]}
    )
    (route,) = compare(b, b).routes
    assert route.b is not None
    assert route.b.entry == "stock"
    assert route.b.units == ("stock", "shop")
