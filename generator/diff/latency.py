"""Latency statistics of measured requests, grouped by the route rule each request matched. Pure."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.diff.model import LatencyStats, UnitInfo
from generator.run.routing import Router, RuleSyntaxError, parse_rule

UNMATCHED = "(no route)"


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured request: method, path as sent (query string included) and latency."""

    method: str
    path: str
    elapsed_ms: float


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100) by linear interpolation between closest ranks (numpy's default).

    >>> percentile([10.0, 20.0, 30.0, 40.0], 50), percentile([10.0, 20.0, 30.0, 40.0], 99)
    (25.0, 39.7)
    """
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = p / 100 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low), 6)


def latency_stats(elapsed_ms: Sequence[float], seconds: float | None = None) -> LatencyStats:
    """Percentiles and mean of ``elapsed_ms``; throughput is requests per second of ``seconds`` of wall
    time, or, without it, of the time spent in these requests (one client sending them back to back)."""
    total = sum(elapsed_ms) / 1000 if seconds is None else seconds
    return LatencyStats(
        count=len(elapsed_ms),
        p50=percentile(elapsed_ms, 50),
        p95=percentile(elapsed_ms, 95),
        p99=percentile(elapsed_ms, 99),
        mean=round(sum(elapsed_ms) / len(elapsed_ms), 6),
        throughput=round(len(elapsed_ms) / total, 6) if total > 0 else 0.0,
    )


def router_of(units: Iterable[UnitInfo]) -> Router:
    """The rules of every public unit, as the gateway of ``monosplit run`` matches them."""
    usable: list[tuple[str, str, frozenset[str]]] = []
    for unit in units:
        if not unit.public:
            continue
        for method, rule in unit.routes:
            try:
                parse_rule(rule)
            except RuleSyntaxError:
                continue  # a rule the gateway cannot read either; its requests stay unmatched
            usable.append((unit.name, rule, frozenset({method})))
    return Router.build(usable, default_unit="")


_QUERY = re.compile(r"[?#].*$", re.S)


def route_of(router: Router, method: str, path: str) -> str:
    """``"METHOD rule"`` of the route a request matched, or ``"METHOD (no route)"``."""
    choice = router.choose(method, _QUERY.sub("", path) or "/")
    return f"{method.upper()} {choice.rule if choice.rule is not None else UNMATCHED}"


def by_route(samples: Iterable[Sample], router: Router) -> dict[str, LatencyStats]:
    """Latency per route rule (throughput: back to back on that route)."""
    grouped: dict[str, list[float]] = defaultdict(list)
    for sample in samples:
        grouped[route_of(router, sample.method, sample.path)].append(sample.elapsed_ms)
    return {route: latency_stats(values) for route, values in sorted(grouped.items())}
