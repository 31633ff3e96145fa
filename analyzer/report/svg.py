"""SVG pictures for the plan report: the service map, the symbol graph and the metrics charts.

Pure string building with deterministic layouts (no randomness, no clock, no external layout engine):
the same input always gives the same bytes. Every text and attribute value goes through
:func:`html.escape`, so names from a hand-edited plan cannot break the markup.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

SVG_NS = "http://www.w3.org/2000/svg"
FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

#: Categorical colours for services: Okabe & Ito's colour-blind-safe set (black left out, the yellow
#: darkened so it stays visible on white) followed by three of Paul Tol's "muted" colours. Services
#: get them in name order, cycling when there are more services than colours.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#C9B800",  # yellow, darkened
    "#332288",  # indigo
    "#882255",  # wine
    "#999933",  # olive
)
SHARED_COLOUR = "#8A8F98"
CROSS_EDGE_COLOUR = "#B2182B"
ARROW_COLOUR = "#475569"
TEXT_COLOUR = "#1F2933"
MUTED_TEXT = "#52606D"
#: Bar colours of the metrics charts: the suggested plan first, then the baselines.
PLAN_COLOURS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#999933")

MAX_UNITS = 1500
MAX_EDGES = 4000
MAX_ARROW_LABELS = 40


# --------------------------------------------------------------------------- small helpers


def colour_map(names: Iterable[str]) -> dict[str, str]:
    """Colour per service, in the given order, cycling through :data:`PALETTE`; ``shared`` is grey."""
    colours: dict[str, str] = {"shared": SHARED_COLOUR}
    index = 0
    for name in names:
        if name in colours:
            continue
        colours[name] = PALETTE[index % len(PALETTE)]
        index += 1
    return colours


def tint(colour: str, amount: float) -> str:
    """``colour`` mixed with white: ``amount`` 0 is white, 1 the colour itself."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(255 - (255 - c) * amount) for c in (red, green, blue))
    return "#" + "".join(f"{c:02X}" for c in mixed)


def shade(colour: str, amount: float) -> str:
    """``colour`` mixed with black: ``amount`` 0 is the colour, 1 black (for text that must stay legible)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * (1 - amount)):02X}" for c in (red, green, blue))


def format_value(value: object) -> str:
    """A metric or count for people: ``None`` is "n/a", floats keep at most three decimals."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        text = f"{value:,.3f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)


def _n(value: float) -> str:
    """A coordinate: one decimal, never ``-0.0``."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _e(text: object) -> str:
    return escape(str(text), quote=True)


_NARROW = set("iljtfrI.,:;'!|()[] ")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Rough rendered width of ``text`` in a sans-serif font (enough to size boxes and legends)."""
    units = 0.0
    for char in text:
        if char in _NARROW:
            units += 0.32
        elif char in _WIDE:
            units += 0.85
        elif char.isupper() or char.isdigit():
            units += 0.64
        else:
            units += 0.55
    return units * size * (1.07 if bold else 1.0)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg_open(width: float, height: float, label: str, css_class: str) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" class="{_e(css_class)}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" aria-label="{_e(label)}" '
        f'font-family="{_e(FONT_STACK)}">\n<title>{_e(label)}</title>\n'
    )


@dataclass(frozen=True, slots=True)
class _Box:
    """An axis-aligned box by its centre and half sizes."""

    x: float
    y: float
    hw: float
    hh: float

    def overlaps(self, other: _Box, gap_x: float, gap_y: float) -> bool:
        return (
            abs(self.x - other.x) < self.hw + other.hw + gap_x
            and abs(self.y - other.y) < self.hh + other.hh + gap_y
        )

    def border_towards(self, tx: float, ty: float, margin: float) -> tuple[float, float]:
        """Where the ray from the centre towards (tx, ty) leaves the box grown by ``margin``."""
        dx, dy = tx - self.x, ty - self.y
        if dx == 0 and dy == 0:
            return self.x, self.y
        scales = []
        if dx:
            scales.append((self.hw + margin) / abs(dx))
        if dy:
            scales.append((self.hh + margin) / abs(dy))
        scale = min(scales)
        return self.x + dx * scale, self.y + dy * scale


# --------------------------------------------------------------------------- service map


@dataclass(frozen=True, slots=True)
class MapService:
    name: str
    symbols: int | None
    lines: int | None
    colour: str


