"""The diff as a versioned JSON document (``monosplit-diff``, version 1; see docs/diff-format.md).

Deterministic: keys sorted, lists sorted, no clock. Only ``measured`` holds
numbers that change from run to run.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from analyzer import __version__
from analyzer.plan.metrics import BETTER, DEFINITIONS
from analyzer.plan.model import Metrics
from generator.diff.model import (
    Coupling,
    Deployment,
    Diff,
    LatencyStats,
    Measurement,
    RouteReach,
    Side,
)

DIFF_FORMAT = "monosplit-diff"
DIFF_VERSION = 1

#: Comparison metrics beyond the plan metrics, and which way is better.
EXTRA_BETTER: dict[str, str | None] = {
    "network_calls": "lower",
    "api_operations": "lower",
}
EXTRA_DEFINITIONS = {
    "network_calls": "Call edges of the graph (caller → callee) whose ends are deployed in different units: "
    "each is a request over the network. Calls to the shared library and to copied value types stay "
    "in-process.",
    "api_operations": "Functions the units serve to each other over their internal API (generated "
    "architectures: the functions each unit exports; plans: the symbols other services call).",
}


def to_document(diff: Diff) -> dict[str, Any]:
    """The JSON-ready document of ``diff``."""
    return {
        "format": DIFF_FORMAT,
        "version": DIFF_VERSION,
        "generator": f"monosplit {__version__}",
        "a": _side(diff.a),
        "b": _side(diff.b),
        "units": [
            {
                "a": m.a,
                "b": m.b,
                "status": m.status,
                "similarity": m.similarity,
                "common": m.common,
                "flows": dict(m.flows),
            }
            for m in diff.units
        ],
        "moves": [{"symbol": m.symbol, "from": m.source, "to": m.target} for m in diff.moves],
        "coupling": {
            "definitions": {**DEFINITIONS, **EXTRA_DEFINITIONS},
            "better": {**BETTER, **EXTRA_BETTER},
            "a": _coupling(diff.coupling_a),
            "b": _coupling(diff.coupling_b),
            "became_network": [
                _call(c) for c in sorted(_keyed(diff.coupling_b).keys() - _keyed(diff.coupling_a).keys())
            ],
            "became_local": [
                _call(c) for c in sorted(_keyed(diff.coupling_a).keys() - _keyed(diff.coupling_b).keys())
            ],
        },
        "routes": [{"route": r.route, "a": _reach(r.a), "b": _reach(r.b)} for r in diff.routes],
        "footprint": {"a": _footprint(diff.a), "b": _footprint(diff.b)},
        "measured": _measured(diff.measured),
    }


def dump_document(diff: Diff) -> str:
    return json.dumps(to_document(diff), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _side(side: Side) -> dict[str, Any]:
    return {
        "label": side.label,
        "kind": side.kind,
        "architecture": side.architecture,
        "project": side.project,
        "units": [
            {
                "name": u.name,
                "public": u.public,
                "symbols": sorted(u.symbols),
                "lines": u.lines,
                "tables": list(u.tables),
                "replicas": list(u.replicas),
                "copies": sorted(u.copies),
                "exports": list(u.exports),
                "calls": list(u.calls),
                "routes": [f"{method} {rule}" for method, rule in u.routes],
                "image": u.image,
            }
            for u in side.units
        ],
        "shared": {"symbols": sorted(side.shared), "lines": side.shared_lines},
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _metrics(metrics: Metrics) -> dict[str, Any]:
    return {
        "SM": _round(metrics.SM),
        "ICP": _round(metrics.ICP),
        "IFN": _round(metrics.IFN),
        "NED": _round(metrics.NED),
        "cross_service_calls": metrics.cross_service_calls,
        "shared_tables": metrics.shared_tables,
        "services": metrics.services,
    }


def _keyed(coupling: Coupling) -> dict[tuple[str, str], tuple[str, str]]:
    return {(c.caller, c.callee): (c.source_unit, c.target_unit) for c in coupling.network_calls}


def _call(edge: tuple[str, str]) -> dict[str, str]:
    return {"caller": edge[0], "callee": edge[1]}


def _coupling(coupling: Coupling) -> dict[str, Any]:
    return {
        "metrics": {
            **_metrics(coupling.metrics),
            "network_calls": len(coupling.network_calls),
            "api_operations": coupling.api_operations,
        },
        "network_calls": [
            {"caller": c.caller, "callee": c.callee, "from": c.source_unit, "to": c.target_unit}
            for c in coupling.network_calls
        ],
        "shared_tables": {table: list(units) for table, units in coupling.shared_tables},
        "api": {unit: list(ops) for unit, ops in coupling.api},
    }


def _reach(reach: RouteReach | None) -> dict[str, Any] | None:
    if reach is None:
        return None
    return {
        "entry": reach.entry,
        "hops": reach.hops,
        "depth": reach.depth,
        "units": list(reach.units),
        "cyclic": reach.cyclic,
    }


def _footprint(side: Side) -> dict[str, Any]:
    deployment = side.deployment or Deployment()
    kubernetes = None
    if deployment.kubernetes is not None:
        kubernetes = {
            overlay.name: {
                "objects": overlay.objects,
                "kinds": dict(overlay.kinds),
                "cpu_millicores": overlay.cpu_millicores,
                "memory_bytes": overlay.memory_bytes,
                "error": overlay.error,
            }
            for overlay in deployment.kubernetes
        }
    return {
        "deployables": len(side.units),
        "images": deployment.images,
        "kubernetes": kubernetes,
        "lines": {u.name: u.lines for u in side.units},
        "shared_lines": side.shared_lines,
    }


def _stats(stats: LatencyStats | None) -> dict[str, Any] | None:
    return None if stats is None else asdict(stats)


def ratio(a: float | None, b: float | None) -> float | None:
    """``b / a`` rounded, or ``None`` when it has no meaning."""
    if a is None or b is None or a <= 0:
        return None
    return round(b / a, 4)


def _ratios(a: LatencyStats | None, b: LatencyStats | None) -> dict[str, float | None] | None:
    if a is None or b is None:
        return None
    return {
        key: ratio(getattr(a, key), getattr(b, key)) for key in ("p50", "p95", "p99", "mean", "throughput")
    }


def _measured(measured: Measurement | None) -> dict[str, Any] | None:
    if measured is None:
        return None
    machine = measured.machine
    return {
        "scenario": measured.scenario,
        "requests": measured.requests,
        "warmup_runs": measured.warmup,
        "engine": measured.engine,
        "machine": {
            "cores": machine.cores,
            "cpu": machine.cpu,
            "load_average": list(machine.load_average) if machine.load_average is not None else None,
            "python": machine.python,
            "platform": machine.platform,
        },
        "a": {"runs": measured.a_runs, "seconds": measured.a_seconds, **asdict(measured.a)},
        "b": {"runs": measured.b_runs, "seconds": measured.b_seconds, **asdict(measured.b)},
        "ratio": _ratios(measured.a, measured.b),
        "routes": [
            {"route": r.route, "a": _stats(r.a), "b": _stats(r.b), "ratio": _ratios(r.a, r.b)}
            for r in measured.routes
        ],
    }
