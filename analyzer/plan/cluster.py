"""Find capabilities: group units into services, and set shared helpers apart.

Louvain community detection is the base, run on a graph that also holds
what makes a capability a capability rather than a dense cluster:

* **data ownership** — every table is a vertex; the model that maps it is
  tied to it strongly, code that writes it less, code that reads it least,
  so the code around one set of tables lands together and the table's
  community is its owner;
* **route resources** — ``/api/orders/...`` handlers share a vertex for
  ``orders``;
* **calls, inheritance and references** between units, damped (one call
  or ten between two functions is not a ten-times stronger tie).

Shared helpers — units with no data and no routes that code of several
capabilities depends on, and that depend only on other shared helpers — are
taken out before the final clustering, so they do not glue capabilities
together. Pins from the user are applied exactly.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Set
from dataclasses import dataclass

import networkx as nx

from analyzer.plan.pins import Pins
from analyzer.plan.units import UnitGraph, route_resource

WEIGHT_MAPS = 8.0
WEIGHT_WRITE = 3.0
WEIGHT_READ = 1.0
WEIGHT_ROUTE = 2.0
WEIGHT_INHERIT = 3.0
WEIGHT_REFERENCE = 0.5
#: Code sharing a module-level cache or registry must stay together, or the state splits.
WEIGHT_STATE = 2.0
#: Living in the same module is a weak hint only: layered code mixes capabilities.
WEIGHT_MODULE = 0.3
#: Communities smaller than this, with no table of their own, join a neighbour.
MIN_SERVICE_UNITS = 3
#: Without a target, groups below 1/this of the code join a neighbour.
MAX_NATURAL_SERVICES = 40


@dataclass(frozen=True, slots=True)
class Clustering:
    """Groups of units (each a future service), the shared units, table owners."""

    groups: tuple[frozenset[str], ...]
    shared: frozenset[str]
    #: table → index into ``groups`` of the group that owns it
    table_owner: dict[str, int]
    resolution: float
    #: pinned service name → index of its group
    pinned_names: dict[str, int]


def _tie(kinds: dict[str, int]) -> float:
    calls = kinds.get("call", 0)
    return (
        (1.0 + math.log(calls) if calls else 0.0)
        + WEIGHT_INHERIT * (1 if kinds.get("inherit") else 0)
        + WEIGHT_REFERENCE * (1 if kinds.get("reference") else 0)
    )


def _clustering_graph(units: UnitGraph, members: Iterable[str]) -> nx.Graph:
    keep = set(members)
    graph = nx.Graph()
    graph.add_nodes_from(sorted(keep))

    def add(a: str, b: str, weight: float) -> None:
        if weight <= 0:
            return
        if graph.has_edge(a, b):
            graph[a][b]["weight"] += weight
        else:
            graph.add_edge(a, b, weight=weight)

    for (source, target), kinds in units.edges.items():
        if source in keep and target in keep:
            add(source, target, _tie(kinds))
    for uid in sorted(keep):
        unit = units.units[uid]
        for table in sorted(unit.maps):
            add(uid, f"table:{table}", WEIGHT_MAPS)
        for table in sorted(unit.writes - unit.maps):
            add(uid, f"table:{table}", WEIGHT_WRITE)
        for table in sorted(unit.reads - unit.writes - unit.maps):
            add(uid, f"table:{table}", WEIGHT_READ)
        for route in unit.routes:
            add(uid, f"resource:{route_resource(route.split(' ', 1)[1])}", WEIGHT_ROUTE)
        for variable in sorted(unit.state):
            add(uid, f"state:{variable}", WEIGHT_STATE)
        add(uid, f"module:{unit.module}", WEIGHT_MODULE)
    return graph


def _contract(graph: nx.Graph, groups: Iterable[tuple[str, ...]]) -> tuple[nx.Graph, dict[str, str]]:
    """Merge each group of vertices into its first member; return the merged-into map."""
    merged: dict[str, str] = {}
    for group in groups:
        present = [g for g in group if g in graph]
        if len(present) < 2:
            continue
        head = merged.get(present[0], present[0])
        for other in present[1:]:
            other = merged.get(other, other)
            if other == head:
                continue
            graph = nx.contracted_nodes(graph, head, other, self_loops=False, copy=True)
            for key, value in list(merged.items()):
                if value == other:
                    merged[key] = head
            merged[other] = head
    return graph, merged


def _communities(graph: nx.Graph, resolution: float, seed: int) -> list[set[str]]:
    if graph.number_of_edges() == 0:
        return [{n} for n in sorted(graph.nodes)]
    found = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    return sorted((set(c) for c in found), key=lambda c: sorted(c)[0])


def _strength(graph: nx.Graph, node: str, community: set[str]) -> float:
    return sum(d["weight"] for n, d in graph[node].items() if n in community)


def _merge_small(graph: nx.Graph, communities: list[set[str]], pinned: set[str]) -> list[set[str]]:
    """Fold communities too small to be a service into their best-connected neighbour.

    One pass, smallest first, with the membership map updated as it goes, so
    thousands of tiny communities in a big codebase cost one sweep.
    """
    members = [set(c) for c in communities]
    owner = {n: i for i, c in enumerate(members) for n in c}
    order = sorted(range(len(members)), key=lambda i: (len(members[i]), sorted(members[i])[0]))
    total_units = sum(1 for c in members for n in c if ":" not in n)
    # A service is a capability, not a helper: in a big codebase, a group of a
    # handful of symbols out of thousands joins its neighbour.
    minimum = max(MIN_SERVICE_UNITS, math.ceil(total_units / MAX_NATURAL_SERVICES))
    # package prefix → communities with code under it, for placing unconnected groups
    by_prefix: dict[tuple[str, ...], set[int]] = defaultdict(set)
    prefixes = [_package_prefixes(c) for c in members]
    for index, found in enumerate(prefixes):
        for prefix in found:
            by_prefix[prefix].add(index)
    for i in order:
        community = members[i]
        units = sum(1 for n in community if ":" not in n)
        if not community or units >= minimum or community & pinned:
            continue
        if units and any(n.startswith("table:") for n in community):
            continue
        ties: dict[int, float] = defaultdict(float)
        for node in community:
            for neighbour, data in graph[node].items():
                j = owner[neighbour]
                if j != i:
                    ties[j] += data["weight"]
        if ties:
            target = max(ties, key=lambda j: (ties[j], -j))
        else:
            # unconnected (a lone management command, a plugin): it joins the
            # group living nearest in the package tree — location is the only hint left
            nearest = None
            for prefix in sorted(prefixes[i], key=lambda p: (-len(p), p)):
                others = by_prefix[prefix] - {i}
                if others:
                    nearest = max(others, key=lambda j: (len(members[j]), -j))
                    break
            if nearest is None:
                continue
            target = nearest
        for node in community:
            owner[node] = target
        members[target] |= community
        members[i] = set()
        for prefix in prefixes[i]:
            by_prefix[prefix].discard(i)
            by_prefix[prefix].add(target)
        prefixes[target] |= prefixes[i]
    return [c for c in members if c]


def _package_prefixes(community: set[str]) -> set[tuple[str, ...]]:
    """Every package prefix of the modules a community's vertices live in."""
    prefixes: set[tuple[str, ...]] = set()
    for node in community:
        if ":" in node and not node.startswith("module:"):
            continue
        name = node.split(":", 1)[1] if node.startswith("module:") else node
        path = tuple(name.split(".")[:-1])
        prefixes.update(path[:depth] for depth in range(1, len(path) + 1))
    return prefixes