_BOX_H = 50.0
_BOX_PAD = 16.0
_NAME_SIZE = 14.0
_SUB_SIZE = 11.5


def _box_lines(name: str, symbols: int | None, lines: int | None) -> tuple[str, str]:
    sub = f"{format_value(symbols)} symbols · {format_value(lines)} lines"
    return truncate(name, 28), sub


def _ring_layout(sizes: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Box centres on an ellipse (first on top, clockwise), grown until no two boxes come close."""
    count = len(sizes)
    if count == 0:
        return []
    if count == 1:
        return [(0.0, 0.0)]
    if count == 2:
        half = (sizes[0][0] + sizes[1][0]) / 4 + 110
        return [(-half, 0.0), (half, 0.0)]
    gap_x, gap_y = (70.0, 46.0) if count <= 10 else (36.0, 30.0)
    ratio = 0.62 if count <= 10 else 1.1
    widest = max(w for w, _ in sizes)
    rx = max(widest / 2 + 60, 180.0, 52.0 * count if count <= 10 else 0.0)
    while True:
        centres = _pack_on_ellipse(sizes, rx, rx * ratio, gap_x, gap_y)
        if centres is not None:
            return centres
        rx *= 1.03


def _pack_on_ellipse(
    sizes: Sequence[tuple[float, float]], rx: float, ry: float, gap_x: float, gap_y: float
) -> list[tuple[float, float]] | None:
    """Boxes around an ellipse, spaced by how much room each part of the ring needs.

    Boxes side by side (top and bottom) need a box width between centres, stacked ones (left and right)
    only a box height: so the boxes sit closer together at the sides than equal angles would put them,
    and more fit on a smaller ring. Returns ``None`` when they do not fit on this ellipse.
    """
    count = len(sizes)
    need_x = max(w for w, _ in sizes) + gap_x
    need_y = max(h for _, h in sizes) + gap_y
    samples = 720
    d_theta = 2 * math.pi / samples
    # boxes per radian at each angle (moving d_theta along the ring moves rx|sin| across, ry|cos| down)
    cumulative = [0.0]
    for k in range(samples):
        theta = -math.pi / 2 + (k + 0.5) * d_theta
        density = max(rx * abs(math.sin(theta)) / need_x, ry * abs(math.cos(theta)) / need_y)
        cumulative.append(cumulative[-1] + density * d_theta)
    capacity = cumulative[-1]
    if capacity < count:
        return None
    thetas: list[float] = []
    k = 0
    for i in range(count):
        target = capacity * i / count
        while cumulative[k + 1] < target:
            k += 1
        part = (target - cumulative[k]) / ((cumulative[k + 1] - cumulative[k]) or 1.0)
        thetas.append(-math.pi / 2 + (k + part) * d_theta)
    boxes = [
        _Box(rx * math.cos(t), ry * math.sin(t), w / 2, h / 2)
        for t, (w, h) in zip(thetas, sizes, strict=True)
    ]
    if any(boxes[i].overlaps(boxes[j], gap_x, gap_y) for i in range(count) for j in range(i + 1, count)):
        return None
    return [(b.x, b.y) for b in boxes]


def _quad_point(
    p0: tuple[float, float], c: tuple[float, float], p2: tuple[float, float], t: float
) -> tuple[float, float]:
    u = 1 - t
    return (
        u * u * p0[0] + 2 * u * t * c[0] + t * t * p2[0],
        u * u * p0[1] + 2 * u * t * c[1] + t * t * p2[1],
    )


def service_map(
    services: Sequence[MapService],
    calls: Iterable[tuple[str, str, float]],
    *,
    shared_symbols: int = 0,
    shared_users: int | None = None,
    max_labels: int = MAX_ARROW_LABELS,
) -> tuple[str, str]:
    """The services as boxes with arrows for cross-service calls; returns ``(svg, caption)``.

    ``calls`` are ``(caller, callee, weight)``; calls from or to unknown services and self-calls are
    left out. Boxes sit on an ellipse in the given order; the shared library, when it has symbols,
    is a dashed box under the ring.
    """
    by_name: dict[str, int] = {}
    for index, service in enumerate(services):
        by_name.setdefault(service.name, index)
    texts = [_box_lines(s.name, s.symbols, s.lines) for s in services]
    sizes = [
        (
            max(120.0, max(text_width(n, _NAME_SIZE, bold=True), text_width(s, _SUB_SIZE)) + 2 * _BOX_PAD),
            _BOX_H,
        )
        for n, s in texts
    ]
    centres = _ring_layout(sizes)
    boxes = [_Box(x, y, w / 2, h / 2) for (x, y), (w, h) in zip(centres, sizes, strict=True)]

    shared_box: _Box | None = None
    shared_texts = ("", "")
    if shared_symbols > 0:
        users = "" if shared_users is None else f" · used by {shared_users}"
        shared_texts = ("shared library", f"{format_value(shared_symbols)} symbols{users}")
        width = max(140.0, text_width(shared_texts[1], _SUB_SIZE) + 2 * _BOX_PAD)
        bottom = max((b.y + b.hh for b in boxes), default=-_BOX_H / 2 - 40)
        shared_box = _Box(0.0, bottom + 44 + _BOX_H / 2, width / 2, _BOX_H / 2)

    merged: dict[tuple[int, int], float] = {}
    for caller, callee, weight in calls:
        if caller == callee or caller not in by_name or callee not in by_name or not weight or weight < 0:
            continue
        key = (by_name[caller], by_name[callee])
        merged[key] = merged.get(key, 0) + weight
    arrows = sorted(
        merged.items(), key=lambda item: (item[1], services[item[0][0]].name, services[item[0][1]].name)
    )
    heaviest = max((w for _, w in arrows), default=1.0)
    labelled = {
        key
        for key, _ in sorted(
            arrows, key=lambda item: (-item[1], services[item[0][0]].name, services[item[0][1]].name)
        )[:max_labels]
    }

    arrow_parts: list[str] = []
    label_parts: list[str] = []
    markers: dict[str, float] = {}
    for (a, b), weight in arrows:
        start_box, end_box = boxes[a], boxes[b]
        width_px = 1.5 + round(4.5 * math.sqrt(weight / heaviest) * 2) / 2
        head = 7 + 1.6 * width_px
        marker_id = f"svcmap-arrow-{width_px:.1f}".replace(".", "-")
        markers[marker_id] = head
        dx, dy = end_box.x - start_box.x, end_box.y - start_box.y
        dist = math.hypot(dx, dy) or 1.0
        bend = min(40.0, 0.14 * dist)
        # bend to the right of the direction of travel, so A→B and B→A are two separate curves
        control = (
            (start_box.x + end_box.x) / 2 - dy / dist * bend,
            (start_box.y + end_box.y) / 2 + dx / dist * bend,
        )
        p0 = start_box.border_towards(*control, margin=3)
        tip = end_box.border_towards(*control, margin=3)
        ex, ey = tip[0] - control[0], tip[1] - control[1]
        tail = math.hypot(ex, ey) or 1.0
        shorten = 0.6 * head if tail > 0.6 * head + 4 else 0.0
        p2 = (tip[0] - ex / tail * shorten, tip[1] - ey / tail * shorten)
        title = f"{services[a].name} → {services[b].name}: {format_value(weight)} calls"
        arrow_parts.append(
            f'<path d="M{_n(p0[0])},{_n(p0[1])} Q{_n(control[0])},{_n(control[1])} {_n(p2[0])},{_n(p2[1])}" '
            f'stroke-width="{width_px:.1f}" stroke-opacity="{0.35 + 0.5 * math.sqrt(weight / heaviest):.2f}" '
            f'marker-end="url(#{marker_id})"><title>{_e(title)}</title></path>'
        )
        if (a, b) in labelled:
            mx, my = _quad_point(p0, control, tip, 0.5)
            label_parts.append(f'<text x="{_n(mx)}" y="{_n(my + 4)}">{_e(format_value(weight))}</text>')

    # bounds of everything drawn, then a translation so the picture starts at the margin
    all_boxes = [*boxes, *([shared_box] if shared_box else [])]
    if not all_boxes:
        empty = _svg_open(480, 80, "Service map", "ms-svg service-map")
        empty += f'<text x="240" y="45" text-anchor="middle" fill="{MUTED_TEXT}" font-size="14">No services.</text>\n'
        return empty + "</svg>", "The plan has no services."
    margin = 24.0
    min_x = min(b.x - b.hw for b in all_boxes) - margin
    min_y = min(b.y - b.hh for b in all_boxes) - margin
    max_x = max(b.x + b.hw for b in all_boxes) + margin
    max_y = max(b.y + b.hh for b in all_boxes) + margin
    # curves bulge beyond the boxes a little at most; keep room for them
    min_x, min_y, max_x, max_y = min_x - 20, min_y - 20, max_x + 20, max_y + 20
    width, height = max_x - min_x, max_y - min_y

    out = [_svg_open(width, height, "Service map", "ms-svg service-map")]
    out.append("<defs>\n")
    for marker_id, head in sorted(markers.items()):
        out.append(
            f'<marker id="{marker_id}" viewBox="0 0 10 10" refX="4" refY="5" markerWidth="{_n(head)}" '
            f'markerHeight="{_n(head)}" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{ARROW_COLOUR}"/></marker>\n'
        )
    out.append("</defs>\n")
    out.append(f'<g transform="translate({_n(-min_x)},{_n(-min_y)})">\n')
    out.append(f'<g class="arrows" fill="none" stroke="{ARROW_COLOUR}" stroke-linecap="butt">\n')
    out.extend(part + "\n" for part in arrow_parts)
    out.append("</g>\n")
    out.append(
        f'<g class="weights" font-size="11.5" font-weight="700" text-anchor="middle" fill="{TEXT_COLOUR}" '
        'stroke="#FFFFFF" stroke-width="3.5" stroke-linejoin="round" paint-order="stroke">\n'
    )
    out.extend(part + "\n" for part in label_parts)
    out.append("</g>\n")
    out.append('<g class="services" text-anchor="middle">\n')
    for service, box, (name, sub) in zip(services, boxes, texts, strict=True):
        out.append(
            _box_svg(box, name, sub, service.colour, tint(service.colour, 0.16), service.name, dashed=False)
        )
    if shared_box is not None:
        out.append(
            _box_svg(shared_box, *shared_texts, SHARED_COLOUR, "#F4F5F7", "shared library", dashed=True)
        )
    out.append("</g>\n</g>\n</svg>")

    caption = (
        "Each box is a service with its number of symbols and lines of code. An arrow A → B means code in "
        "A calls code in B; its thickness and label give the number of calls."
    )
    if not arrows:
        caption += " No service calls another."
    elif len(arrows) > len(labelled):
        caption += f" Labels are shown on the {len(labelled)} heaviest of {len(arrows)} arrows; hover an arrow for its weight."
    if shared_box is not None:
        caption += " The dashed box is the shared library: symbols kept out of every service."
    return "".join(out), caption


def _box_svg(box: _Box, name: str, sub: str, stroke: str, fill: str, title: str, *, dashed: bool) -> str:
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    return (
        f"<g><title>{_e(title)}</title>"
        f'<rect x="{_n(box.x - box.hw)}" y="{_n(box.y - box.hh)}" width="{_n(2 * box.hw)}" '
        f'height="{_n(2 * box.hh)}" rx="9" fill="{fill}" stroke="{stroke}" stroke-width="2"{dash}/>'
        f'<text x="{_n(box.x)}" y="{_n(box.y - 3)}" font-size="{_NAME_SIZE:g}" font-weight="700" '
        f'fill="{TEXT_COLOUR}">{_e(name)}</text>'
        f'<text x="{_n(box.x)}" y="{_n(box.y + 14)}" font-size="{_SUB_SIZE:g}" fill="{MUTED_TEXT}">{_e(sub)}</text>'
        "</g>\n"
    )


# --------------------------------------------------------------------------- symbol graph


@dataclass(frozen=True, slots=True)
class GraphUnit:
    id: str
    service: str
    lines: int | None


_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
_CLUSTER_GAP = 56.0
_MIN_RING = 230.0


def _dot_size(count: int) -> tuple[float, float]:
    """Dot radius and spiral constant (neighbours end up about 1.8 times that apart): big dots for small graphs."""
    if count <= 400:
        return 4.6, 7.4
    if count <= 1000:
        return 3.8, 6.2
    return 3.2, 5.2


def symbol_graph(
    units: Sequence[GraphUnit],
    edges: Iterable[tuple[str, str, float]],
    colours: Mapping[str, str],
    *,
    order: Sequence[str] = (),
    max_units: int = MAX_UNITS,
    max_edges: int = MAX_EDGES,
) -> tuple[str, str]:
    """Every symbol as a dot coloured by its service, clustered per service; returns ``(svg, caption)``.

    Clusters sit on a big circle (services in ``order`` first, then any other names sorted), the
    shared library in the middle; inside a cluster the most connected symbols are at the centre of a
    sunflower spiral. ``order`` is also the order colours were handed out in: services past the end of
    the palette get their dots outlined. Above ``max_units`` symbols only the most connected are drawn.
    """
    seen: dict[str, GraphUnit] = {}
    for unit in units:
        seen.setdefault(unit.id, unit)
    degree: dict[str, int] = defaultdict(int)
    strength: dict[str, float] = defaultdict(float)
    merged: dict[tuple[str, str], float] = {}
    for source, target, weight in edges:
        if source == target or source not in seen or target not in seen:
            continue
        key = (source, target) if source < target else (target, source)
        if key not in merged:
            degree[source] += 1
            degree[target] += 1
        merged[key] = merged.get(key, 0.0) + (weight or 0)
        strength[source] += weight or 0
        strength[target] += weight or 0

    ranked = sorted(seen.values(), key=lambda u: (-degree[u.id], -strength[u.id], u.id))
    chosen = ranked[:max_units]
    chosen_ids = {u.id for u in chosen}
    notes: list[str] = []
    if len(ranked) > len(chosen):
        notes.append(
            f"Showing the {format_value(len(chosen))} most connected of {format_value(len(ranked))} symbols."
        )

    clusters: dict[str, list[GraphUnit]] = defaultdict(list)
    for unit in chosen:  # already in (degree, id) order: hubs first, at each spiral's centre
        clusters[unit.service].append(unit)
    ring_names = [name for name in order if name in clusters and name != "shared"]
    ring_names += sorted(name for name in clusters if name not in ring_names and name != "shared")
    has_centre = "shared" in clusters

    node_r, spacing = _dot_size(len(chosen))

    def radius(count: int) -> float:
        return spacing * math.sqrt(count) + node_r

    centres = _cluster_layout(
        [radius(len(clusters[n])) for n in ring_names],
        radius(len(clusters["shared"])) if has_centre else None,
    )
    positions: dict[str, tuple[float, float]] = {}
    cluster_at: dict[str, tuple[float, float, float]] = {}
    names_in_place = [*ring_names, *(["shared"] if has_centre else [])]
    for name, (cx, cy) in zip(names_in_place, centres, strict=True):
        members = clusters[name]
        cluster_at[name] = (cx, cy, radius(len(members)))
        for i, unit in enumerate(members):
            r = spacing * math.sqrt(i + 0.5)
            theta = i * _GOLDEN_ANGLE
            positions[unit.id] = (cx + r * math.cos(theta), cy + r * math.sin(theta))

    kept = sorted(
        ((k, w) for k, w in merged.items() if k[0] in chosen_ids and k[1] in chosen_ids),
        key=lambda kw: (-kw[1], kw[0]),
    )
    if len(kept) > max_edges:
        notes.append(f"Showing the {format_value(max_edges)} heaviest of {format_value(len(kept))} edges.")
        kept = kept[:max_edges]
    kept.sort(key=lambda kw: kw[0])

    # cluster labels, placed outside each cluster, away from the middle
    label_parts: list[str] = []
    extents: list[tuple[float, float, float, float]] = []
    for name in names_in_place:
        cx, cy, r = cluster_at[name]
        text = f"{truncate(name, 30)} ({format_value(len(clusters[name]))})"
        w = text_width(text, 13, bold=True)
        if name == "shared" or (cx == 0 and cy == 0):
            lx, ly, anchor = cx, cy + r + 18, "middle"
        else:
            d = math.hypot(cx, cy)
            ux, uy = cx / d, cy / d
            lx, ly = cx + ux * (r + 12), cy + uy * (r + 12) + 4
            anchor = "start" if ux > 0.35 else "end" if ux < -0.35 else "middle"
            if uy > 0.35:
                ly += 8
        left = lx if anchor == "start" else lx - w if anchor == "end" else lx - w / 2
        extents.append((left, ly - 13, left + w, ly + 4))
        extents.append((cx - r, cy - r, cx + r, cy + r))
        label_parts.append(
            f'<text x="{_n(lx)}" y="{_n(ly)}" text-anchor="{anchor}" fill="{shade(colours.get(name, SHARED_COLOUR), 0.3)}">{_e(text)}</text>'
        )
    if not extents:
        extents.append((-200, -40, 200, 40))

    margin = 20.0
    min_x = min(e[0] for e in extents) - margin
    min_y = min(e[1] for e in extents) - margin
    max_x = max(e[2] for e in extents) + margin
    max_y = max(e[3] for e in extents) + margin
    width = max(max_x - min_x, 520.0)
    # centre narrow drawings in the minimum width
    min_x -= (width - (max_x - min_x)) / 2

    outlined = {name for i, name in enumerate(order) if i >= len(PALETTE)}
    legend_entries = [
        (name, colours.get(name, SHARED_COLOUR), len(clusters[name])) for name in names_in_place
    ]
    col_w = 210.0
    cols = max(1, int((width - 2 * margin) // col_w))
    cols = min(cols, max(2, len(legend_entries)))
    rows = math.ceil(len(legend_entries) / cols) + 1
    legend_top = max_y - min_y + 6
    height = legend_top + rows * 22 + 14

    out = [_svg_open(width, height, "Symbol graph coloured by service", "ms-svg symbol-graph")]
    out.append(f'<g transform="translate({_n(-min_x)},{_n(-min_y)})">\n')
    intra: dict[str, list[str]] = defaultdict(list)
    cross: list[str] = []
    for (a, b), _ in kept:
        (x1, y1), (x2, y2) = positions[a], positions[b]
        line = f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}"/>'
        sa, sb = seen[a].service, seen[b].service
        if sa == sb:
            intra[sa].append(line)
        else:
            cross.append(line)
    for name in names_in_place:
        if intra[name]:
            out.append(
                f'<g class="edges-intra" stroke="{colours.get(name, SHARED_COLOUR)}" stroke-opacity="0.35" stroke-width="0.7">\n'
            )
            out.extend(line + "\n" for line in intra[name])
            out.append("</g>\n")
    if cross:
        out.append(
            f'<g class="edges-cross" stroke="{CROSS_EDGE_COLOUR}" stroke-opacity="0.3" stroke-width="0.7">\n'
        )
        out.extend(line + "\n" for line in cross)
        out.append("</g>\n")
    for name in names_in_place:
        colour = colours.get(name, SHARED_COLOUR)
        # once the palette has cycled, a dark outline tells a service from its namesake colour
        outline = (
            'stroke="#1F2933" stroke-width="1"' if name in outlined else 'stroke="#FFFFFF" stroke-width="0.6"'
        )
        out.append(f'<g class="units" fill="{colour}" {outline}>\n')
        for unit in clusters[name]:
            x, y = positions[unit.id]
            lines = "" if unit.lines is None else f", {format_value(unit.lines)} lines"
            out.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{node_r:g}"><title>{_e(unit.id)} — {_e(name)}{_e(lines)}</title></circle>\n'
            )
        out.append("</g>\n")
    out.append(
        '<g class="cluster-labels" font-size="13" font-weight="700" stroke="#FFFFFF" stroke-width="3" '
        'stroke-linejoin="round" paint-order="stroke">\n'
    )
    out.extend(part + "\n" for part in label_parts)
    out.append("</g>\n</g>\n")
    if not chosen:
        out.append(
            f'<text x="{_n(width / 2)}" y="{_n(legend_top / 2 + 5)}" text-anchor="middle" fill="{MUTED_TEXT}" font-size="14">No symbols.</text>\n'
        )

    legend_left = max(margin, (width - cols * col_w) / 2 + 10)
    out.append(
        f'<g class="legend" font-size="12" fill="{TEXT_COLOUR}" '
        f'transform="translate({_n(legend_left)},{_n(legend_top)})">\n'
    )
    items: list[str] = []
    for name, colour, count in legend_entries:
        ring = ' stroke="#1F2933" stroke-width="1.5"' if name in outlined else ""
        items.append(
            f'<rect x="0" y="-10" width="12" height="12" rx="2" fill="{colour}"{ring}/>'
            f'<text x="18" y="0">{_e(truncate(name, 24))} · {_e(format_value(count))}</text>'
        )
    items.append(
        f'<line x1="0" y1="-4" x2="14" y2="-4" stroke="{TEXT_COLOUR}" stroke-opacity="0.45" stroke-width="1.5"/>'
        '<text x="18" y="0">call inside a service</text>'
    )
    items.append(
        f'<line x1="0" y1="-4" x2="14" y2="-4" stroke="{CROSS_EDGE_COLOUR}" stroke-width="1.5"/>'
        '<text x="18" y="0">call across services</text>'
    )
    # service entries fill the grid row by row; the two edge entries start a row of their own
    slots = [*range(len(items) - 2), *(math.ceil((len(items) - 2) / cols) * cols + i for i in range(2))]
    for slot, item in zip(slots, items, strict=True):
        x, y = (slot % cols) * col_w, (slot // cols) * 22 + 12
        out.append(f'<g transform="translate({_n(x)},{_n(y)})">{item}</g>\n')
    out.append("</g>\n</svg>")

    caption = (
        "Every dot is a symbol (a function or class), coloured by the service it goes to; hover a dot for "
        "its name. Lines are calls and references: tinted inside a service, red across services."
    )
    if has_centre:
        caption += " The grey cluster in the middle is the shared library."
    if notes:
        caption += " " + " ".join(notes)
    return "".join(out), caption


def _cluster_layout(radii: Sequence[float], centre: float | None) -> list[tuple[float, float]]:
    """Centres for clusters of the given radii on a circle (plus one in the middle, listed last)."""
    count = len(radii)
    centres: list[tuple[float, float]]
    if count == 0:
        return [(0.0, 0.0)] if centre is not None else []
    if count == 1 and centre is None:
        return [(0.0, 0.0)]
    # each cluster gets an arc in proportion to its size
    spans = [2 * r + _CLUSTER_GAP for r in radii]
    total = sum(spans)
    angles: list[float] = []
    run = -spans[0] / 2
    first = math.pi if count == 2 else -math.pi / 2  # two clusters side by side, more on a ring from the top
    for span in spans:
        angles.append(first + 2 * math.pi * (run + span / 2) / total)
        run += span
    big = max(
        total / (2 * math.pi), (centre or 0.0) + max(radii) + _CLUSTER_GAP, _MIN_RING if count > 2 else 0.0
    )
    while True:
        centres = [(big * math.cos(a), big * math.sin(a)) for a in angles]
        circles = [(x, y, r) for (x, y), r in zip(centres, radii, strict=True)]
        if centre is not None:
            circles.append((0.0, 0.0, centre))
        if all(
            math.hypot(circles[i][0] - circles[j][0], circles[i][1] - circles[j][1])
            >= circles[i][2] + circles[j][2] + _CLUSTER_GAP
            for i in range(len(circles))
            for j in range(i + 1, len(circles))
        ):
            break
        big *= 1.04
    if centre is not None:
        centres.append((0.0, 0.0))
    return centres


# --------------------------------------------------------------------------- metrics charts


@dataclass(frozen=True, slots=True)
class ChartPlan:
    key: str
    label: str
    values: Mapping[str, object]


_PANEL_W = 250.0
_PANEL_H = 230.0
_PANEL_GAP = 22.0


def metrics_chart(metrics: Sequence[tuple[str, str | None]], plans: Sequence[ChartPlan]) -> str:
    """One small bar chart per metric (each with its own scale), the plans as bars in the same colours.

    ``metrics`` are ``(name, better)`` with better "higher", "lower" or ``None``.
    """
    colours = [PLAN_COLOURS[i % len(PLAN_COLOURS)] for i in range(len(plans))]
    # legend on top, wrapping
    legend: list[tuple[float, float, str, str]] = []
    total_w = max(1, len(metrics)) * (_PANEL_W + _PANEL_GAP) - _PANEL_GAP + 2 * 12
    x, y = 12.0, 18.0
    for plan, colour in zip(plans, colours, strict=True):
        text = truncate(plan.label, 40)
        w = 20 + text_width(text, 12.5) + 26
        if x + w > total_w and x > 12:
            x, y = 12.0, y + 22
        legend.append((x, y, colour, text))
        x += w
    top = y + 20
    height = top + _PANEL_H + 8
    out = [_svg_open(total_w, height, "Metrics of the plan against the baselines", "ms-svg metrics-chart")]
    out.append(f'<g class="legend" font-size="12.5" fill="{TEXT_COLOUR}">\n')
    for lx, ly, colour, text in legend:
        out.append(
            f'<rect x="{_n(lx)}" y="{_n(ly - 10)}" width="13" height="13" rx="2" fill="{colour}"/>'
            f'<text x="{_n(lx + 19)}" y="{_n(ly + 1)}">{_e(text)}</text>\n'
        )
    out.append("</g>\n")
    for index, (metric, better) in enumerate(metrics):
        px = 12 + index * (_PANEL_W + _PANEL_GAP)
        out.append(f'<g class="panel" transform="translate({_n(px)},{_n(top)})">\n')
        out.append(_panel(metric, better, plans, colours))
        out.append("</g>\n")
    out.append("</svg>")
    return "".join(out)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _panel(metric: str, better: str | None, plans: Sequence[ChartPlan], colours: Sequence[str]) -> str:
    out = [
        f'<rect x="0" y="0" width="{_n(_PANEL_W)}" height="{_n(_PANEL_H)}" rx="8" fill="#FAFBFC" stroke="#E4E7EB"/>\n',
        f'<text x="14" y="24" font-size="15" font-weight="700" fill="{TEXT_COLOUR}">{_e(truncate(metric, 22))}</text>\n',
    ]
    if better in ("higher", "lower"):
        arrow = "↑" if better == "higher" else "↓"
        out.append(
            f'<text x="{_n(_PANEL_W - 14)}" y="24" font-size="11.5" text-anchor="end" fill="{MUTED_TEXT}">'
            f"{arrow} {_e(better)} is better</text>\n"
        )
    values = [_number(plan.values.get(metric)) for plan in plans]
    known = [v for v in values if v is not None]
    high = max([0.0, *known])
    low = min([0.0, *known])
    if high == low:
        high = 1.0
    plot_top, plot_bottom = 52.0, _PANEL_H - 34
    span = high - low
    zero = plot_top + (high / span) * (plot_bottom - plot_top)

    def y_of(v: float) -> float:
        return zero - v / span * (plot_bottom - plot_top)

    slot = (_PANEL_W - 28) / max(1, len(plans))
    bar_w = min(40.0, slot * 0.62)
    best = best_indexes(values, better)
    for i, (plan, value, colour) in enumerate(zip(plans, values, colours, strict=True)):
        cx = 14 + slot * (i + 0.5)
        if value is None:
            out.append(
                f'<text x="{_n(cx)}" y="{_n(zero - 6)}" font-size="11.5" font-style="italic" text-anchor="middle" '
                f'fill="{MUTED_TEXT}">n/a</text>\n'
            )
        else:
            y1, y2 = sorted((y_of(value), zero))
            out.append(
                f'<rect x="{_n(cx - bar_w / 2)}" y="{_n(y1)}" width="{_n(bar_w)}" height="{_n(max(y2 - y1, 0.8))}" '
                f'fill="{colour}"><title>{_e(plan.label)}: {_e(format_value(value))}</title></rect>\n'
            )
            label_y = y1 - 5 if value >= 0 else y2 + 13
            weight = ' font-weight="700"' if i in best else ""
            out.append(
                f'<text x="{_n(cx)}" y="{_n(label_y)}" font-size="11.5" text-anchor="middle" fill="{TEXT_COLOUR}"{weight}>'
                f"{_e(format_value(value))}</text>\n"
            )
        chars = max(3, int(slot / 6.2))
        out.append(
            f'<text x="{_n(cx)}" y="{_n(_PANEL_H - 14)}" font-size="10.5" text-anchor="middle" fill="{MUTED_TEXT}">'
            f"{_e(truncate(plan.key, chars))}</text>\n"
        )
    out.append(
        f'<line x1="10" y1="{_n(zero)}" x2="{_n(_PANEL_W - 10)}" y2="{_n(zero)}" stroke="#9AA5B1" stroke-width="1"/>\n'
    )
    return "".join(out)


def best_indexes(values: Sequence[float | None], better: str | None) -> set[int]:
    """Indexes of the best values (ties included) when there is a direction and a choice."""
    known = [v for v in values if v is not None]
    if better not in ("higher", "lower") or len(known) < 2:
        return set()
    target = max(known) if better == "higher" else min(known)
    return {i for i, v in enumerate(values) if v == target}
