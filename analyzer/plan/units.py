"""Units of assignment: top-level symbols, and the dependencies between them.

Real monoliths are organised by layer, so the file is the wrong unit: one
``services.py`` serves several capabilities. A plan assigns each top-level
class and function (with its methods and nested code) to a service. This
module folds the symbol graph onto those units.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx

_UNIT_KINDS = frozenset({"class", "function"})
#: Path segments that say nothing about the resource (``/api/v2/orders``).
_GENERIC_SEGMENTS = frozenset({"api", "rest", "internal", "public", "admin", ""})
_VERSION = re.compile(r"^v\d+$")


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    module: str
    kind: str
    lines: int
    #: tables this unit maps (ORM models), writes and reads
    maps: frozenset[str]
    writes: frozenset[str]
    reads: frozenset[str]
    #: "METHOD /path" of routes it serves
    routes: tuple[str, ...]
    config: frozenset[str]
    #: groups of tables named together in one SQL statement
    sql_statements: tuple[tuple[str, ...], ...] = ()
    #: module-level variables (caches, registries) it reads or changes
    state: frozenset[str] = frozenset()

    @property
    def tables(self) -> frozenset[str]:
        return self.maps | self.writes | self.reads


@dataclass(frozen=True, slots=True)
class UnitGraph:
    """Units and the directed, weighted dependencies between them."""

    units: dict[str, Unit]
    #: (source unit, target unit) → {"call": n, "inherit": n, "reference": n}
    edges: dict[tuple[str, str], dict[str, int]]
    #: (source unit, target unit) → what cannot travel as JSON in those calls:
    #: object, function or class arguments, and parameters typed with project classes
    payloads: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def calls(self) -> dict[tuple[str, str], int]:
        return {pair: kinds["call"] for pair, kinds in self.edges.items() if kinds.get("call")}


def unit_of(graph: nx.MultiDiGraph, node: str, cache: dict[str, str | None]) -> str | None:
    """The top-level class or function that contains ``node`` (None for module-level code)."""
    if node in cache:
        return cache[node]
    data = graph.nodes[node]
    kind = data.get("kind")
    result: str | None
    if kind in _UNIT_KINDS and graph.nodes.get(data.get("parent", ""), {}).get("kind") == "module":
        result = node
    elif kind in ("class", "function", "method"):
        parent = data.get("parent", "")
        result = unit_of(graph, parent, cache) if parent in graph else None
    else:
        result = None
    cache[node] = result
    return result


def route_resource(path: str) -> str:
    """The resource a route path serves: ``/api/v1/orders/<int:id>`` → ``orders``.

    >>> route_resource("/api/v1/orders/<int:order_id>/cancel"), route_resource("/healthz")
    ('orders', 'healthz')
    """
    for segment in path.strip("/").split("/"):
        if segment.lower() in _GENERIC_SEGMENTS or _VERSION.match(segment.lower()):
            continue
        if segment.startswith(("<", "{", "(", "^", ":")):
            break
        return segment.lower()
    return "root"


def build_unit_graph(graph: nx.MultiDiGraph) -> UnitGraph:
    """Fold the analysis graph onto top-level symbols. Pure: ``graph`` is not modified."""
    cache: dict[str, str | None] = {}
    maps: dict[str, set[str]] = defaultdict(set)
    writes: dict[str, set[str]] = defaultdict(set)
    reads: dict[str, set[str]] = defaultdict(set)
    routes: dict[str, list[str]] = defaultdict(list)
    config: dict[str, set[str]] = defaultdict(set)
    state: dict[str, set[str]] = defaultdict(set)
    edges: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    payloads: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, target, data in graph.edges(data=True):
        kind = data["kind"]
        if kind == "route":
            handler = unit_of(graph, target, cache)
            if handler is not None:
                node = graph.nodes[source]
                routes[handler].append(f"{node['method']} {node['path']}")
            continue
        unit = unit_of(graph, source, cache)
        if unit is None:
            continue
        if kind in ("maps", "write", "read"):
            table = graph.nodes[target]["name"]
            {"maps": maps, "write": writes, "read": reads}[kind][unit].add(table)
        elif kind == "config":
            config[unit].add(graph.nodes[target]["name"])
        elif kind == "state":
            state[unit].add(target)
        elif kind in ("call", "inherit", "reference"):
            other = unit_of(graph, target, cache)
            if other is not None and other != unit:
                edges[(unit, other)][kind] += int(data.get("weight", 1))
                if kind == "call":
                    for text in (data.get("passes"), graph.nodes[target].get("object_params")):
                        payloads[(unit, other)].update(t for t in str(text or "").split("; ") if t)
    units: dict[str, Unit] = {}
    for node, data in sorted(graph.nodes(data=True)):
        if unit_of(graph, node, cache) != node:
            continue
        parent = data["parent"]
        sql = data.get("sql") or ""
        statements = tuple(tuple(statement.split(",")) for statement in sql.split(";") if statement)
        units[node] = Unit(
            id=node,
            module=parent,
            kind=data["kind"],
            lines=int(data.get("size") or 0),
            maps=frozenset(maps.get(node, ())),
            writes=frozenset(writes.get(node, ())),
            reads=frozenset(reads.get(node, ())),
            routes=tuple(sorted(routes.get(node, ()))),
            config=frozenset(config.get(node, ())),
            sql_statements=statements,
            state=frozenset(state.get(node, ())),
        )
    return UnitGraph(
        units,
        {pair: dict(kinds) for pair, kinds in sorted(edges.items())},
        {pair: tuple(sorted(found)) for pair, found in sorted(payloads.items()) if found},
    )