def _unit_count(communities: list[set[str]]) -> int:
    return sum(1 for c in communities if any(":" not in n for n in c))


def _cluster_once(
    graph: nx.Graph, *, seed: int, target: int | None, pinned: set[str]
) -> tuple[list[set[str]], float]:
    if target is None:
        return _most_stable(graph, seed=seed, pinned=pinned)
    low, high = 0.01, 20.0
    best: tuple[int, float, list[set[str]]] | None = None
    for _ in range(24):
        resolution = math.sqrt(low * high)
        found = _merge_small(graph, _communities(graph, resolution, seed), pinned)
        count = _unit_count(found)
        if best is None or abs(count - target) < abs(best[0] - target):
            best = (count, resolution, found)
        if count == target:
            break
        if count < target:
            low = resolution
        else:
            high = resolution
    assert best is not None
    count, resolution, found = best
    while _unit_count(found) > target:
        found = _merge_weakest(graph, found)
    return found, resolution


#: Resolutions tried when the user gives no target: 0.1 to about 1, in steps of 15%.
RESOLUTIONS = tuple(round(0.1 * 1.15**i, 4) for i in range(17))


def _most_stable(graph: nx.Graph, *, seed: int, pinned: set[str]) -> tuple[list[set[str]], float]:
    """The partition whose number of services holds over the widest range of resolutions.

    A count of communities that survives many resolutions reflects structure
    in the code; one that appears at a single resolution is an artefact of
    the parameter. Ties go to fewer services (the simpler system), and the
    partition in the middle of the winning range is returned.
    """
    runs: list[tuple[int, list[tuple[float, list[set[str]]]]]] = []
    for resolution in RESOLUTIONS:
        found = _merge_small(graph, _communities(graph, resolution, seed), pinned)
        count = _unit_count(found)
        if runs and runs[-1][0] == count:
            runs[-1][1].append((resolution, found))
        else:
            runs.append((count, [(resolution, found)]))
    count, members = max(runs, key=lambda run: (len(run[1]), -run[0]))
    resolution, found = members[len(members) // 2]
    return found, resolution


def _merge_weakest(graph: nx.Graph, communities: list[set[str]]) -> list[set[str]]:
    """Merge the smallest community into the one it is most tied to."""
    with_units = [c for c in communities if any(":" not in n for n in c)]
    victim = min(with_units, key=lambda c: (len(c), sorted(c)[0]))
    others = [c for c in communities if c is not victim]
    best = max(others, key=lambda c: (sum(_strength(graph, n, c) for n in victim), sorted(c)[0]))
    best |= victim
    return [c for c in communities if c is not victim]


#: Route resources that serve operations, not a business capability.
OPERATIONAL_RESOURCES = frozenset(
    {"healthz", "health", "readyz", "ready", "livez", "live", "ping", "status", "metrics", "version"}
)


def _business_routes(routes: tuple[str, ...]) -> list[str]:
    return [r for r in routes if route_resource(r.split(" ", 1)[1]) not in OPERATIONAL_RESOURCES]


class _Dependencies:
    """Who depends on whom among units, and which units reach data."""

    def __init__(self, units: UnitGraph) -> None:
        self.dependants: dict[str, set[str]] = defaultdict(set)
        self.depends: dict[str, set[str]] = defaultdict(set)
        for source, target in units.edges:
            self.dependants[target].add(source)
            self.depends[source].add(target)
        # Everything that reaches data or a business route through what it uses:
        # a reverse breadth-first search from the units that touch them.
        self.reaches_data = {
            uid for uid, unit in units.units.items() if unit.tables or _business_routes(unit.routes)
        }
        frontier = list(self.reaches_data)
        while frontier:
            for dependant in self.dependants[frontier.pop()]:
                if dependant not in self.reaches_data:
                    self.reaches_data.add(dependant)
                    frontier.append(dependant)

    def closure(self, seeds: Iterable[str], *, exclude: Set[str]) -> set[str]:
        """``seeds`` and everything they use (never entering ``exclude``)."""
        found: set[str] = set()
        stack = sorted(seeds)
        while stack:
            uid = stack.pop()
            if uid in found:
                continue
            found.add(uid)
            stack.extend(dep for dep in self.depends[uid] if dep not in found and dep not in exclude)
        return found


def find_shared(units: UnitGraph, pins: Pins, deps: _Dependencies) -> frozenset[str]:
    """Units that belong in a shared library rather than any one service.

    A shared helper neither touches data nor serves business routes, directly
    or through anything it uses, is not part of a model's schema, and code in
    at least two other modules depends on it. Everything a shared helper uses
    is shared too, so the library never depends on a service.
    """
    pinned_to_service = pins.in_services
    # What one model's class body uses (its status enum) is part of that table's
    # schema: it belongs to the table's owner, however many use it. What several
    # models use (a column type) stays shareable.
    users_by_model: dict[str, set[str]] = defaultdict(set)
    for source, target in units.edges:
        if units.units[source].maps and source != target:
            users_by_model[target].add(source)
    schema = {uid for uid, models in users_by_model.items() if len(models) == 1}
    seeds = set(pins.shared)
    for uid, unit in units.units.items():
        if uid in pinned_to_service or uid in deps.reaches_data or uid in schema:
            continue
        other_modules = {units.units[d].module for d in deps.dependants[uid]} - {unit.module}
        if len(other_modules) >= 2:
            seeds.add(uid)
    return frozenset(deps.closure(seeds, exclude=pinned_to_service))


def find_infrastructure(
    units: UnitGraph, groups: Iterable[set[str]], deps: _Dependencies, pins: Pins
) -> set[str]:
    """Plumbing that clustering grouped as if it were a capability.

    A group that owns no data and serves no business route — the app
    factory, database setup, a health check — is the application's
    plumbing: every service needs its own copy. Its units that do not reach
    data (with what they use) join the shared library; the rest (an app
    factory that seeds a table, say) stay to be clustered with what they use.
    """
    pinned_to_service = pins.in_services
    plumbing: set[str] = set()
    for group in groups:
        members = [units.units[n] for n in group if n in units.units]
        if members and not any(m.tables or _business_routes(m.routes) for m in members):
            plumbing |= {
                m.id for m in members if m.id not in deps.reaches_data and m.id not in pinned_to_service
            }
    return deps.closure(plumbing, exclude=pinned_to_service)


def cluster_units(units: UnitGraph, *, pins: Pins, target: int | None, seed: int) -> Clustering:
    """Group ``units`` into services. Deterministic for the same input and ``seed``."""
    all_units = sorted(units.units)
    pinned_vertices = pins.in_services
    contract_groups = [tuple(members) for _, members in sorted(pins.services.items())] + list(pins.together)

    def run(members: list[str], *, quick: bool = False) -> tuple[list[set[str]], float]:
        graph = _clustering_graph(units, members)
        contracted, merged = _contract(graph, contract_groups)
        heads = {merged.get(u, u) for u in pinned_vertices if u in graph}
        if quick:  # one pass at the natural resolution: enough to spot plumbing groups
            found, resolution = _merge_small(contracted, _communities(contracted, 1.0, seed), heads), 1.0
        else:
            found, resolution = _cluster_once(contracted, seed=seed, target=target, pinned=heads)
        expanded: list[set[str]] = []
        del graph
        for community in found:
            full = set(community)
            for vertex, head in merged.items():
                if head in community:
                    full.add(vertex)
            expanded.append(full)
        return expanded, resolution

    deps = _Dependencies(units)
    shared = find_shared(units, pins, deps)
    first, _ = run([u for u in all_units if u not in shared], quick=True)
    shared = shared | find_infrastructure(units, first, deps, pins)
    final, resolution = run([u for u in all_units if u not in shared])

    groups = [frozenset(n for n in c if ":" not in n) for c in final]
    groups = _move_to_data_owner(units, groups, pins)
    groups = _move_to_module_home(units, groups, pins, deps)
    groups, shared = _settle_shared(units, groups, shared, pins, deps)
    groups = _apply_pins(groups, pins)
    pinned_names: dict[str, int] = {}
    for name, members in sorted(pins.services.items()):
        for index, group in enumerate(groups):
            if members and set(members) <= group:
                pinned_names[name] = index
    return Clustering(tuple(groups), shared, table_owners(units, groups), resolution, pinned_names)


def table_owners(units: UnitGraph, groups: Iterable[frozenset[str]]) -> dict[str, int]:
    """Each table's owner: the group whose code maps it, else writes it most, else reads it."""
    scores: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for index, group in enumerate(groups):
        for uid in group:
            unit = units.units[uid]
            for table in unit.maps:
                scores[table][index] += WEIGHT_MAPS
            for table in unit.writes:
                scores[table][index] += WEIGHT_WRITE
            for table in unit.reads:
                scores[table][index] += WEIGHT_READ
    return {
        table: max(by_group, key=lambda i: (by_group[i], -i)) for table, by_group in sorted(scores.items())
    }


def _move_to_data_owner(units: UnitGraph, groups: list[frozenset[str]], pins: Pins) -> list[frozenset[str]]:
    """Code that touches only one service's tables, written beside that service's code, joins it.

    A query function used mostly by another capability (``get_title`` in
    ``services/catalog.py``, called from streaming) is pulled towards its
    callers by the calls; but the table it reads is owned by the service its
    module mostly went to. Functions serving routes stay put (the route
    decides), and so do queries living apart from the owner's code: a
    read-only capability such as recommendations keeps its own queries.
    """
    owners = table_owners(units, groups)
    pinned = pins.in_services
    mutable = [set(g) for g in groups]
    index = {u: i for i, g in enumerate(groups) for u in g}
    for uid in sorted(index):
        unit = units.units[uid]
        if uid in pinned or unit.routes or not unit.tables or unit.maps:
            continue
        homes = {owners[t] for t in unit.tables if t in owners}
        if len(homes) == 1 and len(homes | {index[uid]}) == 2 and all(t in owners for t in unit.tables):
            target = homes.pop()
            # Only where it lives beside the owner's code: a read-only capability
            # (recommendations reading the catalog) keeps its own queries.
            if any(units.units[other].module == unit.module for other in groups[target]):
                mutable[index[uid]].discard(uid)
                mutable[target].add(uid)
    return [frozenset(g) for g in mutable if g]


def _move_to_module_home(
    units: UnitGraph, groups: list[frozenset[str]], pins: Pins, deps: _Dependencies
) -> list[frozenset[str]]:
    """Code without data or routes of its own that the calls placed against the grain of its module.

    Louvain weighs a call from a caller as much as a call to a callee, so a
    small helper lands with whichever side has one more edge. Four readings
    of the code settle it, each only where it is unambiguous:

    * **private helpers** (``_resolve_address``) are, by Python's convention,
      details of their own module: they follow their callers when all of
      them live in that module and in one service;
    * **a helper only one service uses**, asking no other service, joins it;
    * **a capability's API** (``has_active_prime`` beside the billing code,
      asking only billing code) joins the service it asks, when that service
      also holds most of the rest of its module;
    * **a type or constant using no service's code** (an exception such as
      ``InsufficientStock``) joins the service holding most of its module,
      when that service uses it too.
    """
    pinned = _pinned(pins)
    index = {u: i for i, g in enumerate(groups) for u in g}
    mutable = [set(g) for g in groups]
    by_module = _units_by_module(units)

    def module_home(uid: str) -> int | None:
        # the service holding most of the rest of the module's service code
        return _majority([index[o] for o in by_module[units.units[uid].module] if o != uid and o in index])

    for uid in sorted(index):
        unit = units.units[uid]
        if uid in pinned or unit.routes or unit.tables:
            continue
        current = index[uid]
        target: int | None = None
        users = deps.dependants[uid]
        uses = {index[d] for d in deps.depends[uid] if d in index and d != uid}
        homes = {index[u] for u in users if u in index and u != uid}
        name = uid.rsplit(".", 1)[-1]
        if name.startswith("_") and not name.startswith("__"):
            if len(homes) == 1 and all(units.units[u].module == unit.module for u in users):
                target = next(iter(homes))
        elif len(homes) == 1 and users <= index.keys() and uses <= homes:
            target = next(iter(homes))
        elif len(uses) == 1:
            (asked,) = uses
            if module_home(uid) == asked:
                target = asked
        elif not uses:
            home = module_home(uid)
            if home is not None and any(index.get(u) == home for u in users):
                target = home
        if target is not None and target != current:
            mutable[current].discard(uid)
            mutable[target].add(uid)
            index[uid] = target
    return [frozenset(g) for g in mutable if g]


def _units_by_module(units: UnitGraph) -> dict[str, list[str]]:
    """Unit ids per module, sorted."""
    found: dict[str, list[str]] = defaultdict(list)
    for uid in sorted(units.units):
        found[units.units[uid].module].append(uid)
    return found


def _majority(homes: list[int | None]) -> int | None:
    """The home more than half of ``homes`` share, if there is one (a strict majority has no ties)."""
    counts: dict[int | None, int] = defaultdict(int)
    for home in homes:
        counts[home] += 1
    return next((home for home, count in counts.items() if count * 2 > len(homes)), None)


def _pinned(pins: Pins) -> set[str]:
    """Units a pin places: the refinements after clustering leave them where the pins put them."""
    found = set(pins.in_services | pins.shared)
    for group in (*pins.together, *pins.apart):
        found.update(group)
    return found


def _settle_shared(
    units: UnitGraph,
    groups: list[frozenset[str]],
    shared: frozenset[str],
    pins: Pins,
    deps: _Dependencies,
) -> tuple[list[frozenset[str]], frozenset[str]]:
    """The shared library holds code several services need, and only that.

    Shared helpers are chosen before clustering, by how many modules use
    them; once services exist, a helper whose users all ended up in one
    service, and which lives beside that service's code (``serialize_user``
    in ``services/account.py``, used by the auth and the users routes), joins
    that service, repeatedly, as each move may leave another helper with a
    single user. Unused code beside shared helpers (a ``to_cents`` nothing
    calls yet) goes the other way: into the shared library, with its module.
    """
    pinned = _pinned(pins)
    index = {u: i for i, g in enumerate(groups) for u in g}
    mutable = [set(g) for g in groups]
    library = set(shared)
    by_module = _units_by_module(units)

    def module_home(uid: str) -> int | None:
        # the service holding most of the rest of the module (None: the library does, or no one)
        return _majority([index.get(o) for o in by_module[units.units[uid].module] if o != uid])

    changed = True
    while changed:
        changed = False
        for uid in sorted(library - pinned):
            users = deps.dependants[uid] - {uid}
            homes = {index.get(u) for u in users}
            # only beside that service's code: plumbing (the database session) stays in the library
            if users and len(homes) == 1 and None not in homes and module_home(uid) in homes:
                (home,) = homes
                assert home is not None
                library.discard(uid)
                mutable[home].add(uid)
                index[uid] = home
                changed = True
    for uid in sorted(index):
        unit = units.units[uid]
        if uid in pinned or deps.dependants[uid] - {uid} or uid in deps.reaches_data or unit.routes:
            continue
        if any(d in index for d in deps.depends[uid]):
            continue  # it uses a service's code: the library may not
        others = [o for o in by_module[unit.module] if o != uid]
        if others and sum(1 for o in others if o in library) * 2 > len(others):
            mutable[index.pop(uid)].discard(uid)
            library.add(uid)
    return [frozenset(g) for g in mutable if g], frozenset(library)


def _apply_pins(groups: list[frozenset[str]], pins: Pins) -> list[frozenset[str]]:
    """Enforce pins exactly, whatever the clustering preferred."""
    mutable = [set(g) for g in groups]
    for name, members in sorted(pins.services.items()):
        member_set = set(members)
        holders = [i for i, g in enumerate(mutable) if g & member_set]
        if not holders:
            continue
        home = holders[0]
        for i in holders[1:]:
            mutable[home] |= mutable[i] & member_set
            mutable[i] -= member_set
        # two named services may not share a group: the later one moves out
        if any(
            other != name and set(other_members) & mutable[home]
            for other, other_members in pins.services.items()
            if other < name
        ):
            mutable[home] -= member_set
            mutable.append(member_set)
    for group in pins.apart:
        for community in list(mutable):
            for uid in sorted(u for u in group if u in community)[1:]:
                community.discard(uid)
                mutable.append({uid})
    return [frozenset(g) for g in mutable if g]
