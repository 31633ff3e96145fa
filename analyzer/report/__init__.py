"""Render a monosplit plan document as a self-contained HTML report or as Markdown.

:func:`render_report` is pure: it takes the plan document (the ``monosplit-plan`` JSON, version 1, as
a dict) and returns text. Same input, same bytes: no clock, no randomness, no I/O beyond reading the
package's own templates, nothing fetched from a network (the HTML embeds its CSS and SVG pictures).
Everything is computed here into a context; the Jinja templates only loop and branch.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

import jinja2
from markupsafe import Markup

from analyzer.plan.metrics import BETTER
from analyzer.report.svg import (
    ChartPlan,
    GraphUnit,
    MapService,
    best_indexes,
    colour_map,
    format_value,
    metrics_chart,
    service_map,
    symbol_graph,
)

__all__ = ["FORMATS", "PLAN_FORMAT", "PLAN_VERSION", "render_report"]

PLAN_FORMAT = "monosplit-plan"
PLAN_VERSION = 1
FORMATS = ("html", "md")
REQUIRED_KEYS = ("format", "version", "root", "services")

#: Rows of the metrics table, in order; other metrics a document carries follow them.
METRIC_ROWS = ("SM", "ICP", "IFN", "NED", "cross_service_calls", "shared_tables", "services")
CHART_METRICS = ("SM", "ICP", "IFN", "NED")
METRIC_LABELS = {
    "cross_service_calls": "cross-service calls",
    "shared_tables": "shared tables",
    "services": "services",
}
RECOMMENDATIONS = ("monolith", "two-tier", "microservices")


def render_report(document: Mapping[str, Any], *, fmt: str) -> str:
    """The plan ``document`` as a report: ``fmt`` is "html" (one offline file) or "md" (GitHub Markdown).

    Raises :class:`ValueError` for another format, or when the document is not a version-1 plan
    (``format``, ``version``, ``root`` and ``services`` are required; everything else is optional).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: expected one of {', '.join(FORMATS)}")
    _check(document)
    context = _context(document, with_pictures=fmt == "html")
    text = _environment().get_template(f"report.{fmt}.j2").render(context)
    if fmt == "md":  # the template spaces blocks generously; Markdown wants one blank line between them
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text


# --------------------------------------------------------------------------- checks and coercion


