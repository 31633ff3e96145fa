"""The diff as sections of titled tables of text: what the terminal, Markdown and HTML renderers share.

Pure. Every number is formatted here, so the three renderers show the same
figures; they only differ in how a table is drawn (and HTML adds pictures).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from generator.diff.document import ratio
from generator.diff.model import (
    Coupling,
    Diff,
    KubernetesOverlay,
    LatencyStats,
    RouteReach,
    Side,
)

NOT_GENERATED = "not generated"
#: Up to this many moves, the terminal lists every moved symbol too (and HTML does not fold them).
FEW_MOVES = 20


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: columns holding numbers (right-aligned)
    numeric: frozenset[int] = frozenset()
    title: str = ""
    #: long detail a reader opens on demand (HTML and Markdown fold it)
    folded: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    #: pictures the HTML page draws at the top of this section
    figures: tuple[str, ...] = ()


def number(value: float | int | None, digits: int = 3) -> str:
    """``None`` is "n/a"; integers get thousands separators; floats at most ``digits`` decimals."""
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def change(a: float | int | None, b: float | int | None) -> str:
    if a is None or b is None:
        return ""
    delta = b - a
    if delta == 0:
        return "="
    return ("+" if delta > 0 else "") + number(delta)


def times(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def cores(millicores: int) -> str:
    """CPU in cores: ``800`` → "0.8 cores"."""
    value = number(millicores / 1000, 3)
    return f"{value} core" if value == "1" else f"{value} cores"


def memory(size: int) -> str:
    for unit, factor in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f}{unit}" if value == int(value) else f"{value:.1f}{unit}"
    return f"{size}"


def short(symbol: str) -> str:
    """The last two parts of a dotted name: ``streamshop.services.billing.charge`` → ``billing.charge``."""
    return ".".join(symbol.split(".")[-2:])


def _unit_or_absent(name: str | None) -> str:
    return "—" if name is None else name


def describe(side: Side) -> str:
    what = {
        "architecture": f"generated {side.architecture}",
        "plan": "plan",
        "source": "the plan suggest makes for it",
    }[side.kind]
    units = len(side.units)
    text = f"{side.label} — {what}: {units} unit{'s' if units != 1 else ''}, {sum(u.lines for u in side.units):,} lines"
    if side.shared:
        text += f" + shared library ({len(side.shared):,} symbols, {side.shared_lines:,} lines)"
    return text


def sections(diff: Diff, *, full: bool) -> tuple[Section, ...]:
    """Every section of the report; ``full`` adds the long tables (every moved symbol, every new call)."""
    result = [
        Section("sides", "Architectures", (f"A: {describe(diff.a)}", f"B: {describe(diff.b)}")),
        _units(diff),
        _moves(diff, full=full),
        _coupling(diff, full=full),
        _routes(diff),
        _footprint(diff),
    ]
    if diff.measured is not None:
        result.append(_measured(diff))
    return tuple(result)


# --------------------------------------------------------------------------- units and moves


def _flows(flows: Sequence[tuple[str, int]], limit: int = 6) -> str:
    parts = [f"{name} {count}" for name, count in flows[:limit]]
    if len(flows) > limit:
        parts.append(f"… {len(flows) - limit} more")
    return ", ".join(parts)


def _moved(counts: Counter[str], sign: str, preposition: str, limit: int = 3) -> str:
    """``+2 from cart, +1 from users``: symbols moved in (or out) by unit, largest first."""
    items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    text = ", ".join(f"{sign}{count} {preposition} {unit}" for unit, count in items[:limit])
    return text + (f", … {len(items) - limit} more" if len(items) > limit else "")


def _units(diff: Diff) -> Section:
    a_units = {u.name: u for u in diff.a.units}
    b_units = {u.name: u for u in diff.b.units}
    gained: dict[str, Counter[str]] = defaultdict(Counter)
    lost: dict[str, Counter[str]] = defaultdict(Counter)
    for move in diff.moves:
        if move.target is not None:
            gained[move.target][_unit_or_absent(move.source)] += 1
        if move.source is not None:
            lost[move.source][_unit_or_absent(move.target)] += 1
    rows = []
    for match in diff.units:
        x = a_units[match.a] if match.a is not None else None
        y = b_units[match.b] if match.b is not None else None
        if match.status == "removed":
            note = ("split into " if len(match.flows) > 1 else "went to ") + _flows(match.flows)
        elif match.status == "added":
            note = "from " + _flows(match.flows) if match.flows else "new symbols"
        else:
            parts = [f"{match.similarity:.0%} in common"] if match.status == "renamed" else []
            if match.b is not None and gained[match.b]:
                parts.append(_moved(gained[match.b], "+", "from"))
            if match.a is not None and lost[match.a]:
                parts.append(_moved(lost[match.a], "-", "to"))
            note = "; ".join(parts)
        rows.append(
            (
                _unit_or_absent(match.a),
                _unit_or_absent(match.b),
                match.status,
                number(len(x.symbols)) if x else "",
                number(len(y.symbols)) if y else "",
                number(x.lines) if x else "",
                number(y.lines) if y else "",
                note,
            )
        )
    counts = Counter(m.status for m in diff.units)
    summary = ", ".join(
        f"{counts[s]} {s}" for s in ("same", "changed", "renamed", "removed", "added") if counts[s]
    )
    return Section(
        "units",
        "Units",
        (
            f"{summary}. Units are matched by content: the same unit when their symbol sets have a "
            "Jaccard similarity of at least 0.6 (or, failing that, the same name).",
        ),
        (
            Table(
                (
                    "A",
                    "B",
                    "status",
                    "symbols A",
                    "symbols B",
                    "lines A",
                    "lines B",
                    "moves",
                ),
                tuple(rows),
                frozenset({3, 4, 5, 6}),
            ),
        ),
        figures=("maps",),
    )


def _moves(diff: Diff, *, full: bool) -> Section:
    moves = diff.moves
    total = len(set(diff.a.owner) | set(diff.b.owner))
    by_flow: dict[tuple[str, str], list[str]] = defaultdict(list)
    for move in moves:
        by_flow[(_unit_or_absent(move.source), _unit_or_absent(move.target))].append(move.symbol)
    flows = sorted(by_flow.items(), key=lambda item: (-len(item[1]), item[0]))
    rows = []
    for (source, target), symbols in flows:
        shown = ", ".join(short(s) for s in symbols[:3])
        if len(symbols) > 3:
            shown += f", … {len(symbols) - 3} more"
        rows.append((source, target, number(len(symbols)), shown))
    paragraphs = [
        f"{len(moves):,} of {total:,} top-level symbols changed unit "
        "(a symbol moves when its unit in B is not the match of its unit in A; a renamed unit moves "
        "nothing). — means the symbol does not exist on that side."
    ]
    tables = [Table(("from", "to", "symbols", "which"), tuple(rows), frozenset({2}), title="Moves by flow")]
    if moves and (full or len(moves) <= FEW_MOVES):
        tables.append(
            Table(
                ("symbol", "from", "to"),
                tuple((m.symbol, _unit_or_absent(m.source), _unit_or_absent(m.target)) for m in moves),
                title="Every moved symbol",
                folded=len(moves) > FEW_MOVES,
            )
        )
    if not moves:
        paragraphs = ["No symbol changed unit."]
        tables = []
    return Section("moves", "Moved symbols", tuple(paragraphs), tuple(tables))


_METRIC_ROWS = (
    ("SM", "SM (structural modularity)", "higher"),
    ("ICP", "ICP (share of calls crossing units)", "lower"),
    ("IFN", "IFN (API operations per unit)", "lower"),
    ("NED", "NED (share in extreme-size units)", "lower"),
    ("cross_service_calls", "cross-unit dependencies", "lower"),
    ("shared_tables", "shared tables", "lower"),
    ("network_calls", "network call edges", "lower"),
    ("api_operations", "API operations", "lower"),
    ("services", "units (shared library left out)", None),
)


def metric_values(coupling: Coupling) -> dict[str, float | int | None]:
    m = coupling.metrics
    return {
        "SM": m.SM,
        "ICP": m.ICP,
        "IFN": m.IFN,
        "NED": m.NED,
        "cross_service_calls": m.cross_service_calls,
        "shared_tables": m.shared_tables,
        "network_calls": len(coupling.network_calls),
        "api_operations": coupling.api_operations,
        "services": m.services,
    }


def _coupling(diff: Diff, *, full: bool) -> Section:
    a, b = metric_values(diff.coupling_a), metric_values(diff.coupling_b)
    metric_rows = tuple(
        (label, number(a[key]), number(b[key]), change(a[key], b[key]), better or "")
        for key, label, better in _METRIC_ROWS
    )
    pairs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for index, coupling in enumerate((diff.coupling_a, diff.coupling_b)):
        for call in coupling.network_calls:
            pairs[(call.source_unit, call.target_unit)][index] += 1
    pair_rows = tuple(
        (source, target, number(counts[0]), number(counts[1]))
        for (source, target), counts in sorted(pairs.items(), key=lambda item: (-sum(item[1]), item[0]))
    )
    a_calls = {(c.caller, c.callee): c for c in diff.coupling_a.network_calls}
    b_calls = {(c.caller, c.callee): c for c in diff.coupling_b.network_calls}
    became_network = sorted(b_calls.keys() - a_calls.keys())
    became_local = sorted(a_calls.keys() - b_calls.keys())
    paragraphs = [
        f"{len(became_network):,} call edges became network calls and {len(became_local):,} became "
        "in-process. Metrics are the suggest metrics (docs/plan-format.md) computed on each side's graph "
        "with its units as the services; the shared library is left out.",
        _shared_tables("A", diff.coupling_a) + " " + _shared_tables("B", diff.coupling_b),
    ]
    tables = [
        Table(("metric", "A", "B", "B - A", "better"), metric_rows, frozenset({1, 2, 3}), title="Metrics"),
    ]
    if pair_rows:
        tables.append(
            Table(
                ("from unit", "to unit", "network calls A", "network calls B"),
                pair_rows,
                frozenset({2, 3}),
                title="Network calls by unit pair",
            )
        )
    api_rows = _api_rows(diff)
    if api_rows:
        tables.append(
            Table(
                ("unit", "API operations A", "API operations B"),
                api_rows,
                frozenset({1, 2}),
                title="API surface per unit",
            )
        )
    if full and became_network:
        tables.append(
            Table(
                ("caller", "callee", "from unit", "to unit"),
                tuple(
                    (c, d, b_calls[(c, d)].source_unit, b_calls[(c, d)].target_unit)
                    for c, d in became_network
                ),
                title="Calls that became network calls",
                folded=len(became_network) > 20,
            )
        )
    if full and became_local:
        tables.append(
            Table(
                ("caller", "callee", "from unit", "to unit"),
                tuple(
                    (c, d, a_calls[(c, d)].source_unit, a_calls[(c, d)].target_unit) for c, d in became_local
                ),
                title="Network calls that became in-process (units as in A)",
                folded=len(became_local) > 20,
            )
        )
    return Section("coupling", "Coupling", tuple(paragraphs), tuple(tables), figures=("metrics",))


def _shared_tables(name: str, coupling: Coupling) -> str:
    if not coupling.shared_tables:
        return f"Shared tables in {name}: none."
    listed = "; ".join(f"{table} ({', '.join(units)})" for table, units in coupling.shared_tables)
    return f"Shared tables in {name}: {listed}."


def _api_rows(diff: Diff) -> tuple[tuple[str, ...], ...]:
    a_api, b_api = dict(diff.coupling_a.api), dict(diff.coupling_b.api)
    names = sorted(set(a_api) | set(b_api))
    rows = []
    for name in names:
        x, y = a_api.get(name), b_api.get(name)
        rows.append((name, "" if x is None else number(len(x)), "" if y is None else number(len(y))))
    return tuple(rows)


# --------------------------------------------------------------------------- routes


def _reach_cells(reach: RouteReach | None) -> tuple[str, str, str]:
    if reach is None:
        return ("", "", "—")
    depth = number(reach.depth) + ("+" if reach.cyclic else "")
    return (number(reach.hops), depth, ", ".join(reach.units))


def _routes(diff: Diff) -> Section:
    rows = tuple((r.route, *_reach_cells(r.a), *_reach_cells(r.b)) for r in diff.routes)

    reached_a = [(r.route, r.a) for r in diff.routes if r.a is not None]
    reached_b = [(r.route, r.b) for r in diff.routes if r.b is not None]
    remote_a = sum(1 for _, reach in reached_a if reach.hops)
    remote_b = sum(1 for _, reach in reached_b if reach.hops)
    summary = (
        f"Routes that make network calls: A {remote_a} of {len(reached_a)}, B {remote_b} of {len(reached_b)}."
    )
    if reached_b:
        route, reach = max(reached_b, key=lambda item: (item[1].hops, item[1].depth, item[0]))
        if reach.hops:
            summary += f" Most in B: {route} ({reach.hops} hops, depth {reach.depth})."
    paragraphs = [
        "Static, from the call graph: the walk starts at the route's handler in the unit that serves it and "
        "follows every call edge; a call into code another unit owns is a network call and the walk goes "
        "on in that unit (calls to the shared library and to copied value types stay in-process). "
        "hops: distinct network call edges reachable - the remote calls the route may make; "
        "depth: the most network calls nested in one another on one call path (+: units call each "
        "other in a loop on the way); units: the units it touches, the serving unit first. "
        "The gateway in front of every architecture is not counted.",
        summary,
    ]
    return Section(
        "routes",
        "Network hops per route",
        tuple(paragraphs),
        (
            Table(
                ("route", "hops A", "depth A", "units A", "hops B", "depth B", "units B"),
                rows,
                frozenset({1, 2, 4, 5}),
            ),
        ),
    )


# --------------------------------------------------------------------------- deployment footprint


def _overlay(overlays: tuple[KubernetesOverlay, ...] | None, name: str) -> KubernetesOverlay | None:
    for overlay in overlays or ():
        if overlay.name == name:
            return overlay
    return None


def _footprint(diff: Diff) -> Section:
    sides = (diff.a, diff.b)

    def images(side: Side) -> str:
        if side.deployment is None:
            return "n/a (a plan)"
        return NOT_GENERATED if side.deployment.images is None else number(side.deployment.images)

    def overlays(side: Side) -> tuple[KubernetesOverlay, ...] | None:
        return side.deployment.kubernetes if side.deployment is not None else None

    def kube(side: Side, name: str, what: str) -> str:
        if side.deployment is None:
            return "n/a (a plan)"
        found = overlays(side)
        if found is None:
            return NOT_GENERATED
        overlay = _overlay(found, name)
        if overlay is None:
            return "no such overlay"
        if overlay.error is not None:
            return f"error: {overlay.error}"
        if what == "objects":
            return number(overlay.objects)
        return cores(overlay.cpu_millicores) if what == "cpu" else memory(overlay.memory_bytes)

    def shared(side: Side) -> str:
        if not side.shared:
            return "none"
        return f"{side.shared_lines:,} (embedded in each of {len(side.units)} units)"

    rows: list[tuple[str, ...]] = [
        ("deployables (units)", number(len(diff.a.units)), number(len(diff.b.units))),
        ("container images (Dockerfiles)", images(diff.a), images(diff.b)),
    ]
    overlay_names = sorted({o.name for side in sides for o in overlays(side) or ()})
    if overlay_names:
        for name in overlay_names:
            rows.append(
                (f"Kubernetes objects ({name})", kube(diff.a, name, "objects"), kube(diff.b, name, "objects"))
            )
            rows.append((f"requested CPU ({name})", kube(diff.a, name, "cpu"), kube(diff.b, name, "cpu")))
            rows.append(
                (f"requested memory ({name})", kube(diff.a, name, "memory"), kube(diff.b, name, "memory"))
            )
    else:
        rows.append(("Kubernetes manifests", kube(diff.a, "", ""), kube(diff.b, "", "")))
    rows.append(
        (
            "lines of code in units",
            number(sum(u.lines for u in diff.a.units)),
            number(sum(u.lines for u in diff.b.units)),
        )
    )
    rows.append(("shared library lines", shared(diff.a), shared(diff.b)))
    tables = [Table(("", "A", "B"), tuple(rows), title="Totals")]
    columns = [
        (f"{side_name} {overlay.name}", overlay)
        for side_name, side in (("A", diff.a), ("B", diff.b))
        for overlay in overlays(side) or ()
        if overlay.error is None
    ]
    if columns:
        kinds = sorted({kind for _, overlay in columns for kind, _ in overlay.kinds})
        kind_rows = tuple(
            (kind, *(number(dict(overlay.kinds).get(kind, 0)) for _, overlay in columns)) for kind in kinds
        )
        tables.append(
            Table(
                ("kind", *(name for name, _ in columns)),
                kind_rows,
                frozenset(range(1, len(columns) + 1)),
                title="Kubernetes objects by kind",
            )
        )
    a_lines = {u.name: u.lines for u in diff.a.units}
    b_lines = {u.name: u.lines for u in diff.b.units}
    per_unit = tuple(
        (
            name,
            number(a_lines[name]) if name in a_lines else "",
            number(b_lines[name]) if name in b_lines else "",
        )
        for name in sorted(set(a_lines) | set(b_lines))
    )
    tables.append(
        Table(("unit", "lines A", "lines B"), per_unit, frozenset({1, 2}), title="Lines of code per unit")
    )
    return Section(
        "footprint",
        "Deployment footprint",
        (
            "Requested CPU and memory: the requests of every container (its limit where it has no request) "
            "times the replicas of its workload, from kubectl kustomize of each overlay; a DaemonSet counts "
            "once, init containers are left out.",
        ),
        tuple(tables),
    )


# --------------------------------------------------------------------------- measured


def _ms(value: float) -> str:
    return f"{value:,.1f}"


def _latency_cells(a: LatencyStats | None, b: LatencyStats | None) -> tuple[str, ...]:
    cells: list[str] = [
        f"{a.count if a else 0}/{b.count if b else 0}",
    ]
    for key in ("p50", "p95", "p99", "throughput"):
        x = getattr(a, key) if a else None
        y = getattr(b, key) if b else None
        cells += [_ms(x) if x is not None else "", _ms(y) if y is not None else "", times(ratio(x, y))]
    return tuple(cells)


def _measured(diff: Diff) -> Section:
    measured = diff.measured
    assert measured is not None
    machine = measured.machine
    load = (
        " ".join(f"{x:.2f}" for x in machine.load_average) if machine.load_average is not None else "unknown"
    )
    paragraphs = (
        f"Scenario {measured.scenario}, run whole until at least {measured.requests:,} requests per side, "
        f"after {measured.warmup} warm-up run{'s' if measured.warmup != 1 else ''}; A then B, "
        f"each alone, with monosplit run (the {measured.engine} engine).",
        f"A: {measured.a.count:,} requests in {measured.a_runs} runs ({measured.a_seconds:.1f} s). "
        f"B: {measured.b.count:,} requests in {measured.b_runs} runs ({measured.b_seconds:.1f} s).",
        f"Machine: {machine.cores} cores ({machine.cpu}), load average {load} before measuring, "
        f"Python {machine.python}, {machine.platform}.",
        "Latency in milliseconds as the scenario's client saw it; requests per second of one client "
        "sending them back to back (overall: of the wall time of the measured runs). B/A is the ratio.",
    )
    headers = (
        "route", "n A/B",
        "p50 A", "p50 B", "B/A", "p95 A", "p95 B", "B/A", "p99 A", "p99 B", "B/A", "req/s A", "req/s B", "B/A",
    )  # fmt: skip
    rows = [("overall", *_latency_cells(measured.a, measured.b))]
    rows += [(r.route, *_latency_cells(r.a, r.b)) for r in measured.routes]
    return Section(
        "measured",
        "Measured latency and throughput",
        paragraphs,
        (Table(headers, tuple(rows), frozenset(range(1, 14))),),
        figures=("latency",),
    )
