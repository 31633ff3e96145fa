"""A tiny analysed application, built by hand, and sides over it: the diff's tests need no analysis.

Four modules: ``app.web`` (a route handler and a helper), ``app.shop`` (a
model class mapped to a table, and a function), ``app.stock`` (a function
that calls back into ``app.shop``: a cycle across units once they are split)
and ``app.util`` (a pure helper, the shared library).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from analyzer.plan.model import Plan, Service
from generator.diff.codegraph import CodeGraph, code_graph, graph_from_document
from generator.diff.inputs import plan_side
from generator.diff.model import Side, UnitInfo

FUNCTIONS = {
    "app.web.handler": "app.web",
    "app.web.helper": "app.web",
    "app.shop.buy": "app.shop",
    "app.stock.reserve": "app.stock",
    "app.util.fmt": "app.util",
}
CALLS = (
    ("app.web.handler", "app.web.helper"),
    ("app.web.handler", "app.shop.buy"),
    ("app.web.handler", "app.util.fmt"),
    ("app.web.handler", "app.shop.Item.__init__"),
    ("app.shop.buy", "app.stock.reserve"),
    ("app.stock.reserve", "app.shop.buy"),
    ("app.stock.reserve", "app.util.fmt"),
)
SYMBOLS = (*FUNCTIONS, "app.shop.Item")


def graph_document(calls: Iterable[tuple[str, str]] = CALLS) -> dict[str, Any]:
    """The application as a ``graph.json`` document."""
    nodes: list[dict[str, Any]] = [
        {"id": module, "kind": "module", "parent": "app", "size": 10}
        for module in sorted(set(FUNCTIONS.values()))
    ]
    nodes.append({"id": "app", "kind": "module", "parent": "", "size": 1})
    nodes += [{"id": f, "kind": "function", "parent": m, "size": 5} for f, m in FUNCTIONS.items()]
    nodes.append({"id": "app.shop.Item", "kind": "class", "parent": "app.shop", "size": 8})
    nodes.append({"id": "app.shop.Item.__init__", "kind": "method", "parent": "app.shop.Item", "size": 3})
    nodes.append({"id": "table:items", "kind": "table", "name": "items"})
    nodes.append(
        {"id": "route:GET /buy/<int:item_id>", "kind": "route", "method": "GET", "path": "/buy/<int:item_id>"}
    )
    edges = [{"source": s, "target": t, "kind": "call", "weight": 1} for s, t in calls]
    edges.append({"source": "app.shop.Item", "target": "table:items", "kind": "maps", "weight": 1})
    edges.append({"source": "app.stock.reserve", "target": "table:items", "kind": "write", "weight": 1})
    edges.append(
        {"source": "route:GET /buy/<int:item_id>", "target": "app.web.handler", "kind": "route", "weight": 1}
    )
    return {"format": "monosplit-graph", "version": 1, "root": "app", "nodes": nodes, "edges": edges}


def graph(calls: Iterable[tuple[str, str]] = CALLS) -> CodeGraph:
    return code_graph(graph_from_document(graph_document(calls)))


def plan(units: Mapping[str, Iterable[str]], shared: Iterable[str] = ()) -> Plan:
    return Plan(
        "app", tuple(Service(name, tuple(sorted(s))) for name, s in sorted(units.items())), tuple(shared)
    )


def side(units: Mapping[str, Iterable[str]], shared: Iterable[str] = (), *, label: str = "side") -> Side:
    """A plan over the tiny application."""
    return plan_side(plan(units, shared), graph(), label=label)


def architecture(
    units: Mapping[str, Iterable[str]],
    shared: Iterable[str] = (),
    *,
    copies: Mapping[str, Iterable[str]] | None = None,
    routes: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    calls: Iterable[tuple[str, str]] = CALLS,
) -> Side:
    """A generated architecture over the tiny application (copies and routes as given)."""
    infos = tuple(
        UnitInfo(
            name=name,
            symbols=frozenset(symbols),
            lines=5,
            copies=frozenset((copies or {}).get(name, ())),
            routes=tuple((routes or {}).get(name, ())),
        )
        for name, symbols in sorted(units.items())
    )
    return Side(
        label="arch",
        kind="architecture",
        architecture="microservices",
        project="app",
        units=infos,
        shared=frozenset(shared),
        shared_lines=5,
        graph=graph(calls),
    )
