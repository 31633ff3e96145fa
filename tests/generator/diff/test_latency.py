"""Latency statistics and grouping requests by the route rule they match."""

from __future__ import annotations

import pytest

from generator.diff.latency import Sample, by_route, latency_stats, percentile, route_of, router_of
from generator.diff.model import UnitInfo

UNITS = (
    UnitInfo(
        "catalog",
        frozenset(),
        0,
        routes=(("GET", "/api/products"), ("GET", "/api/products/<int:product_id>")),
    ),
    UnitInfo(
        "orders", frozenset(), 0, routes=(("POST", "/api/orders"), ("GET", "/api/orders/<int:order_id>"))
    ),
    UnitInfo("server", frozenset(), 0, public=False, routes=(("GET", "/internal/<path:rest>"),)),
)


def test_percentiles_interpolate_between_closest_ranks() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.5
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_latency_stats_throughput_is_back_to_back_or_over_wall_time() -> None:
    stats = latency_stats([100.0, 300.0])
    assert (stats.count, stats.p50, stats.mean, stats.throughput) == (2, 200.0, 200.0, 5.0)
    assert latency_stats([100.0, 300.0], seconds=1.0).throughput == 2.0


def test_requests_are_grouped_by_the_rule_they_match_as_the_gateway_would() -> None:
    router = router_of(UNITS)
    assert route_of(router, "GET", "/api/products?page=2&per_page=4") == "GET /api/products"
    assert route_of(router, "GET", "/api/products/17") == "GET /api/products/<int:product_id>"
    assert route_of(router, "get", "/api/orders/3") == "GET /api/orders/<int:order_id>"
    # <int:...> matches digits only; internal units are not routed to
    assert route_of(router, "GET", "/api/products/abc") == "GET (no route)"
    assert route_of(router, "GET", "/internal/x") == "GET (no route)"


def test_by_route() -> None:
    samples = [
        Sample("GET", "/api/products/1", 10.0),
        Sample("GET", "/api/products/2", 30.0),
        Sample("POST", "/api/orders", 50.0),
    ]
    stats = by_route(samples, router_of(UNITS))
    assert list(stats) == ["GET /api/products/<int:product_id>", "POST /api/orders"]
    assert stats["GET /api/products/<int:product_id>"].p50 == 20.0
