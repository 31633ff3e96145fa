"""The analysed dependency graph, reduced to what a diff walks: units, calls and routes.

Built from a networkx graph (an analysis) or from ``graph.json`` (the
``monosplit-graph`` document, docs/graph-format.md). Pure: the graph given is
never modified.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from analyzer.plan.units import UnitGraph, build_unit_graph, unit_of

GRAPH_FORMAT = "monosplit-graph"
GRAPH_VERSION = 1
_CODE_KINDS = frozenset({"class", "function", "method"})


class GraphFormatError(ValueError):
    """A document that is not a version-1 monosplit graph."""


@dataclass(frozen=True, slots=True)
class Route:
    """An HTTP route of the analysed code and the functions that handle it."""

    method: str
    path: str
    handlers: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class CodeGraph:
    """Units (top-level symbols), the call edges between code nodes, and the routes."""

    units: UnitGraph
    #: class, function and method id → the top-level symbol that contains it
    top: Mapping[str, str]
    #: code node → the code nodes it calls, sorted
    calls: Mapping[str, tuple[str, ...]]
    routes: tuple[Route, ...]

    @property
    def symbols(self) -> frozenset[str]:
        return frozenset(self.units.units)


def code_graph(graph: nx.MultiDiGraph) -> CodeGraph:
    """The :class:`CodeGraph` of an analysis graph."""
    cache: dict[str, str | None] = {}
    top: dict[str, str] = {}
    for node, data in graph.nodes(data=True):
        if data.get("kind") in _CODE_KINDS:
            unit = unit_of(graph, node, cache)
            if unit is not None:
                top[node] = unit
    calls: dict[str, set[str]] = defaultdict(set)
    handlers: dict[str, set[str]] = defaultdict(set)
    for source, target, kind in graph.edges(keys=True):
        if kind == "call" and source != target:
            calls[source].add(target)
        elif kind == "route":
            handlers[source].add(target)
    routes = []
    for node, found in handlers.items():
        data = graph.nodes[node]
        routes.append(Route(str(data.get("method", "ANY")), str(data.get("path", "")), tuple(sorted(found))))
    return CodeGraph(
        units=build_unit_graph(graph),
        top=top,
        calls={node: tuple(sorted(targets)) for node, targets in sorted(calls.items())},
        routes=tuple(sorted(routes, key=lambda r: (r.path, r.method))),
    )


def graph_from_document(document: Any) -> nx.MultiDiGraph:
    """The networkx graph of a ``graph.json`` document (edges keyed by kind, as the analysis builds them).

    Raises :class:`GraphFormatError` when the document is not a version-1 monosplit graph.
    """
    if not isinstance(document, dict) or document.get("format") != GRAPH_FORMAT:
        raise GraphFormatError(f'not a monosplit graph ("format" must be "{GRAPH_FORMAT}")')
    if document.get("version") != GRAPH_VERSION:
        raise GraphFormatError(
            f"unsupported graph version {document.get('version')!r} (this monosplit reads {GRAPH_VERSION})"
        )
    nodes, edges = document.get("nodes"), document.get("edges")
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise GraphFormatError('"nodes" and "edges" must be lists')
    graph = nx.MultiDiGraph()
    try:
        for node in nodes:
            graph.add_node(node["id"], **{k: v for k, v in node.items() if k != "id"})
        for edge in edges:
            attributes = {k: v for k, v in edge.items() if k not in ("source", "target")}
            graph.add_edge(edge["source"], edge["target"], key=edge["kind"], **attributes)
    except (KeyError, TypeError) as exc:
        raise GraphFormatError(f"a node or edge lacks {exc}") from None
    for node, data in graph.nodes(data=True):
        if "kind" not in data:
            raise GraphFormatError(f"node {node!r} has no kind (an edge names a node the document lacks)")
    return graph
