"""Generate the three architectures of an analysed application, as files.

:func:`generate` is pure: it takes the codebase (sources + graph) and the
plan and returns every file to write, relative to the output folder:

- ``monolith/``: the application as it is, packaged as one unit;
- ``two-tier/client`` and ``two-tier/server``: public routes and
  presentation in front, business logic and data behind an internal API;
- ``microservices/<service>/``: one unit per service of the plan, and
  ``microservices/shared/``, the shared library every service embeds;
- ``<architecture>/monosplit-run.json``: how ``monosplit run`` starts it;
- ``MIGRATION.md``: what could not be carved automatically, per unit.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from analyzer.plan.model import Plan
from generator.codemods.carve import carve_module
from generator.generate.apis import Export, signature, writes_anything
from generator.generate.codebase import Codebase
from generator.generate.deploy import checkov_config, deployment_files
from generator.generate.partition import (
    ARCHITECTURES,
    Partition,
    UnitContents,
    UnitSpec,
    microservices_partition,
    monolith_partition,
    two_tier_partition,
    unit_contents,
)
from generator.generate.schema import shared_sqlite_file, shared_sqlite_key
from generator.generate.templates import render
from generator.generate.unit import (
    SERVE_COMMAND,
    BuiltUnit,
    Note,
    build_unit,
    callers_by_unit,
    carve_modules,
    missing_imports,
)
from generator.writer import GeneratedFile

RUN_MANIFEST = "monosplit-run.json"
#: what each unit of an architecture is made of, for `monosplit diff` and other tools
UNITS_MANIFEST = "monosplit-units.json"

__all__ = ["ARCHITECTURES", "Generation", "generate"]


@dataclass(frozen=True, slots=True)
class Generation:
    files: tuple[GeneratedFile, ...]
    notes: tuple[Note, ...]
    units: tuple[tuple[str, tuple[str, ...]], ...]  # architecture → unit names


def _partition(codebase: Codebase, plan: Plan, architecture: str) -> Partition:
    if architecture == "monolith":
        return monolith_partition(codebase)
    if architecture == "two-tier":
        return two_tier_partition(codebase, plan)
    return microservices_partition(codebase, plan)


def _run_manifest(
    codebase: Codebase, partition: Partition, built: list[BuiltUnit], prefix: str | None
) -> str:
    units = []
    for unit in built:
        env = {"MONOSPLIT_SERVICE": unit.name}
        if codebase.database_key:
            env[codebase.database_key] = f"sqlite:///{{data}}/{unit.name}.db"
        if sqlite_key := shared_sqlite_key(codebase):
            env[sqlite_key] = shared_sqlite_file(sqlite_key)
        by_rule: dict[str, set[str]] = defaultdict(set)
        for method, rule in unit.routes:
            by_rule[rule].add(method)
        units.append(
            {
                "name": unit.name,
                "directory": f"{prefix}{unit.name}" if prefix is not None else ".",
                "command": list(SERVE_COMMAND),
                "env": env,
                "ready": "/readyz",
                "url_env": unit.url_env,
                "public": unit.public,
                "routes": [{"rule": r, "methods": sorted(m)} for r, m in sorted(by_rule.items())]
                if unit.public
                else [],
                **({"writable": list(unit.writable)} if unit.writable else {}),
            }
        )
    document = {
        "format": "monosplit-run",
        "version": 1,
        "architecture": partition.architecture,
        "default_unit": partition.default_unit,
        "units": units,
    }
    return json.dumps(document, indent=2) + "\n"


def _units_manifest(
    codebase: Codebase,
    partition: Partition,
    contents: dict[str, UnitContents],
    built: list[BuiltUnit],
    exported: dict[str, set[str]],
    *,
    project: str,
) -> str:
    """The architecture as data: every unit's symbols, tables, replicas, API, routes and callees."""
    size = {s: int(codebase.graph.nodes[s].get("size", 0) or 0) for s in codebase.symbols}
    units = []
    for unit, result in zip(partition.units, built, strict=True):
        content = contents[unit.name]
        units.append(
            {
                "name": unit.name,
                "public": unit.public,
                "symbols": sorted(unit.symbols),
                "lines": sum(size.get(s, 0) for s in unit.symbols),
                "tables": sorted(unit.tables),
                "replicas": [table for table, _ in content.replica_tables],
                "copies": sorted(content.copies),
                "exports": sorted(exported.get(unit.name, ())),
                "calls": list(result.calls),
                "routes": [[method, rule] for method, rule in result.routes],
            }
        )
    document = {
        "format": "monosplit-units",
        "version": 1,
        "project": project,
        "architecture": partition.architecture,
        "default_unit": partition.default_unit,
        "shared": sorted(partition.shared),
        "shared_lines": sum(size.get(s, 0) for s in partition.shared),
        "units": units,
    }
    return json.dumps(document, indent=2) + "\n"