def _check(document: object) -> None:
    if not isinstance(document, Mapping):
        raise ValueError(f"a plan document is a JSON object, not {type(document).__name__}")
    missing = [key for key in REQUIRED_KEYS if key not in document]
    if missing:
        raise ValueError(f"the plan document is missing required key(s): {', '.join(missing)}")
    if document["format"] != PLAN_FORMAT:
        raise ValueError(f"not a monosplit plan: format is {document['format']!r}, expected {PLAN_FORMAT!r}")
    version = document["version"]
    if isinstance(version, bool) or version != PLAN_VERSION:
        raise ValueError(f"unsupported plan version {version!r}: this monosplit reads version {PLAN_VERSION}")
    services = document["services"]
    if not isinstance(services, list):
        raise ValueError("the plan document's services must be a list")
    for index, service in enumerate(services):
        if (
            not isinstance(service, Mapping)
            or not isinstance(service.get("name"), str)
            or not service["name"]
        ):
            raise ValueError(f"services[{index}] has no name")


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strings(value: object) -> list[str]:
    """A list of names from an optional key: missing or malformed is empty, nulls are left out."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list | tuple):
        return []
    return [str(item) for item in value if item is not None]


def _int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _weights(value: object) -> list[tuple[str, object]]:
    """``{service: weight}`` as pairs, heaviest first, then by name."""
    pairs = [(str(name), weight) for name, weight in _map(value).items()]

    def key(pair: tuple[str, object]) -> tuple[float, str]:
        weight = pair[1]
        number = float(weight) if isinstance(weight, int | float) and not isinstance(weight, bool) else 0.0
        return (-number, pair[0])

    return sorted(pairs, key=key)


def _unit_service(node: Mapping[str, Any]) -> str:
    service = node.get("service")
    return "unassigned" if service is None or service == "" else str(service)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


# --------------------------------------------------------------------------- the context


@dataclass(frozen=True, slots=True)
class Link:
    name: str
    weight: str
    colour: str


@dataclass(frozen=True, slots=True)
class SymbolView:
    id: str
    api: bool


@dataclass(frozen=True, slots=True)
class ServiceView:
    name: str
    anchor: str
    colour: str
    symbol_count: str
    lines: str
    api_count: str
    symbols: list[SymbolView]
    tables: list[str]
    routes: list[str]
    api: list[str]
    config: list[str]
    calls: list[Link]
    called_by: list[Link]


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    best: bool


@dataclass(frozen=True, slots=True)
class MetricRow:
    key: str
    label: str
    note: str
    cells: list[Cell]


@dataclass(frozen=True, slots=True)
class ProblemView:
    message: str
    services: list[Link]
    symbols: list[str]


@dataclass(frozen=True, slots=True)
class ProblemGroup:
    kind: str
    count: int
    problems: list[ProblemView]


def _context(document: Mapping[str, Any], *, with_pictures: bool) -> dict[str, Any]:
    raw_services: list[Mapping[str, Any]] = list(document["services"])
    names = sorted({str(s["name"]) for s in raw_services})
    units = _map(document.get("units"))
    nodes = [n for n in units.get("nodes") or [] if isinstance(n, Mapping) and n.get("id") is not None]
    unit_edges = [e for e in units.get("edges") or [] if isinstance(e, Mapping)]
    extra_names = sorted({_unit_service(n) for n in nodes} - set(names) - {"shared"})
    colours = colour_map([*names, *extra_names])
    shared = _strings(document.get("shared"))

    lines_by_service: dict[str, int] = {}
    count_by_service: dict[str, int] = {}
    for node in nodes:
        service = _unit_service(node)
        count_by_service[service] = count_by_service.get(service, 0) + 1
        lines_by_service[service] = lines_by_service.get(service, 0) + (_int(node.get("lines")) or 0)

    def colour(name: str) -> str:
        return colours.get(name, colours["shared"])

    services: list[ServiceView] = []
    map_services: dict[str, MapService] = {}
    for index, raw in enumerate(raw_services):
        name = str(raw["name"])
        symbols = _strings(raw.get("symbols")) if "symbols" in raw else None
        api = _strings(raw.get("api"))
        api_set = set(api)
        symbol_count = len(symbols) if symbols is not None else count_by_service.get(name)
        lines = _int(raw.get("lines")) if "lines" in raw else lines_by_service.get(name)
        services.append(
            ServiceView(
                name=name,
                anchor=f"service-{index + 1}-{_slug(name)}",
                colour=colour(name),
                symbol_count=format_value(symbol_count),
                lines=format_value(lines),
                api_count=format_value(len(api)) if "api" in raw else "n/a",
                symbols=[SymbolView(s, s in api_set) for s in symbols or []],
                tables=_strings(raw.get("tables")),
                routes=_strings(raw.get("routes")),
                api=api,
                config=_strings(raw.get("config")),
                calls=[Link(n, format_value(w), colour(n)) for n, w in _weights(raw.get("calls"))],
                called_by=[Link(n, format_value(w), colour(n)) for n, w in _weights(raw.get("called_by"))],
            )
        )
        map_services.setdefault(name, MapService(name, symbol_count, lines, colour(name)))

    context: dict[str, Any] = {
        "root": str(document["root"]) if document["root"] is not None else "n/a",
        "generator": _generator(document.get("generator")),
        "plan_format": f"{PLAN_FORMAT} v{PLAN_VERSION}",
        "method": _method(document.get("method")),
        "verdict": _verdict(document.get("verdict")),
        "figures": _figures(document, services, shared, nodes),
        "services": services,
        "shared": shared,
        "shared_colour": colours["shared"],
        "metrics": _metrics(_map(document.get("metrics")), with_chart=with_pictures),
        "problem_groups": _problems(document.get("problems"), colour),
        "problem_count": sum(1 for p in document.get("problems") or [] if isinstance(p, Mapping)),
        "service_map": None,
        "symbol_graph": None,
    }
    if with_pictures:
        svg, caption = service_map(
            [map_services[n] for n in names],
            _service_calls(raw_services),
            shared_symbols=len(shared) or count_by_service.get("shared", 0),
            shared_users=_shared_users(nodes, unit_edges) if nodes else None,
        )
        context["service_map"] = {"svg": Markup(svg), "caption": caption}
        graph_units = [
            GraphUnit(str(n["id"]), _unit_service(n), _int(n.get("lines"))) for n in nodes
        ] or _units_from_services(raw_services, shared)
        edges = [
            (str(e.get("source")), str(e.get("target")), _edge_weight(e.get("weight")))
            for e in unit_edges
            if e.get("source") is not None and e.get("target") is not None
        ]
        svg, caption = symbol_graph(graph_units, edges, colours, order=[*names, *extra_names])
        if not edges:
            caption += " The plan document has no edges between symbols."
        context["symbol_graph"] = {"svg": Markup(svg), "caption": caption}
    return context


def _edge_weight(value: object) -> float:
    """An edge's weight; a missing, zero or malformed one counts as one call."""
    return float(value) if _is_number(value) and value > 0 else 1.0


