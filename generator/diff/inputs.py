"""Loading what the user gave into :class:`Side` objects: the I/O edge of ``monosplit diff``.

An input is one of

* a generated architecture folder (it holds ``monosplit-units.json``; the
  manifest file itself is accepted too) — its graph is ``graph.json`` in the
  folder above, where ``monosplit migrate`` writes it;
* a plan file (``monosplit-plan`` JSON) — its graph is ``graph.json`` beside it;
* a source folder — analysed, and the plan ``monosplit suggest`` would make for it.

A side without a graph of its own borrows the other side's (a plan against the
source it was made from), or the one given with ``--graph``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.plan.model import Plan, plan_from_document
from generator.diff.codegraph import CodeGraph, GraphFormatError, code_graph, graph_from_document
from generator.diff.kubernetes import kubernetes_footprint
from generator.diff.model import SHARED, Deployment, DiffError, Side, UnitInfo

UNITS_MANIFEST = "monosplit-units.json"
RUN_MANIFEST = "monosplit-run.json"
GRAPH_FILE = "graph.json"
UNITS_FORMAT = "monosplit-units"
UNITS_VERSION = 1


@dataclass(frozen=True, slots=True)
class _Input:
    kind: str  # "architecture", "plan" or "source"
    path: Path  # the architecture folder, the plan file or the source folder
    label: str
    document: Any = None  # the parsed JSON of an architecture or plan


def load_sides(a: Path, b: Path, *, graph: Path | None = None) -> tuple[Side, Side]:
    """Both sides of a diff. Raises :class:`DiffError` (or another MonosplitError) naming the problem."""
    inputs = (_identify(a), _identify(b))
    graphs: dict[Path, CodeGraph] = {}
    explicit = _read_graph(graph, graphs) if graph is not None else None
    own: list[CodeGraph | None] = []
    plans: list[Plan | None] = []
    for item in inputs:
        if item.kind == "source":
            source_graph, plan = _suggest(item.path)
            own.append(explicit or source_graph)
            plans.append(plan)
            continue
        beside = item.path.parent / GRAPH_FILE  # where migrate writes it, beside the plan and architectures
        own.append(explicit or (_read_graph(beside, graphs) if beside.is_file() else None))
        plans.append(None)
    sides = []
    for index, item in enumerate(inputs):
        chosen = own[index] or own[1 - index]
        if chosen is None:
            raise DiffError(
                f"{item.label}: no dependency graph to compare with (no {GRAPH_FILE} beside it); "
                "give one with --graph, or compare against the source folder"
            )
        if item.kind == "architecture":
            sides.append(architecture_side(item.path, item.document, chosen, label=item.label))
        else:
            plan = plans[index] or _plan(item)
            sides.append(plan_side(plan, chosen, label=item.label, kind=item.kind))
    return sides[0], sides[1]


def _identify(path: Path) -> _Input:
    label = str(path)
    if not path.exists():
        raise DiffError(f"{label}: no such file or folder")
    if path.is_file():
        document = _read_json(path)
        kind = document.get("format") if isinstance(document, dict) else None
        if kind == "monosplit-plan":
            return _Input("plan", path, label, document)
        if kind in (UNITS_FORMAT, "monosplit-run"):
            return _identify_architecture(path.parent, label)
        raise DiffError(
            f"{label}: not a plan or an architecture manifest "
            '(expected "format": "monosplit-plan" or "monosplit-units")'
        )
    if (path / UNITS_MANIFEST).is_file():
        return _identify_architecture(path, label)
    if (path / RUN_MANIFEST).is_file():
        raise DiffError(
            f"{label}: has {RUN_MANIFEST} but no {UNITS_MANIFEST}; regenerate it with this monosplit "
            "(monosplit migrate or generate)"
        )
    generated = sorted(p.name for p in path.iterdir() if (p / UNITS_MANIFEST).is_file())
    if generated:
        raise DiffError(
            f"{label}: holds generated architectures; compare two of them "
            f"({', '.join(str(path / name) for name in generated)}) or {path / 'plan.json'}"
        )
    if (path.parent / UNITS_MANIFEST).is_file():
        raise DiffError(f"{label}: is one unit of the architecture in {path.parent}; compare {path.parent}")
    return _Input("source", path, label)


def _identify_architecture(folder: Path, label: str) -> _Input:
    document = _read_json(folder / UNITS_MANIFEST)
    where = str(folder / UNITS_MANIFEST)
    if not isinstance(document, dict) or document.get("format") != UNITS_FORMAT:
        raise DiffError(f'{where}: "format" must be "{UNITS_FORMAT}"')
    if document.get("version") != UNITS_VERSION:
        raise DiffError(
            f"{where}: unsupported version {document.get('version')!r} (this monosplit reads {UNITS_VERSION})"
        )
    units = document.get("units")
    if not isinstance(units, list) or not all(
        isinstance(u, dict) and isinstance(u.get("name"), str) and isinstance(u.get("symbols"), list)
        for u in units
    ):
        raise DiffError(f'{where}: "units" must be a list of objects with a name and symbols')
    return _Input("architecture", folder, label, document)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DiffError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DiffError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise DiffError(
            f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


def _read_graph(path: Path, cache: dict[Path, CodeGraph]) -> CodeGraph:
    key = path.resolve()
    if key not in cache:
        try:
            cache[key] = code_graph(graph_from_document(_read_json(path)))
        except GraphFormatError as exc:
            raise DiffError(f"{path}: {exc}") from None
    return cache[key]


def _plan(item: _Input) -> Plan:
    return plan_from_document(item.document, where=item.label)


def _suggest(path: Path) -> tuple[CodeGraph, Plan]:
    """The analysed graph of a source folder and the plan ``monosplit suggest`` makes for it."""
    from analyzer.analysis import analyze
    from analyzer.options import load_options
    from analyzer.plan import load_pins, suggest
    from analyzer.plan.units import build_unit_graph

    analysis = analyze(path, load_options(path))
    pins = load_pins(path, analysis, build_unit_graph(analysis.graph))
    return code_graph(analysis.graph), suggest(analysis, pins=pins).plan


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def architecture_side(folder: Path, document: dict[str, Any], graph: CodeGraph, *, label: str) -> Side:
    """A generated architecture from its ``monosplit-units.json`` document."""
    directories = _unit_directories(folder)
    units = []
    for raw in document["units"]:
        name = raw["name"]
        directory = folder / directories.get(name, name)
        routes = tuple(
            (str(r[0]), str(r[1])) for r in raw.get("routes", []) if isinstance(r, list) and len(r) == 2
        )
        units.append(
            UnitInfo(
                name=name,
                symbols=frozenset(_strings(raw["symbols"])),
                lines=int(raw.get("lines") or 0),
                public=bool(raw.get("public", True)),
                tables=_strings(raw.get("tables")),
                replicas=_strings(raw.get("replicas")),
                copies=frozenset(_strings(raw.get("copies"))),
                exports=_strings(raw.get("exports")),
                calls=_strings(raw.get("calls")),
                routes=routes,
                image=(directory / "Dockerfile").is_file(),
            )
        )
    images = sum(1 for u in units if u.image)
    return Side(
        label=label,
        kind="architecture",
        architecture=str(document.get("architecture") or folder.name),
        project=str(document.get("project") or ""),
        units=tuple(sorted(units, key=lambda u: u.name)),
        shared=frozenset(_strings(document.get("shared"))),
        shared_lines=int(document.get("shared_lines") or 0),
        graph=graph,
        deployment=Deployment(images=images or None, kubernetes=kubernetes_footprint(folder)),
        folder=folder,
    )


def _unit_directories(folder: Path) -> dict[str, str]:
    """Unit name → its folder relative to the architecture, from the run manifest (name by default)."""
    path = folder / RUN_MANIFEST
    if not path.is_file():
        return {}
    document = _read_json(path)
    units = document.get("units") if isinstance(document, dict) else None
    return {
        u["name"]: u["directory"]
        for u in units or ()
        if isinstance(u, dict) and isinstance(u.get("name"), str) and isinstance(u.get("directory"), str)
    }


def plan_side(plan: Plan, graph: CodeGraph, *, label: str, kind: str = "plan") -> Side:
    """A plan as an architecture: each service a unit, measured on ``graph``."""
    owner = plan.service_of()
    units = graph.units.units
    calls: dict[str, set[str]] = defaultdict(set)
    for source, target in graph.units.calls():
        a, b = owner.get(source), owner.get(target)
        if a and b and a != b and SHARED not in (a, b):
            calls[a].add(b)
    services = []
    for service in plan.services:
        members = [units[s] for s in service.symbols if s in units]
        routes = sorted(
            (method, path)
            for m in members
            for route in m.routes
            for method, _, path in [route.partition(" ")]
        )
        services.append(
            UnitInfo(
                name=service.name,
                symbols=frozenset(service.symbols),
                lines=sum(m.lines for m in members) if members else service.lines,
                tables=tuple(sorted({t for m in members for t in m.tables})),
                calls=tuple(sorted(calls.get(service.name, ()))),
                routes=tuple(routes),
            )
        )
    return Side(
        label=label,
        kind=kind,
        architecture="plan",
        project=plan.root,
        units=tuple(sorted(services, key=lambda u: u.name)),
        shared=frozenset(plan.shared),
        shared_lines=sum(units[s].lines for s in plan.shared if s in units),
        graph=graph,
    )
