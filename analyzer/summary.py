"""Numbers a person wants first: sizes, edge counts, cycles, the most coupled modules."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from analyzer.graph import CODE_KINDS, EDGE_KINDS, NODE_KINDS, GraphData


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


def module_of(nodes: dict[str, dict[str, Any]], node: str) -> str | None:
    """The module a code node is in (walking ``parent`` links)."""
    data = nodes[node]
    while data.get("kind") in CODE_KINDS and data.get("kind") != "module":
        node = data["parent"]
        data = nodes[node]
    return node if data.get("kind") == "module" else None


def summarize(data: GraphData, *, top: int = 10) -> Summary:
    """Sizes, edge counts, import cycles and the most coupled modules of a graph (as plain data)."""
    nodes = dict(data[0])
    node_counts = Counter(attrs["kind"] for attrs in nodes.values())
    edge_counts: Counter[str] = Counter()

    # the module of each code node: a node's parent comes before it, so one pass mostly suffices
    owner: dict[str, str | None] = {}
    for node, attrs in nodes.items():
        kind = attrs["kind"]
        if kind == "module":
            owner[node] = node
        elif kind in CODE_KINDS:
            parent = attrs["parent"]
            owner[node] = owner[parent] if parent in owner else module_of(nodes, node)

    imports: dict[str, list[str]] = {n: [] for n, attrs in nodes.items() if attrs["kind"] == "module"}
    depends: dict[str, set[str]] = defaultdict(set)
    dependents: dict[str, set[str]] = defaultdict(set)
    for u, v, kind, attrs in data[1]:
        edge_counts[kind] += 1
        if kind not in _COUPLING_KINDS:
            continue
        if kind == "import" and not attrs.get("type_checking"):
            imports.setdefault(u, []).append(v)
            imports.setdefault(v, [])
        mu, mv = owner.get(u), owner.get(v)
        if mu and mv and mu != mv:
            depends[mu].add(mv)
            dependents[mv].add(mu)
    cycles = sorted(
        (tuple(sorted(c)) for c in _strongly_connected(imports) if len(c) > 1),
        key=lambda c: (-len(c), c),
    )
    coupling = [
        ModuleCoupling(m, len(dependents[m]), len(depends[m])) for m in set(depends) | set(dependents)
    ]
    coupling.sort(key=lambda c: (-c.total, c.module))
    return Summary(
        nodes_by_kind=tuple((k, node_counts.get(k, 0)) for k in NODE_KINDS),
        edges_by_kind=tuple((k, edge_counts.get(k, 0)) for k in EDGE_KINDS),
        import_cycles=tuple(cycles),
        most_coupled=tuple(coupling[:top]),
    )


_COUPLING_KINDS = frozenset({"import", "call", "inherit", "reference"})


def _strongly_connected(graph: dict[str, list[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(graph[succ])))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    found.append(component)
    return found
