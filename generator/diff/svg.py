"""Pictures of a diff: each side as a service map with moved symbols highlighted. Pure string building.

Same style as the suggest report's service map (``analyzer.report.svg``: its
palette, tints, text metrics and escaping), laid out on a grid so both sides
line up; a unit keeps its colour across the two sides when it is matched.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from analyzer.report.svg import (
    ARROW_COLOUR,
    FONT_STACK,
    MUTED_TEXT,
    PALETTE,
    SHARED_COLOUR,
    SVG_NS,
    TEXT_COLOUR,
    format_value,
    text_width,
    tint,
    truncate,
)
from generator.diff.model import SHARED, Diff, Side, UnitMatch
from generator.diff.view import short

#: Moved symbols stand out in a colour no unit gets.
MOVED_COLOUR = "#C2185B"
_BOX_W = 200.0
_GAP_X = 56.0
_GAP_Y = 46.0
_LINE = 15.0
_MAX_LISTED = 3


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


@dataclass(frozen=True, slots=True)
class MapBox:
    """One unit as the map draws it."""

    name: str
    symbols: int
    lines: int
    colour: str
    #: symbols that moved in (B) or out (A), and the unit on the other side they moved from or to
    moved: tuple[tuple[str, str], ...] = ()


def unit_colours(matches: Sequence[UnitMatch]) -> tuple[dict[str, str], dict[str, str]]:
    """Colours of A's and B's units: a matched pair shares one; ``shared`` is grey on both sides."""
    a: dict[str, str] = {SHARED: SHARED_COLOUR}
    b: dict[str, str] = {SHARED: SHARED_COLOUR}
    for index, match in enumerate(matches):
        colour = PALETTE[index % len(PALETTE)]
        if match.a is not None:
            a[match.a] = colour
        if match.b is not None:
            b[match.b] = colour
    return a, b


def side_boxes(diff: Diff) -> tuple[list[MapBox], list[MapBox]]:
    """The boxes of both maps, with each unit's moved symbols."""
    a_colours, b_colours = unit_colours(diff.units)
    moved_out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    moved_in: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for move in diff.moves:
        if move.source is not None:
            moved_out[move.source].append((move.symbol, move.target or "gone"))
        if move.target is not None:
            moved_in[move.target].append((move.symbol, move.source or "new"))

    def boxes(
        side: Side,
        colours: Mapping[str, str],
        moved: Mapping[str, list[tuple[str, str]]],
    ) -> list[MapBox]:
        result = [
            MapBox(
                u.name,
                len(u.symbols),
                u.lines,
                colours.get(u.name, SHARED_COLOUR),
                tuple(moved.get(u.name, ())),
            )
            for u in side.units
        ]
        if side.shared:
            result.append(
                MapBox(
                    SHARED,
                    len(side.shared),
                    side.shared_lines,
                    SHARED_COLOUR,
                    tuple(moved.get(SHARED, ())),
                )
            )
        return result

    return boxes(diff.a, a_colours, moved_out), boxes(diff.b, b_colours, moved_in)


def _moved_lines(box: MapBox, *, incoming: bool) -> list[str]:
    if not box.moved:
        return []
    verb = "moved in" if incoming else "moved out"
    if len(box.moved) > _MAX_LISTED:
        counts: dict[str, int] = defaultdict(int)
        for _, other in box.moved:
            counts[other] += 1
        if len(counts) == 1:
            where = f"{'from' if incoming else 'to'} {next(iter(counts))}"
        else:
            where = f"{'from' if incoming else 'to'} {len(counts)} units"
        return [f"{len(box.moved)} {verb}", truncate(where, 30)]
    sign = "+" if incoming else "-"
    return [f"{sign} {truncate(short(symbol), 27)}" for symbol, _ in box.moved]


