"""``monosplit migrate PATH --out DIR``: analyse, suggest and generate in one go."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from generator.cli.common import analysis_flags, plan_flags, run_analysis
from generator.cli.generate import format_generation, write_architectures


@click.command("migrate")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder to generate into.")
@plan_flags
@click.option("--force", is_flag=True, help="Overwrite generated files even where you changed them.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and the last line.")
@analysis_flags
def migrate_command(
    path: Path,
    out: Path,
    target: int | None,
    seed: int,
    scaling: str,
    force: bool,
    quiet: bool,
    analysis_flags: dict[str, Any],
) -> None:
    """Analyse PATH, suggest services and generate all three architectures into DIR.

    DIR gets graph.json, plan.json, report.html, MIGRATION.md and one folder per
    architecture. If you edit DIR/plan.json, the next migrate follows your plan.
    """
    from analyzer.export import render
    from analyzer.plan import dump_plan, load_pins, load_plan, suggest
    from analyzer.plan.units import build_unit_graph
    from analyzer.report import render_report
    from generator.generate import user_plan
    from generator.writer import GeneratedFile

    analysis = run_analysis(path, analysis_flags, quiet=quiet)
    pins = load_pins(path, analysis, build_unit_graph(analysis.graph))
    suggestion = suggest(analysis, pins=pins, target_services=target, seed=seed, scaling=scaling)
    edited = user_plan(out)
    symbols = {
        n for n, d in analysis.graph.nodes(data=True) if d.get("kind") in ("class", "function", "method")
    }
    plan = load_plan(edited, known_symbols=symbols) if edited is not None else suggestion.plan
    extra = (
        GeneratedFile.text("graph.json", render(analysis, "json")),
        GeneratedFile.text("plan.json", dump_plan(suggestion.document)),
        GeneratedFile.text("report.html", render_report(suggestion.document, fmt="html")),
    )
    generation, report = write_architectures(analysis, path, plan, out, force=force, extra=extra)
    if not quiet:
        click.echo(f"verdict: {suggestion.verdict.recommendation}")
        for reason in suggestion.verdict.reasons:
            click.echo(f"  - {reason}")
        if edited is not None:
            click.echo(f"following your edited plan {edited}")
    click.echo(format_generation(generation, report, out, quiet=quiet))
