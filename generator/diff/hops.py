"""Network hops of one route: walk the call graph from its handler and count unit boundaries crossed.

The walk runs over (code node, unit it runs in) pairs. A call to code of the
same unit, to the shared library, to a value type copied into the unit, or to
module-level code stays in the unit; a call to code another unit owns is a
network call and continues in that unit. So a route's reach is an upper bound
of what one request may do: every call the code *could* make, each counted once.

* ``hops``: distinct crossing call edges reached (caller, callee, from unit, to unit);
* ``depth``: the most crossings on one call path (call-graph cycles collapsed first);
* ``units``: the entry unit, then every unit a crossing reaches.
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from generator.diff.codegraph import CodeGraph, Route
from generator.diff.model import SHARED, RouteReach

State = tuple[str, str]  # (code node, unit it runs in)


def route_reach(
    graph: CodeGraph,
    route: Route,
    *,
    owner: Mapping[str, str],
    copies: Mapping[str, frozenset[str]],
    entry: str | None = None,
) -> RouteReach | None:
    """What ``route``'s handlers reach on a side whose top-level symbols belong to ``owner``'s units.

    The entry unit is the one owning the handler; ``entry`` (the unit serving the route in a generated
    architecture) when the handler is shared or unknown. ``None`` when no unit can be found.
    """
    starts: list[State] = []
    for handler in route.handlers:
        unit = owner.get(graph.top.get(handler, ""))
        if unit is None or unit == SHARED:
            unit = entry
        if unit is not None:
            starts.append((handler, unit))
    if not starts:
        return None
    first_unit = starts[0][1]
    states = nx.DiGraph()
    crossings: set[tuple[str, str, str, str]] = set()
    stack = list(starts)
    states.add_nodes_from(starts)
    while stack:
        node, unit = state = stack.pop()
        for callee in graph.calls.get(node, ()):
            callee_top = graph.top.get(callee)
            target = owner.get(callee_top) if callee_top is not None else None
            following: State
            if target is None or target in (SHARED, unit) or callee_top in copies.get(unit, frozenset()):
                following, crossed = (callee, unit), 0
            else:
                following, crossed = (callee, target), 1
                crossings.add((node, callee, unit, target))
            if states.has_edge(state, following):
                continue
            known = following in states
            states.add_edge(state, following, crossed=crossed)
            if not known:
                stack.append(following)
    depth, cyclic = _deepest(states, starts)
    touched = [first_unit]
    for unit in sorted({s[1] for s in starts} | {c[3] for c in crossings}):
        if unit not in touched:
            touched.append(unit)
    return RouteReach(first_unit, len(crossings), depth, tuple(touched), cyclic)


def _deepest(states: nx.DiGraph, starts: list[State]) -> tuple[int, bool]:
    """The most crossings on one path from a start, with strongly connected parts collapsed.

    Returns the depth and whether a crossing lies on a cycle (units calling each other in a loop).
    """
    condensed = nx.condensation(states)
    member = condensed.graph["mapping"]
    weight: dict[tuple[int, int], int] = {}
    cyclic = False
    for u, v, data in states.edges(data=True):
        cu, cv = member[u], member[v]
        if cu == cv:
            cyclic = cyclic or bool(data["crossed"])
            continue
        weight[(cu, cv)] = max(weight.get((cu, cv), 0), data["crossed"])
    best: dict[int, int] = {}
    for component in reversed(list(nx.topological_sort(condensed))):
        best[component] = max(
            (weight[(component, nxt)] + best[nxt] for nxt in condensed.successors(component)), default=0
        )
    return max(best[member[s]] for s in starts), cyclic
