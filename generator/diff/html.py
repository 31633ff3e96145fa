"""The diff as one self-contained HTML page: both service maps side by side, charts, then the tables.

Pure: the same diff gives the same bytes. The page embeds its CSS and SVG and
fetches nothing. The template (``generator/templates/diff/diff.html.j2``) only
loops over the :class:`Page` built here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import jinja2
from markupsafe import Markup

from analyzer import __version__
from analyzer.report.svg import ChartPlan, metrics_chart
from generator.diff.model import Diff
from generator.diff.svg import MOVED_COLOUR, maps
from generator.diff.view import Section, metric_values, sections

#: Coupling metrics drawn as bars (name in the chart, key, which way is better).
CHART_METRICS = (
    ("SM", "SM", "higher"),
    ("ICP", "ICP", "lower"),
    ("IFN", "IFN", "lower"),
    ("NED", "NED", "lower"),
    ("network calls", "network_calls", "lower"),
    ("API operations", "api_operations", "lower"),
)


@dataclass(frozen=True, slots=True)
class Figure:
    pictures: tuple[Markup, ...]
    caption: str
    #: pictures side by side rather than one under the other
    side_by_side: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    generator: str
    moved_colour: str
    sections: tuple[Section, ...]
    figures: Mapping[str, Figure]


def render_html(diff: Diff) -> str:
    return _environment().get_template("diff/diff.html.j2").render(page=page(diff))


def page(diff: Diff) -> Page:
    """Everything the template shows."""
    map_a, map_b = maps(diff)
    a_values, b_values = metric_values(diff.coupling_a), metric_values(diff.coupling_b)
    chart = metrics_chart(
        [(name, better) for name, _, better in CHART_METRICS],
        [
            ChartPlan("A", f"A: {diff.a.label}", {name: a_values[key] for name, key, _ in CHART_METRICS}),
            ChartPlan("B", f"B: {diff.b.label}", {name: b_values[key] for name, key, _ in CHART_METRICS}),
        ],
    )
    figures = {
        "maps": Figure(
            (Markup(map_a), Markup(map_b)),  # escaped where built
            "Each box is a unit with its symbols and lines of code; an arrow A → B means code in A calls "
            "code in B over the network (thicker: more call edges). Matched units keep their colour on both "
            "sides. Outlined and listed in pink: symbols that moved out of a unit (left) or into it (right).",
            side_by_side=True,
        ),
        "metrics": Figure(
            (Markup(chart),),  # escaped where built
            "The coupling metrics of both sides; the bold value is the better one.",
        ),
    }
    measured = diff.measured
    if measured is not None:
        latency = metrics_chart(
            [("p50 ms", "lower"), ("p95 ms", "lower"), ("p99 ms", "lower"), ("requests/s", "higher")],
            [
                ChartPlan("A", f"A: {diff.a.label}", _latency(measured.a)),
                ChartPlan("B", f"B: {diff.b.label}", _latency(measured.b)),
            ],
        )
        figures["latency"] = Figure(
            (Markup(latency),),  # escaped where built
            f"Overall latency and throughput over {measured.a.count:,} (A) and {measured.b.count:,} (B) requests.",
        )
    return Page(
        title=f"monosplit diff: {diff.a.label} → {diff.b.label}",
        generator=f"monosplit {__version__}",
        moved_colour=MOVED_COLOUR,
        sections=sections(diff, full=True),
        figures=figures,
    )


def _latency(stats: object) -> dict[str, object]:
    return {
        "p50 ms": getattr(stats, "p50", None),
        "p95 ms": getattr(stats, "p95", None),
        "p99 ms": getattr(stats, "p99", None),
        "requests/s": getattr(stats, "throughput", None),
    }


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
