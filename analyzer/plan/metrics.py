"""Decomposition metrics from the literature, for any assignment of units to services.

Definitions (units are top-level classes and functions; shared-library units
are deployed with every service and are left out; K is the number of services):

* **SM**, Structural Modularity (Jin et al., 2019):
  ``SM = 1/K * Σᵢ μᵢ/mᵢ² - 1/(K(K-1)/2) * Σᵢ<ⱼ σᵢⱼ/(2*mᵢ*mⱼ)`` where mᵢ is the
  number of units of service i, μᵢ the dependency edges inside it and σᵢⱼ
  those between i and j. Higher is better (cohesive inside, loose between).
* **ICP**, Inter-Call Percentage (Kalia et al., 2021): the share of call
  occurrences between units that cross a service boundary. Lower is better;
  0 by definition for a single unit.
* **IFN**, Interface Number (Kalia et al., 2021): the mean number of units per
  service that other services call — each becomes an API operation. Lower
  is better.
* **NED**, Non-Extreme Distribution (Kalia et al., 2021): the share of units
  in services that are extreme in size, outside [5, 20] units. Lower is
  better.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from analyzer.plan.model import Metrics
from analyzer.plan.units import UnitGraph

NED_BOUNDS = (5, 20)

DEFINITIONS = {
    "SM": "Structural Modularity: mean cohesion inside services minus mean coupling between them "
    "(Jin et al. 2019). Higher is better.",
    "ICP": "Inter-Call Percentage: share of calls between symbols that cross a service boundary "
    "(Kalia et al. 2021). Lower is better; 0 for a single unit by definition.",
    "IFN": "Interface Number: mean number of symbols per service that other services call, i.e. API "
    "operations (Kalia et al. 2021). Lower is better.",
    "NED": f"Non-Extreme Distribution: share of symbols in services with fewer than {NED_BOUNDS[0]} or "
    f"more than {NED_BOUNDS[1]} symbols (Kalia et al. 2021). Lower is better.",
}
BETTER: dict[str, str | None] = {
    "SM": "higher",
    "ICP": "lower",
    "IFN": "lower",
    "NED": "lower",
    "cross_service_calls": "lower",
    "shared_tables": "lower",
    "services": None,
}


def compute_metrics(units: UnitGraph, assignment: Mapping[str, str]) -> Metrics:
    """Metrics of ``assignment`` (unit id → service name; units missing or "shared" are left out)."""
    members: dict[str, list[str]] = defaultdict(list)
    for uid, service in assignment.items():
        if service != "shared" and uid in units.units:
            members[service].append(uid)
    services = sorted(members)
    k = len(services)
    inside: dict[str, int] = defaultdict(int)
    between: dict[tuple[str, str], int] = defaultdict(int)
    calls_total = calls_cross = 0
    interfaces: dict[str, set[str]] = defaultdict(set)
    cross_pairs = 0
    for (source, target), kinds in units.edges.items():
        a, b = assignment.get(source), assignment.get(target)
        if a is None or b is None or a == "shared" or b == "shared":
            continue
        if a == b:
            inside[a] += 1
        else:
            between[tuple(sorted((a, b)))] += 1  # type: ignore[index]
        count = kinds.get("call", 0)
        if count:
            calls_total += count
            if a != b:
                calls_cross += count
                cross_pairs += 1
                interfaces[b].add(target)
    if k == 0:
        return Metrics(None, None, None, None, 0, 0, 0)
    size = {s: len(members[s]) for s in services}
    cohesion = sum(inside[s] / size[s] ** 2 for s in services) / k
    coupling = 0.0
    if k > 1:
        coupling = sum(between[(a, b)] / (2 * size[a] * size[b]) for (a, b) in between) / (k * (k - 1) / 2)
    total_units = sum(size.values())
    extreme = sum(n for n in size.values() if not NED_BOUNDS[0] <= n <= NED_BOUNDS[1])
    tables: dict[str, set[str]] = defaultdict(set)
    for uid, service in assignment.items():
        unit = units.units.get(uid)
        if unit is not None and service != "shared":
            for table in unit.tables:
                tables[table].add(service)
    lines = {s: sum(units.units[u].lines for u in members[s]) for s in services}
    return Metrics(
        SM=cohesion - coupling,
        ICP=calls_cross / calls_total if calls_total else 0.0,
        IFN=sum(len(interfaces[s]) for s in services) / k,
        NED=extreme / total_units if total_units else None,
        cross_service_calls=cross_pairs,
        shared_tables=sum(1 for owners in tables.values() if len(owners) > 1),
        services=k,
        sizes=tuple((s, lines[s]) for s in services),
    )


def package_baseline(units: UnitGraph) -> dict[str, str]:
    """One service per top-level package or module folder.

    The common dotted prefix of all modules is skipped, so a project that is
    one package (``shop.models``, ``shop.services``) splits by its
    sub-packages, the way a split by folder would.
    """
    modules = sorted({u.module for u in units.units.values()})
    parts = [m.split(".") for m in modules]
    common = 0
    while parts and all(len(p) > common for p in parts) and len({p[common] for p in parts}) == 1:
        common += 1
    if parts and all(len(p) <= common for p in parts):
        common -= 1  # a single module: it is its own package
    # Group one level below the common prefix; modules at the prefix itself
    # (a package's __init__) keep their own name.
    return {uid: ".".join(unit.module.split(".")[: common + 1]) for uid, unit in units.units.items()}


def monolith_baseline(units: UnitGraph) -> dict[str, str]:
    return dict.fromkeys(units.units, "monolith")
