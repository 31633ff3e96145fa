"""Suggest service boundaries: the analysis graph in, a plan with metrics and a verdict out.

:func:`suggest` is the use case; the plan's JSON document is described in
docs/plan-format.md and read back by :func:`load_plan`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.analysis import Analysis
from analyzer.options import project_settings
from analyzer.plan.cluster import cluster_units
from analyzer.plan.metrics import BETTER, DEFINITIONS, compute_metrics, monolith_baseline, package_baseline
from analyzer.plan.model import Metrics, Plan, Service, Verdict, dump_plan, load_plan, plan_document
from analyzer.plan.naming import name_services
from analyzer.plan.pins import Pins, PlanError, parse_pins
from analyzer.plan.problems import find_problems
from analyzer.plan.units import UnitGraph, build_unit_graph
from analyzer.plan.verdict import judge

__all__ = [
    "BASELINE_LABELS",
    "Plan",
    "PlanError",
    "Suggestion",
    "dump_plan",
    "load_pins",
    "load_plan",
    "suggest",
]

BASELINE_LABELS = {
    "plan": "suggested plan",
    "packages": "one service per package",
    "monolith": "whole monolith",
}


@dataclass(frozen=True, slots=True)
class Suggestion:
    plan: Plan
    metrics: dict[str, Metrics]
    verdict: Verdict
    units: UnitGraph
    document: dict[str, Any]


def symbol_units(analysis: Analysis, units: UnitGraph) -> dict[str, str]:
    """Every class, function and method id → the unit that contains it."""
    from analyzer.plan.units import unit_of

    cache: dict[str, str | None] = {}
    mapping: dict[str, str] = {}
    for node, data in analysis.graph.nodes(data=True):
        if data.get("kind") in ("class", "function", "method"):
            unit = unit_of(analysis.graph, node, cache)
            if unit is not None:
                mapping[node] = unit
    for unit in units.units:
        mapping[unit] = unit
    return mapping


def load_pins(path: Path, analysis: Analysis, units: UnitGraph) -> Pins:
    """The pins in the analysed project's settings, checked against its symbols."""
    table, sources = project_settings(path)
    raw = table.get("pins")
    if raw is None:
        return Pins()
    if not isinstance(raw, dict):
        raise PlanError(f"{sources[-1]}: [tool.monosplit.pins] must be a table")
    return parse_pins(raw, units=units.units, symbols=symbol_units(analysis, units), source=sources[-1])


def suggest(
    analysis: Analysis,
    *,
    pins: Pins | None = None,
    target_services: int | None = None,
    seed: int = 42,
    scaling: str = "unknown",
) -> Suggestion:
    """Suggest services for an analysed codebase. Deterministic for the same input and ``seed``."""
    units = build_unit_graph(analysis.graph)
    if not units.units:
        raise PlanError(f"{analysis.root}: no top-level classes or functions to assign to services")
    pins = pins or Pins()
    clustering = cluster_units(units, pins=pins, target=target_services, seed=seed)
    if not any(clustering.groups):
        # everything is used from everywhere (a library, say): there is nothing to split
        # off, and the code is one service rather than a shared library with none
        clustering = replace(
            clustering,
            groups=(frozenset(units.units),),
            shared=frozenset(),
            table_owner=dict.fromkeys(clustering.table_owner, 0),
        )
    fixed = {index: name for name, index in clustering.pinned_names.items()}
    groups = [sorted(g) for g in clustering.groups]
    owned: list[list[str]] = [[] for _ in groups]
    for table, index in clustering.table_owner.items():
        owned[index].append(table)
    names = name_services([[units.units[u] for u in g] for g in groups], owned, fixed)
    assignment = {u: names[i] for i, g in enumerate(groups) for u in g}
    for uid in clustering.shared:
        assignment[uid] = "shared"
    table_owner = {table: names[index] for table, index in clustering.table_owner.items()}
    services = _describe(units, groups, names, owned, assignment)
    problems = find_problems(units, assignment, table_owner)
    plan = Plan(
        root=analysis.root,
        services=tuple(sorted(services, key=lambda s: s.name)),
        shared=tuple(sorted(clustering.shared)),
        problems=tuple(problems),
        method={
            "algorithm": "louvain with data-ownership, route and module vertices; shared-helper extraction; module-home refinement",
            "seed": seed,
            "resolution": round(clustering.resolution, 4),
            "target_services": target_services,
            "pins": not pins.empty,
        },
    )
    # Shared-library symbols go with every service, so every column leaves them out.
    in_plan = {u for u, s in assignment.items() if s != "shared"}
    metrics = {
        "plan": compute_metrics(units, assignment),
        "packages": compute_metrics(
            units, {u: s for u, s in package_baseline(units).items() if u in in_plan}
        ),
        "monolith": compute_metrics(
            units, {u: s for u, s in monolith_baseline(units).items() if u in in_plan}
        ),
    }
    verdict = judge(
        lines=analysis.lines,
        symbols=len(units.units),
        shared=len(clustering.shared),
        routes=sum(len(u.routes) for u in units.units.values()),
        plan=metrics["plan"],
        packages=metrics["packages"],
        scaling=scaling,
    )
    document = plan_document(
        plan,
        metrics=metrics,
        labels=BASELINE_LABELS,
        definitions=DEFINITIONS,
        better=BETTER,
        verdict=verdict,
        units=_units_document(units, assignment),
        generator=f"monosplit {__version__}",
    )
    return Suggestion(plan, metrics, verdict, units, document)


def _describe(
    units: UnitGraph,
    groups: list[list[str]],
    names: list[str],
    owned: list[list[str]],
    assignment: dict[str, str],
) -> list[Service]:
    calls: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    api: dict[str, set[str]] = defaultdict(set)
    for (source, target), count in units.calls().items():
        a, b = assignment.get(source), assignment.get(target)
        if a and b and a != b and "shared" not in (a, b):
            calls[a][b] += count
            api[b].add(target)
    services = []
    for index, group in enumerate(groups):
        name = names[index]
        members = [units.units[u] for u in group]
        services.append(
            Service(
                name=name,
                symbols=tuple(group),
                tables=tuple(sorted(owned[index])),
                routes=tuple(sorted(r for m in members for r in m.routes)),
                api=tuple(sorted(api[name])),
                calls=tuple(sorted(calls[name].items())),
                called_by=tuple(sorted((other, c[name]) for other, c in calls.items() if name in c)),
                config=tuple(sorted({k for m in members for k in m.config})),
                lines=sum(m.lines for m in members),
            )
        )
    return services


def _units_document(units: UnitGraph, assignment: dict[str, str]) -> dict[str, Any]:
    return {
        "nodes": [
            {"id": uid, "service": assignment.get(uid, "shared"), "lines": units.units[uid].lines}
            for uid in sorted(units.units)
        ],
        "edges": [
            {"source": s, "target": t, "weight": sum(kinds.values())}
            for (s, t), kinds in sorted(units.edges.items())
        ],
    }