def service_map(
    boxes: Sequence[MapBox], calls: Mapping[tuple[str, str], int], *, title: str, incoming: bool
) -> str:
    """One side's units as boxes on a grid, arrows for network calls, moved symbols in :data:`MOVED_COLOUR`.

    ``incoming``: the boxes list what moved into them (side B) rather than out (side A).
    """
    count = len(boxes)
    columns = max(1, min(3, math.ceil(math.sqrt(count))))
    texts = [_moved_lines(box, incoming=incoming) for box in boxes]
    rows = math.ceil(count / columns) if count else 0
    row_heights = []
    for row in range(rows):
        members = texts[row * columns : (row + 1) * columns]
        row_heights.append(50.0 + max((len(t) * _LINE + 8 for t in members if t), default=0.0))
    top = 40.0
    width = columns * _BOX_W + (columns - 1) * _GAP_X + 48
    height = top + sum(row_heights) + max(0, rows - 1) * _GAP_Y + 24
    positions: dict[str, tuple[float, float, float]] = {}  # name → (x, y, height) of the box's top-left
    y = top
    for row in range(rows):
        in_row = boxes[row * columns : (row + 1) * columns]
        offset = (columns - len(in_row)) * (_BOX_W + _GAP_X) / 2
        for column, box in enumerate(in_row):
            x = 24 + offset + column * (_BOX_W + _GAP_X)
            positions[box.name] = (x, y, row_heights[row])
        y += row_heights[row] + _GAP_Y
    out = [
        f'<svg xmlns="{SVG_NS}" class="ms-svg diff-map" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" aria-label="{_e(title)}" '
        f'font-family="{_e(FONT_STACK)}">\n<title>{_e(title)}</title>\n',
        f'<text x="24" y="24" font-size="15" font-weight="700" fill="{TEXT_COLOUR}">{_e(truncate(title, 70))}</text>\n',
        "<defs>"
        f'<marker id="diff-arrow-{"b" if incoming else "a"}" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="10" markerHeight="10" '
        f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{ARROW_COLOUR}"/></marker></defs>\n',
    ]
    heaviest = max(calls.values(), default=1)
    out.append(f'<g class="arrows" fill="none" stroke="{ARROW_COLOUR}">\n')
    for (source, target), weight in sorted(calls.items()):
        if source not in positions or target not in positions or source == target:
            continue
        sx, sy, sh = positions[source]
        tx, ty, th = positions[target]
        start = (sx + _BOX_W / 2, sy + sh / 2)
        end = (tx + _BOX_W / 2, ty + th / 2)
        dx, dy = end[0] - start[0], end[1] - start[1]
        dist = math.hypot(dx, dy) or 1.0
        bend = min(50.0, 0.18 * dist)
        control = ((start[0] + end[0]) / 2 - dy / dist * bend, (start[1] + end[1]) / 2 + dx / dist * bend)
        tip = _border(end, _BOX_W / 2, th / 2, control)
        tail = _border(start, _BOX_W / 2, sh / 2, control)
        stroke = 1.2 + 3.0 * math.sqrt(weight / heaviest)
        out.append(
            f'<path d="M{_n(tail[0])},{_n(tail[1])} Q{_n(control[0])},{_n(control[1])} {_n(tip[0])},{_n(tip[1])}" '
            f'stroke-width="{stroke:.1f}" stroke-opacity="0.55" marker-end="url(#diff-arrow-{"b" if incoming else "a"})">'
            f"<title>{_e(f'{source} → {target}: {weight} network call edges')}</title></path>\n"
        )
    out.append("</g>\n")
    out.append('<g class="units">\n')
    for box, lines in zip(boxes, texts, strict=True):
        x, y, h = positions[box.name]
        out.append(_box(box, lines, x, y, h))
    out.append("</g>\n</svg>")
    return "".join(out)


def _border(
    centre: tuple[float, float], hw: float, hh: float, towards: tuple[float, float]
) -> tuple[float, float]:
    dx, dy = towards[0] - centre[0], towards[1] - centre[1]
    if dx == 0 and dy == 0:
        return centre
    scale = min((hw + 4) / abs(dx) if dx else math.inf, (hh + 4) / abs(dy) if dy else math.inf)
    return centre[0] + dx * scale, centre[1] + dy * scale


def _box(box: MapBox, lines: list[str], x: float, y: float, height: float) -> str:
    shared = box.name == SHARED
    label = "shared library" if shared else box.name
    sub = f"{format_value(box.symbols)} symbols · {format_value(box.lines)} lines"
    moved = bool(box.moved)
    stroke = MOVED_COLOUR if moved else box.colour
    dash = ' stroke-dasharray="6 4"' if shared else ""
    fill = "#F4F5F7" if shared else tint(box.colour, 0.16)
    title = f"{label}: {sub}" + (f"; {len(box.moved)} moved symbols" if moved else "")
    parts = [
        f'<g class="unit{" moved" if moved else ""}"><title>{_e(title)}</title>',
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(_BOX_W)}" height="{_n(height)}" rx="9" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{3 if moved else 2}"{dash}/>',
        f'<rect x="{_n(x)}" y="{_n(y)}" width="7" height="{_n(height)}" rx="3" fill="{box.colour}"/>'
        if not shared
        else "",
        f'<text x="{_n(x + _BOX_W / 2)}" y="{_n(y + 21)}" text-anchor="middle" font-size="14" font-weight="700" '
        f'fill="{TEXT_COLOUR}">{_e(truncate(label, 24))}</text>',
        f'<text x="{_n(x + _BOX_W / 2)}" y="{_n(y + 38)}" text-anchor="middle" font-size="11.5" '
        f'fill="{MUTED_TEXT}">{_e(sub)}</text>',
    ]
    if lines:
        band_y = y + 48
        band_h = len(lines) * _LINE + 6
        parts.append(
            f'<rect x="{_n(x + 10)}" y="{_n(band_y)}" width="{_n(_BOX_W - 20)}" height="{_n(band_h)}" rx="5" '
            f'fill="{tint(MOVED_COLOUR, 0.12)}"/>'
        )
        for index, line in enumerate(lines):
            width = text_width(line, 11)
            size = 11.0 if width <= _BOX_W - 28 else 11.0 * (_BOX_W - 28) / width
            parts.append(
                f'<text x="{_n(x + _BOX_W / 2)}" y="{_n(band_y + 15 + index * _LINE)}" text-anchor="middle" '
                f'font-size="{size:.1f}" font-weight="600" fill="{MOVED_COLOUR}">{_e(line)}</text>'
            )
    parts.append("</g>\n")
    return "".join(parts)


def unit_calls(side_calls: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for pair in side_calls:
        counts[pair] += 1
    return dict(counts)


def maps(diff: Diff) -> tuple[str, str]:
    """The service maps of A and B."""
    a_boxes, b_boxes = side_boxes(diff)
    a_calls = unit_calls([(c.source_unit, c.target_unit) for c in diff.coupling_a.network_calls])
    b_calls = unit_calls([(c.source_unit, c.target_unit) for c in diff.coupling_b.network_calls])
    return (
        service_map(a_boxes, a_calls, title=f"A: {diff.a.label}", incoming=False),
        service_map(b_boxes, b_calls, title=f"B: {diff.b.label}", incoming=True),
    )
