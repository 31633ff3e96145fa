"""The static comparison of two architectures: pure functions over two :class:`Side` objects.

* Units are matched by content: two units are the same unit when their symbol
  sets have a Jaccard similarity of at least :data:`MATCH_THRESHOLD`; units
  left unmatched that share a name are the same unit, reshaped. Anything else
  is removed (only in A) or added (only in B).
* A symbol *moved* when its unit in B is not the match of its unit in A. A
  renamed unit therefore moves nothing; a split moves everything it had.
* Coupling uses :func:`analyzer.plan.metrics.compute_metrics` on the graph
  each side was analysed from, with the side's units as the services.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from analyzer.plan.metrics import compute_metrics
from generator.diff.hops import route_reach
from generator.diff.model import (
    SHARED,
    Coupling,
    Diff,
    Move,
    NetworkCall,
    RouteDiff,
    RouteReach,
    Side,
    UnitMatch,
)

#: Jaccard similarity from which two units are the same unit. Above one half, so a unit has at most
#: one match and greedy matching is exact; high enough that a unit which kept only a bare majority
#: of its code (the monolith's business logic in a two-tier server) counts as split, not renamed.
MATCH_THRESHOLD = 0.6


def compare(a: Side, b: Side) -> Diff:
    """Everything ``monosplit diff`` reports statically about going from ``a`` to ``b``."""
    units = match_units(a, b)
    return Diff(
        a=a,
        b=b,
        units=units,
        moves=moved_symbols(a, b, units),
        coupling_a=coupling(a),
        coupling_b=coupling(b),
        routes=route_diffs(a, b),
    )


def jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    """Size of the intersection over size of the union; 1.0 for two empty sets.

    >>> jaccard(frozenset("abc"), frozenset("bcd"))
    0.5
    """
    union = len(x | y)
    return len(x & y) / union if union else 1.0


def match_units(a: Side, b: Side) -> tuple[UnitMatch, ...]:
    """Every unit of A and B, paired where they are the same unit (see the module docstring).

    The shared library is not a unit: it is present on a side that has one, and moves to and from
    it show in the move table.
    """
    a_units = {u.name: u.symbols for u in a.units}
    b_units = {u.name: u.symbols for u in b.units}
    candidates = sorted(
        ((jaccard(x, y), name_a, name_b) for name_a, x in a_units.items() for name_b, y in b_units.items()),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    pairs: dict[str, str] = {}
    taken: set[str] = set()
    for similarity, name_a, name_b in candidates:
        if similarity < MATCH_THRESHOLD:
            break
        if name_a not in pairs and name_b not in taken:
            pairs[name_a] = name_b
            taken.add(name_b)
    for name in sorted(set(a_units) & set(b_units)):
        if name not in pairs and name not in taken:
            pairs[name] = name
            taken.add(name)
    b_owner = b.owner
    a_owner = a.owner
    matches: list[UnitMatch] = []
    for name_a, x in sorted(a_units.items()):
        partner = pairs.get(name_a)
        if partner is None:
            went = Counter(b_owner[s] for s in x if s in b_owner)
            matches.append(UnitMatch(name_a, None, "removed", flows=_largest(went)))
            continue
        y = b_units[partner]
        status = "renamed" if name_a != partner else "same" if x == y else "changed"
        matches.append(UnitMatch(name_a, partner, status, round(jaccard(x, y), 4), len(x & y)))
    for name_b, y in sorted(b_units.items()):
        if name_b not in taken:
            came = Counter(a_owner[s] for s in y if s in a_owner)
            matches.append(UnitMatch(None, name_b, "added", flows=_largest(came)))
    return tuple(matches)


def _largest(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def moved_symbols(a: Side, b: Side, units: Iterable[UnitMatch]) -> tuple[Move, ...]:
    """Symbols whose unit in B is not the match of their unit in A, sorted by symbol."""
    match = {m.a: m.b for m in units if m.a is not None}
    match[SHARED] = SHARED
    a_owner, b_owner = a.owner, b.owner
    moves = []
    for symbol in sorted(set(a_owner) | set(b_owner)):
        source, target = a_owner.get(symbol), b_owner.get(symbol)
        if source is None or target is None or match.get(source) != target:
            moves.append(Move(symbol, source, target))
    return tuple(moves)


def network_calls(side: Side) -> tuple[NetworkCall, ...]:
    """Call edges of the graph between code deployed in different units.

    Calls to the shared library, and to value types copied into the caller's unit, stay in-process.
    """
    owner = side.owner
    copies = {u.name: u.copies for u in side.units}
    graph = side.graph
    found = []
    for caller, callees in graph.calls.items():
        caller_top = graph.top.get(caller)
        source = owner.get(caller_top) if caller_top else None
        if source is None or source == SHARED:
            continue
        for callee in callees:
            callee_top = graph.top.get(callee)
            target = owner.get(callee_top) if callee_top else None
            if target is None or target in (SHARED, source) or callee_top in copies.get(source, ()):
                continue
            found.append(NetworkCall(caller, callee, source, target))
    return tuple(sorted(found))


def coupling(side: Side) -> Coupling:
    """The side's metrics, network calls, tables touched by several units, and API per unit."""
    units = side.graph.units
    owner = side.owner  # top-level symbol → unit: the assignment the plan metrics take
    metrics = compute_metrics(units, owner)
    touched: dict[str, set[str]] = defaultdict(set)
    for uid, unit in units.units.items():
        name = owner.get(uid)
        if name is not None and name != SHARED:
            for table in unit.tables:
                touched[table].add(name)
    shared_tables = tuple(
        (table, tuple(sorted(names))) for table, names in sorted(touched.items()) if len(names) > 1
    )
    calls = network_calls(side)
    if side.kind == "architecture":
        # the generated units' real API: the functions their internal API serves
        api = {u.name: tuple(sorted(u.exports)) for u in side.units}
    else:
        called: dict[str, set[str]] = defaultdict(set)
        for call in calls:
            called[call.target_unit].add(side.graph.top[call.callee])
        api = {u.name: tuple(sorted(called.get(u.name, ()))) for u in side.units}
    return Coupling(metrics, calls, shared_tables, tuple(sorted(api.items())))


def route_diffs(a: Side, b: Side) -> tuple[RouteDiff, ...]:
    """Each route of either side's graph, with what its handler reaches on each side."""
    reach_a = _reaches(a)
    reach_b = _reaches(b)
    keys = sorted(set(reach_a) | set(reach_b), key=_route_order)
    return tuple(RouteDiff(key, reach_a.get(key), reach_b.get(key)) for key in keys)


def _route_order(key: str) -> tuple[str, str]:
    method, _, path = key.partition(" ")
    return (path, method)


def _reaches(side: Side) -> Mapping[str, RouteReach]:
    owner = side.owner
    copies = {u.name: u.copies for u in side.units}
    served = {f"{method} {rule}": u.name for u in side.units for method, rule in u.routes}
    result: dict[str, RouteReach] = {}
    for route in side.graph.routes:
        entry = served.get(route.key)
        reach = route_reach(side.graph, route, owner=owner, copies=copies, entry=entry)
        if reach is not None:
            result[route.key] = reach
    return result