def _generator(value: object) -> str:
    if isinstance(value, str) and value.startswith("monosplit"):
        return f"generated by {value}"
    if value:
        return f"generated by monosplit {value}"
    return "generated by monosplit"


def _method(value: object) -> list[tuple[str, str]]:
    method = _map(value)
    rows: list[tuple[str, str]] = []
    labels = {
        "algorithm": "algorithm",
        "seed": "seed",
        "resolution": "resolution",
        "target_services": "target services",
    }
    for key, label in labels.items():
        if key in method:
            shown = method[key]
            rows.append(
                (label, "automatic" if key == "target_services" and shown is None else format_value(shown))
            )
    rows.extend((str(k).replace("_", " "), format_value(v)) for k, v in method.items() if k not in labels)
    return rows


def _verdict(value: object) -> dict[str, Any] | None:
    verdict = _map(value)
    if not verdict:
        return None
    recommendation = verdict.get("recommendation")
    text = str(recommendation) if recommendation is not None else "n/a"
    css = f"verdict-{text}" if text in RECOMMENDATIONS else "verdict-other"
    return {"recommendation": text, "css": css, "reasons": _strings(verdict.get("reasons"))}


def _figures(
    document: Mapping[str, Any],
    services: Sequence[ServiceView],
    shared: Sequence[str],
    nodes: Sequence[Mapping[str, Any]],
) -> list[tuple[str, str]]:
    symbols = sum(len(s.symbols) for s in services) + len(shared)
    lines = sum(_int(n.get("lines")) or 0 for n in nodes) if nodes else None
    if lines is None:
        service_lines = [_int(s.get("lines")) for s in document["services"]]
        lines = (
            sum(v for v in service_lines if v is not None)
            if any(v is not None for v in service_lines)
            else None
        )
    plan = _map(_map(_map(document.get("metrics")).get("plans")).get("plan"))
    cross = plan.get("cross_service_calls")
    figures = [("services", format_value(len(services))), ("symbols", format_value(symbols or len(nodes)))]
    figures.append(("lines of code", format_value(lines)))
    figures.append(("shared symbols", format_value(len(shared))))
    figures.append(("cross-service calls", format_value(cross)))
    problems = document.get("problems")
    figures.append(("problems", format_value(len(problems) if isinstance(problems, list) else None)))
    return figures


