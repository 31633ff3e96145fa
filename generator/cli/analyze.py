"""``monosplit analyze PATH``: the dependency graph of a codebase."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from analyzer.errors import StrictModeError
from analyzer.export import FORMATS
from generator.cli.common import analysis_flags, run_analysis
from generator.cli.output import write_output

if TYPE_CHECKING:
    from analyzer.analysis import Analysis
    from analyzer.summary import Summary


@click.command("analyze")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the graph to this file.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Format of --output (default: from its extension, else json).",
)
@analysis_flags
@click.option("--strict", is_flag=True, help="Exit 1 when any file had a problem.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
def analyze_command(
    path: Path,
    output: Path | None,
    fmt: str | None,
    strict: bool,
    quiet: bool,
    analysis_flags: dict[str, Any],
) -> None:
    """Analyse the Python code under PATH into a dependency graph."""
    analysis = run_analysis(path, analysis_flags, quiet=quiet)
    if output is not None:
        chosen = fmt or _format_from_suffix(output)
        from analyzer.export import render

        write_output(output, render(analysis, chosen))
    if not quiet:
        click.echo(format_summary(analysis, analysis.summary))
        if output is not None:
            click.echo(f"graph written to {output}")
    for problem in analysis.problems:
        click.echo(f"problem: {problem}", err=True)
    if strict and analysis.problems:
        raise StrictModeError(f"{len(analysis.problems)} file(s) had problems (--strict)")


def _format_from_suffix(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return {"json": "json", "graphml": "graphml", "xml": "graphml", "dot": "dot", "gv": "dot"}.get(
        suffix, "json"
    )


def format_summary(analysis: Analysis, summary: Summary) -> str:
    lines: list[str] = []
    source = "cache" if analysis.from_cache else f"{analysis.parsed} parsed, {analysis.reused} from cache"
    lines.append(
        f"{analysis.root}: {analysis.files} files, {analysis.lines:,} lines "
        f"({source}; {analysis.excluded} excluded)"
    )
    lines.append("symbols: " + ", ".join(f"{count} {kind}" for kind, count in summary.nodes_by_kind if count))
    lines.append("edges:   " + ", ".join(f"{count} {kind}" for kind, count in summary.edges_by_kind if count))
    calls = analysis.calls
    if calls.total:
        lines.append(
            f"calls:   {calls.total} sites: {calls.internal} resolved in the project, "
            f"{calls.external} to libraries, {calls.unresolved} unresolved"
        )
    if analysis.external_packages:
        shown = ", ".join(f"{name} ({count})" for name, count in analysis.external_packages[:8])
        more = len(analysis.external_packages) - 8
        lines.append(f"uses:    {shown}" + (f" and {more} more" if more > 0 else ""))
    if summary.import_cycles:
        lines.append(f"import cycles: {len(summary.import_cycles)}")
        for cycle in summary.import_cycles[:5]:
            shown = " <-> ".join(cycle[:6]) + (f" (+{len(cycle) - 6})" if len(cycle) > 6 else "")
            lines.append(f"  {shown}")
    else:
        lines.append("import cycles: none")
    if summary.most_coupled:
        lines.append("most coupled modules (fan-in / fan-out):")
        width = max(len(c.module) for c in summary.most_coupled)
        for c in summary.most_coupled:
            lines.append(f"  {c.module.ljust(width)}  {c.fan_in:3d} / {c.fan_out:3d}")
    if analysis.unresolved_imports:
        lines.append(f"unresolved imports: {len(analysis.unresolved_imports)}")
        for item in analysis.unresolved_imports[:10]:
            lines.append(f"  {item}")
    lines.append(f"problems: {len(analysis.problems)}" if analysis.problems else "problems: none")
    return os.linesep.join(lines)
