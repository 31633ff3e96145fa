"""Numbers a person wants first: sizes, edge counts, cycles, the most coupled modules."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzer.graph import CODE_KINDS, EDGE_KINDS, NODE_KINDS

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, slots=True)
class ModuleCoupling:
    module: str
    fan_in: int  # distinct modules that depend on it
    fan_out: int  # distinct modules it depends on

    @property
    def total(self) -> int:
        return self.fan_in + self.fan_out


@dataclass(frozen=True, slots=True)
class Summary:
    nodes_by_kind: tuple[tuple[str, int], ...]
    edges_by_kind: tuple[tuple[str, int], ...]
    import_cycles: tuple[tuple[str, ...], ...]
    most_coupled: tuple[ModuleCoupling, ...]


def module_of(graph: nx.MultiDiGraph, node: str) -> str | None:
    """The module a code node is in (walking ``parent`` links)."""
    data = graph.nodes[node]
    while data.get("kind") in CODE_KINDS and data.get("kind") != "module":
        node = data["parent"]
        data = graph.nodes[node]
    return node if data.get("kind") == "module" else None


def summarize(graph: nx.MultiDiGraph, *, top: int = 10) -> Summary:
    """Sizes, edge counts, import cycles and the most coupled modules of a graph."""
    import networkx as nx

    nodes = Counter(data["kind"] for _, data in graph.nodes(data=True))
    edges = Counter(data["kind"] for _, _, data in graph.edges(data=True))

    imports = nx.DiGraph()
    imports.add_nodes_from(n for n, d in graph.nodes(data=True) if d["kind"] == "module")
    for u, v, data in graph.edges(data=True):
        if data["kind"] == "import" and not data.get("type_checking"):
            imports.add_edge(u, v)
    cycles = sorted(
        (tuple(sorted(c)) for c in nx.strongly_connected_components(imports) if len(c) > 1),
        key=lambda c: (-len(c), c),
    )

    owner: dict[str, str | None] = {}
    for node, data in graph.nodes(data=True):
        if data["kind"] in CODE_KINDS:
            owner[node] = module_of(graph, node)
    depends: dict[str, set[str]] = defaultdict(set)
    dependents: dict[str, set[str]] = defaultdict(set)
    for u, v, data in graph.edges(data=True):
        if data["kind"] not in ("import", "call", "inherit", "reference"):
            continue
        mu, mv = owner.get(u), owner.get(v)
        if mu and mv and mu != mv:
            depends[mu].add(mv)
            dependents[mv].add(mu)
    coupling = [
        ModuleCoupling(m, len(dependents[m]), len(depends[m])) for m in set(depends) | set(dependents)
    ]
    coupling.sort(key=lambda c: (-c.total, c.module))
    return Summary(
        nodes_by_kind=tuple((k, nodes.get(k, 0)) for k in NODE_KINDS),
        edges_by_kind=tuple((k, edges.get(k, 0)) for k in EDGE_KINDS),
        import_cycles=tuple(cycles),
        most_coupled=tuple(coupling[:top]),
    )
