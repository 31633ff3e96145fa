"""``monosplit suggest PATH``: where the seams are, why, and whether to split at all."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator.cli.common import analysis_flags, plan_flags, run_analysis
from generator.cli.output import write_output

if TYPE_CHECKING:
    from analyzer.plan import Suggestion

_REPORT_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


@click.command("suggest")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the plan (JSON) to this file.")
@click.option(
    "--report",
    type=click.Path(path_type=Path),
    help="Write a report: Markdown (.md) or self-contained HTML (.html).",
)
@plan_flags
@click.option("--quiet", "-q", is_flag=True, help="Print only the verdict line.")
@analysis_flags
def suggest_command(
    path: Path,
    output: Path | None,
    report: Path | None,
    target: int | None,
    seed: int,
    scaling: str,
    quiet: bool,
    analysis_flags: dict[str, Any],
) -> None:
    """Suggest service boundaries for the code under PATH, by business capability."""
    if report is not None and report.suffix.lower() not in _REPORT_FORMATS:
        raise click.BadParameter("the report file must end in .md or .html", param_hint="--report")
    from analyzer.plan import dump_plan, load_pins, suggest
    from analyzer.plan.units import build_unit_graph

    analysis = run_analysis(path, analysis_flags, quiet=quiet)
    pins = load_pins(path, analysis, build_unit_graph(analysis.graph))
    suggestion = suggest(analysis, pins=pins, target_services=target, seed=seed, scaling=scaling)
    if output is not None:
        write_output(output, dump_plan(suggestion.document))
    if report is not None:
        from analyzer.report import render_report

        write_output(report, render_report(suggestion.document, fmt=_REPORT_FORMATS[report.suffix.lower()]))
    if quiet:
        click.echo(f"verdict: {suggestion.verdict.recommendation}")
        return
    click.echo(format_suggestion(suggestion))
    for written, what in ((output, "plan"), (report, "report")):
        if written is not None:
            click.echo(f"{what} written to {written}")


def _number(value: float | int | None, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def format_suggestion(suggestion: Suggestion) -> str:
    from analyzer.plan import BASELINE_LABELS

    plan = suggestion.plan
    lines = [f"{plan.root}: {len(plan.services)} services, {len(plan.shared)} shared symbols"]
    width = max(len(s.name) for s in plan.services)
    lines.append(f"  {'service'.ljust(width)}  symbols  lines  tables  routes  api  calls")
    for s in plan.services:
        calls = ", ".join(f"{name}({count})" for name, count in s.calls) or "-"
        lines.append(
            f"  {s.name.ljust(width)}  {len(s.symbols):7d}  {s.lines:5d}  {len(s.tables):6d}  "
            f"{len(s.routes):6d}  {len(s.api):3d}  {calls}"
        )
    names = list(suggestion.metrics)
    lines.append("metrics: " + " | ".join(f"{n} = {BASELINE_LABELS.get(n, n)}" for n in names))
    lines.append(f"  {'':22}" + "".join(f"{n:>12}" for n in names))
    rows = [
        ("SM (higher better)", "SM"),
        ("ICP (lower better)", "ICP"),
        ("IFN (lower better)", "IFN"),
        ("NED (lower better)", "NED"),
        ("cross-service calls", "cross_service_calls"),
        ("shared tables", "shared_tables"),
        ("services", "services"),
    ]
    for label, key in rows:
        values = "".join(f"{_number(getattr(suggestion.metrics[n], key)):>12}" for n in names)
        lines.append(f"  {label:22}{values}")
    kinds: dict[str, int] = {}
    for problem in plan.problems:
        kinds[problem.kind] = kinds.get(problem.kind, 0) + 1
    lines.append(
        "problems: " + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) if kinds else "none")
    )
    verdict = suggestion.verdict
    lines.append(f"verdict: {verdict.recommendation}")
    lines.extend(f"  - {reason}" for reason in verdict.reasons)
    return os.linesep.join(lines)
