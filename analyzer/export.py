"""Write an analysis as JSON, GraphML or Graphviz DOT. Deterministic: sorted, no timestamps."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

from analyzer.analysis import Analysis

if TYPE_CHECKING:
    import networkx as nx

#: Version of the JSON document; bumped on any incompatible change (see docs/graph-format.md).
JSON_FORMAT = "monosplit-graph"
JSON_VERSION = 1
FORMATS = ("json", "graphml", "dot")

_EDGE_COLOURS = {
    "import": "#888888",
    "call": "#1f77b4",
    "inherit": "#2ca02c",
    "reference": "#bcbd22",
    "maps": "#8c564b",
    "read": "#17becf",
    "column": "#9edae5",
    "write": "#d62728",
    "route": "#9467bd",
    "config": "#ff7f0e",
}
_NODE_SHAPES = {
    "module": "folder",
    "class": "box",
    "function": "ellipse",
    "method": "ellipse",
    "table": "cylinder",
    "route": "cds",
    "config": "note",
}


def _sorted_edges(graph: nx.MultiDiGraph) -> list[tuple[str, str, dict[str, Any]]]:
    return sorted(
        ((u, v, data) for u, v, data in graph.edges(data=True)),
        key=lambda e: (e[0], e[1], e[2]["kind"]),
    )


def to_json_document(analysis: Analysis) -> dict[str, Any]:
    graph = analysis.graph
    nodes = [{"id": n, **graph.nodes[n]} for n in sorted(graph.nodes)]
    edges = [{"source": u, "target": v, **data} for u, v, data in _sorted_edges(graph)]
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "root": analysis.root,
        "summary": {
            "files": analysis.files,
            "lines": analysis.lines,
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "calls": {
                "total": analysis.calls.total,
                "internal": analysis.calls.internal,
                "external": analysis.calls.external,
                "unresolved": analysis.calls.unresolved,
            },
        },
        "nodes": nodes,
        "edges": edges,
        "problems": [{"file": p.file, "line": p.line, "reason": p.reason} for p in analysis.problems],
        "unresolved_imports": [
            {"file": u.file, "line": u.line, "module": u.module, "name": u.name}
            for u in analysis.unresolved_imports
        ],
    }


def to_json(analysis: Analysis) -> str:
    return json.dumps(to_json_document(analysis), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def to_graphml(analysis: Analysis) -> str:
    import networkx as nx

    graph = nx.MultiDiGraph(name=analysis.root)
    for node in sorted(analysis.graph.nodes):
        attrs = {k: v for k, v in analysis.graph.nodes[node].items() if v is not None}
        graph.add_node(node, **attrs)
    for u, v, data in _sorted_edges(analysis.graph):
        graph.add_edge(u, v, key=data["kind"], **data)
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return buffer.getvalue().decode("utf-8")


def _dot_quote(text: object) -> str:
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(analysis: Analysis) -> str:
    graph = analysis.graph
    lines = [
        f"digraph {_dot_quote(analysis.root)} {{",
        "  graph [rankdir=LR, fontname=Helvetica];",
        "  node [fontname=Helvetica, fontsize=10];",
        "  edge [fontname=Helvetica, fontsize=8];",
    ]
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        shape = _NODE_SHAPES.get(data.get("kind", ""), "ellipse")
        lines.append(f"  {_dot_quote(node)} [shape={shape}, tooltip={_dot_quote(data.get('kind', ''))}];")
    for u, v, data in _sorted_edges(graph):
        colour = _EDGE_COLOURS.get(data["kind"], "black")
        lines.append(
            f"  {_dot_quote(u)} -> {_dot_quote(v)} "
            f"[color={_dot_quote(colour)}, label={_dot_quote(data['kind'])}, weight={int(data['weight'])}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(analysis: Analysis, fmt: str) -> str:
    """The analysis in one of :data:`FORMATS`."""
    if fmt == "json":
        return to_json(analysis)
    if fmt == "graphml":
        return to_graphml(analysis)
    if fmt == "dot":
        return to_dot(analysis)
    raise ValueError(f"unknown format {fmt!r}")
