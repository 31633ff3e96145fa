"""The plan: services, shared code, problems; and its JSON document.

``monosplit suggest -o plan.json`` writes the document; ``generate`` reads
it back, so a user can edit it by hand in between. Reading validates it and
names the first problem clearly (see docs/plan-format.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.plan.pins import PlanError

PLAN_FORMAT = "monosplit-plan"
PLAN_VERSION = 1
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
RESERVED_NAMES = frozenset({"shared", "gateway", "monolith", "client", "server"})


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    symbols: tuple[str, ...]
    tables: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    #: symbols of this service that other services call
    api: tuple[str, ...] = ()
    calls: tuple[tuple[str, int], ...] = ()
    called_by: tuple[tuple[str, int], ...] = ()
    config: tuple[str, ...] = ()
    lines: int = 0


@dataclass(frozen=True, slots=True, order=True)
class MigrationProblem:
    """Something a split must solve by hand; never hidden."""

    kind: str
    message: str
    services: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Metrics:
    SM: float | None
    ICP: float | None
    IFN: float | None
    NED: float | None
    cross_service_calls: int
    shared_tables: int
    services: int
    sizes: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    recommendation: str  # "monolith", "two-tier" or "microservices"
    reasons: tuple[str, ...]
    #: which of the "when not to split" conditions hold
    conditions: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    root: str
    services: tuple[Service, ...]
    shared: tuple[str, ...]
    problems: tuple[MigrationProblem, ...] = ()
    method: dict[str, Any] = field(default_factory=dict)

    def service_of(self) -> dict[str, str]:
        """Symbol id → service name ("shared" for the shared library)."""
        owner = {symbol: "shared" for symbol in self.shared}
        for service in self.services:
            for symbol in service.symbols:
                owner[symbol] = service.name
        return owner


def plan_document(
    plan: Plan,
    *,
    metrics: dict[str, Metrics],
    labels: dict[str, str],
    definitions: dict[str, str],
    better: dict[str, str | None],
    verdict: Verdict,
    units: dict[str, Any],
    generator: str,
) -> dict[str, Any]:
    """The versioned JSON document of a plan (see docs/plan-format.md)."""
    return {
        "format": PLAN_FORMAT,
        "version": PLAN_VERSION,
        "root": plan.root,
        "generator": generator,
        "method": plan.method,
        "services": [
            {
                "name": s.name,
                "symbols": list(s.symbols),
                "tables": list(s.tables),
                "routes": list(s.routes),
                "api": list(s.api),
                "calls": dict(s.calls),
                "called_by": dict(s.called_by),
                "config": list(s.config),
                "lines": s.lines,
            }
            for s in plan.services
        ],
        "shared": list(plan.shared),
        "problems": [
            {"kind": p.kind, "message": p.message, "services": list(p.services), "symbols": list(p.symbols)}
            for p in plan.problems
        ],
        "metrics": {
            "definitions": definitions,
            "better": better,
            "labels": labels,
            "plans": {
                name: {
                    "SM": _round(m.SM),
                    "ICP": _round(m.ICP),
                    "IFN": _round(m.IFN),
                    "NED": _round(m.NED),
                    "cross_service_calls": m.cross_service_calls,
                    "shared_tables": m.shared_tables,
                    "services": m.services,
                    "sizes": dict(m.sizes),
                }
                for name, m in metrics.items()
            },
        },
        "verdict": {
            "recommendation": verdict.recommendation,
            "reasons": list(verdict.reasons),
            "conditions": dict(verdict.conditions),
        },
        "units": units,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def dump_plan(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _fail(path: str, message: str) -> PlanError:
    return PlanError(f"{path}: {message}")


def load_plan(path: Path, *, known_symbols: set[str] | None = None) -> Plan:
    """Read and validate a plan file. Raises :class:`PlanError` naming the problem."""
    where = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(where, "no such plan file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(where, f"cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise _fail(where, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    return plan_from_document(document, where=where, known_symbols=known_symbols)


def plan_from_document(document: Any, *, where: str = "plan", known_symbols: set[str] | None = None) -> Plan:
    if not isinstance(document, dict):
        raise _fail(where, "a plan is a JSON object")
    if document.get("format") != PLAN_FORMAT:
        raise _fail(where, f'"format" must be "{PLAN_FORMAT}"')
    if document.get("version") != PLAN_VERSION:
        raise _fail(
            where, f'unsupported "version" {document.get("version")!r} (this monosplit reads {PLAN_VERSION})'
        )
    services_raw = document.get("services")
    if not isinstance(services_raw, list) or not services_raw:
        raise _fail(where, '"services" must be a non-empty list')
    seen_names: set[str] = set()
    owner: dict[str, str] = {}
    services: list[Service] = []
    for i, raw in enumerate(services_raw):
        at = f"services[{i}]"
        if not isinstance(raw, dict):
            raise _fail(where, f"{at} must be an object")
        name = raw.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise _fail(
                where,
                f"{at}.name {name!r} must be lower-case letters, digits and '-', starting with a letter",
            )
        if name in RESERVED_NAMES:
            raise _fail(where, f"{at}.name {name!r} is reserved")
        if name in seen_names:
            raise _fail(where, f"service name {name!r} appears twice")
        seen_names.add(name)
        symbols = raw.get("symbols")
        if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
            raise _fail(where, f"{at}.symbols must be a list of dotted names")
        for symbol in symbols:
            if symbol in owner:
                raise _fail(where, f"{symbol} is in both {owner[symbol]} and {name}")
            if known_symbols is not None and symbol not in known_symbols:
                raise _fail(where, f"{at} ({name}): {symbol} is not a top-level symbol of the analysed code")
            owner[symbol] = name
        services.append(
            Service(
                name=name,
                symbols=tuple(symbols),
                tables=tuple(_str_list(raw, "tables", where, at)),
                routes=tuple(_str_list(raw, "routes", where, at)),
                api=tuple(_str_list(raw, "api", where, at)),
                calls=tuple(sorted(_int_map(raw, "calls", where, at).items())),
                called_by=tuple(sorted(_int_map(raw, "called_by", where, at).items())),
                config=tuple(_str_list(raw, "config", where, at)),
                lines=int(raw.get("lines", 0)) if isinstance(raw.get("lines", 0), int) else 0,
            )
        )
    shared = _str_list(document, "shared", where, "top level")
    for symbol in shared:
        if symbol in owner:
            raise _fail(where, f"{symbol} is in both {owner[symbol]} and shared")
        if known_symbols is not None and symbol not in known_symbols:
            raise _fail(where, f"shared: {symbol} is not a top-level symbol of the analysed code")
    problems = []
    for raw in document.get("problems", []) or []:
        if isinstance(raw, dict) and isinstance(raw.get("kind"), str):
            problems.append(
                MigrationProblem(
                    raw["kind"],
                    str(raw.get("message", "")),
                    tuple(raw.get("services", []) or []),
                    tuple(raw.get("symbols", []) or []),
                )
            )
    root = document.get("root")
    method = document.get("method") if isinstance(document.get("method"), dict) else {}
    return Plan(str(root or ""), tuple(services), tuple(shared), tuple(problems), dict(method or {}))


def _str_list(raw: dict[str, Any], key: str, where: str, at: str) -> list[str]:
    value = raw.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"{at}.{key} must be a list of strings")
    return value


def _int_map(raw: dict[str, Any], key: str, where: str, at: str) -> dict[str, int]:
    value = raw.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, int) for v in value.values()):
        raise _fail(where, f"{at}.{key} must map service names to counts")
    return dict(value)