def _shared_library(codebase: Codebase, partition: Partition) -> list[GeneratedFile]:
    """``microservices/shared/``: the shared symbols alone, as every service embeds them."""
    keep: dict[str, set[str]] = defaultdict(set)
    for symbol in partition.shared:
        info = codebase.symbols.get(symbol)
        if info is not None:
            keep[info.module].add(info.name)
    files = []
    for name in sorted(keep):
        module = codebase.modules[name]
        files.append(
            GeneratedFile.text(f"shared/{module.path}", carve_module(codebase.parsed(name), keep[name]).code)
        )
    if files:
        files.append(
            GeneratedFile.text(
                "shared/README.md",
                render("architecture/shared.md.j2", symbols=sorted(partition.shared), modules=sorted(keep)),
            )
        )
    return files


def generate(
    codebase: Codebase, plan: Plan, *, project: str, architectures: tuple[str, ...] = ARCHITECTURES
) -> Generation:
    """Every file of the requested architectures (see the module docstring)."""
    files: list[GeneratedFile] = []
    notes: list[Note] = []
    summary: list[tuple[str, tuple[str, ...]]] = []
    for architecture in architectures:
        partition = _partition(codebase, plan, architecture)
        owner = partition.owner
        contents = {unit.name: _complete(codebase, partition, unit) for unit in partition.units}
        exported: dict[str, set[str]] = defaultdict(set)
        for content in contents.values():
            for stub in content.stubs:
                if stub.kind == "function":
                    exported[stub.owner].add(stub.symbol)
        exported_by_owner = {k: frozenset(v) for k, v in exported.items()}
        callers = callers_by_unit(codebase, partition, contents.values())
        built: list[BuiltUnit] = []
        single = architecture == "monolith"
        prefix = f"{architecture}/" if single else f"{architecture}/{{unit}}/"
        for unit in partition.units:
            exports = [
                Export(
                    symbol,
                    codebase.symbols[symbol].module,
                    codebase.symbols[symbol].name,
                    idempotent=not writes_anything(codebase, symbol, owner),
                    signature=signature(codebase, symbol),
                )
                for symbol in sorted(exported.get(unit.name, ()))
            ]
            result = build_unit(
                codebase,
                partition,
                unit,
                contents[unit.name],
                exports,
                exported_by_owner,
                project=project,
                callers=callers.get(unit.name, {}),
            )
            built.append(result)
            base = prefix.format(unit=unit.name)
            files.extend(GeneratedFile(base + f.path, f.content, f.executable) for f in result.files)
            notes.extend(result.notes)
        files.extend(deployment_files(codebase, partition, built, architecture=architecture, project=project))
        files.append(
            GeneratedFile.text(
                f"{architecture}/{RUN_MANIFEST}",
                _run_manifest(codebase, partition, built, "" if not single else None),
            )
        )
        files.append(
            GeneratedFile.text(
                f"{architecture}/{UNITS_MANIFEST}",
                _units_manifest(codebase, partition, contents, built, exported, project=project),
            )
        )
        if architecture == "microservices":
            files.extend(
                GeneratedFile(f"{architecture}/{f.path}", f.content)
                for f in _shared_library(codebase, partition)
            )
        if not single:  # the monolith's own README is the unit's
            files.append(
                GeneratedFile.text(
                    f"{architecture}/README.md",
                    render(
                        "architecture/README.md.j2",
                        architecture=architecture,
                        project=project,
                        units=built,
                        default_unit=partition.default_unit,
                        single=single,
                    ),
                )
            )
        summary.append((architecture, tuple(u.name for u in built)))
    files.append(checkov_config())
    files.append(
        GeneratedFile.text(
            "MIGRATION.md",
            render(
                "architecture/MIGRATION.md.j2",
                project=project,
                notes=_grouped(notes),
                plan=plan,
                summary=summary,
            ),
        )
    )
    return Generation(tuple(sorted(files, key=lambda f: f.path)), tuple(notes), tuple(summary))


def _complete(codebase: Codebase, partition: Partition, unit: UnitSpec) -> UnitContents:
    """The unit's contents, including what carved code imports by name that the graph did not show."""
    contents = unit_contents(codebase, partition, unit)
    if partition.architecture == "monolith":
        return contents
    also: set[str] = set()
    for _ in range(10):  # each round only adds; a real codebase settles in two or three
        missing = missing_imports(codebase, contents, carve_modules(codebase, contents, {}))
        if not missing - also:
            break
        also |= missing
        contents = unit_contents(codebase, partition, unit, also_used=also)
    return contents


def _grouped(notes: list[Note]) -> list[tuple[str, list[tuple[str, list[Note]]]]]:
    by_architecture: dict[str, dict[str, list[Note]]] = defaultdict(lambda: defaultdict(list))
    for note in notes:
        by_architecture[note.architecture][note.unit].append(note)
    order = {name: i for i, name in enumerate(ARCHITECTURES)}
    return [
        (
            architecture,
            [(unit, sorted(items, key=lambda n: (n.kind, n.text))) for unit, items in sorted(units.items())],
        )
        for architecture, units in sorted(by_architecture.items(), key=lambda item: order.get(item[0], 99))
    ]


def user_plan(out: Path, name: str = "plan.json") -> Path | None:
    """``out/plan.json`` when the user edited it since it was generated (their plan then wins)."""
    from generator.writer import read_manifest

    target = out / name
    if not target.is_file():
        return None
    recorded = read_manifest(out).get(name)
    current = hashlib.sha256(target.read_bytes()).hexdigest()
    return target if recorded != current else None