def _metrics(metrics: Mapping[str, Any], *, with_chart: bool) -> dict[str, Any] | None:
    plans_raw = _map(metrics.get("plans"))
    keys = [k for k in plans_raw if k == "plan"] + [k for k in plans_raw if k != "plan"]
    if not keys:
        return None
    labels = _map(metrics.get("labels"))
    better_raw = _map(metrics.get("better"))
    definitions = _map(metrics.get("definitions"))
    plans = [ChartPlan(str(k), str(labels.get(k) or k), _map(plans_raw[k])) for k in keys]

    row_keys = list(METRIC_ROWS)
    for plan in plans:
        row_keys += [str(k) for k in plan.values if k not in row_keys]

    def better(key: str) -> str | None:
        value = better_raw.get(key, BETTER.get(key))
        return value if value in ("higher", "lower") else None

    rows: list[MetricRow] = []
    for key in row_keys:
        values = [plan.values.get(key) for plan in plans]
        numbers = [float(v) if _is_number(v) else None for v in values]
        best = best_indexes(numbers, better(key))
        direction = better(key)
        rows.append(
            MetricRow(
                key=key,
                label=METRIC_LABELS.get(key, key.replace("_", " ")),
                note=f"{direction} is better" if direction else "",
                cells=[Cell(format_value(v), i in best) for i, v in enumerate(values)],
            )
        )
    ordered_definitions = [k for k in METRIC_ROWS if k in definitions] + [
        k for k in definitions if k not in METRIC_ROWS
    ]
    chart = None
    if with_chart:
        charted = [k for k in CHART_METRICS if any(_is_number(p.values.get(k)) for p in plans)]
        if charted:
            chart = Markup(metrics_chart([(k, better(k)) for k in charted], plans))
    return {
        "columns": [{"key": p.key, "label": p.label} for p in plans],
        "rows": rows,
        "definitions": [
            (str(k), str(definitions[k])) for k in ordered_definitions if definitions[k] is not None
        ],
        "chart": chart,
    }


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _problems(value: object, colour: Any) -> list[ProblemGroup]:
    groups: dict[str, list[ProblemView]] = {}
    for problem in value if isinstance(value, list) else []:
        if not isinstance(problem, Mapping):
            continue
        kind = str(problem.get("kind") or "other")
        groups.setdefault(kind, []).append(
            ProblemView(
                message=str(problem.get("message") or "(no message)"),
                services=[Link(s, "", colour(s)) for s in _strings(problem.get("services"))],
                symbols=_strings(problem.get("symbols")),
            )
        )
    return [ProblemGroup(kind, len(groups[kind]), groups[kind]) for kind in sorted(groups)]


def _service_calls(services: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, float]]:
    """Cross-service call weights from ``calls``, completed by ``called_by`` where a caller is silent."""
    weights: dict[tuple[str, str], float] = {}
    for service in services:
        for callee, weight in _map(service.get("calls")).items():
            if _is_number(weight):
                weights[(str(service["name"]), str(callee))] = float(weight)
    for service in services:
        for caller, weight in _map(service.get("called_by")).items():
            if _is_number(weight):
                weights.setdefault((str(caller), str(service["name"])), float(weight))
    return [(a, b, w) for (a, b), w in sorted(weights.items())]


def _shared_users(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]) -> int:
    service_of = {str(n["id"]): _unit_service(n) for n in nodes}
    users = {
        service_of[str(e.get("source"))]
        for e in edges
        if service_of.get(str(e.get("target"))) == "shared"
        and service_of.get(str(e.get("source")), "shared") != "shared"
    }
    return len(users)


def _units_from_services(services: Iterable[Mapping[str, Any]], shared: Sequence[str]) -> list[GraphUnit]:
    """Without a ``units`` section the symbol graph still shows who owns what (without edges)."""
    units = [
        GraphUnit(s, str(service["name"]), None)
        for service in services
        for s in _strings(service.get("symbols"))
    ]
    return units + [GraphUnit(s, "shared", None) for s in shared]


# --------------------------------------------------------------------------- templates


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md_text(value: object) -> str:
    """Prose for Markdown: one line, Markdown and HTML characters escaped (safe inside table cells)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _md_code(value: object, cell: bool = False) -> str:
    """An identifier as a code span; in a table cell its pipes are escaped as GFM requires."""
    text = " ".join(str(value).split())
    if cell:
        text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" or text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("analyzer.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["mdtext"] = _md_text
    environment.filters["mdcode"] = _md_code
    return environment
