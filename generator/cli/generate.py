"""``monosplit generate PATH --plan plan.json --out DIR``: the three architectures as running code."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator.cli.common import analysis_flags, check_out, report_problems, run_analysis

if TYPE_CHECKING:
    from generator.generate import Generation
    from generator.writer import GeneratedFile, WriteReport


@click.command("generate")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(path_type=Path),
    required=True,
    help="The plan to follow (from `monosplit suggest -o`; edit it to move symbols).",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder to generate into.")
@click.option("--force", is_flag=True, help="Overwrite generated files even where you changed them.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and the last line.")
@analysis_flags
def generate_command(
    path: Path, plan_path: Path, out: Path, force: bool, quiet: bool, analysis_flags: dict[str, Any]
) -> None:
    """Generate the monolith, two-tier and microservices versions of the application under PATH."""
    from analyzer.plan import load_plan

    check_out(path, out)
    analysis = run_analysis(path, analysis_flags, quiet=quiet)
    report_problems(analysis)
    plan = load_plan(plan_path, known_symbols=_symbols(analysis))
    generation, report = write_architectures(analysis, path, plan, out, force=force)
    click.echo(format_generation(generation, report, out, quiet=quiet))


def _symbols(analysis: Any) -> set[str]:
    return {n for n, d in analysis.graph.nodes(data=True) if d.get("kind") in ("class", "function", "method")}


def write_architectures(
    analysis: Any, path: Path, plan: Any, out: Path, *, force: bool, extra: tuple[GeneratedFile, ...] = ()
) -> tuple[Generation, WriteReport]:
    from generator.generate import generate
    from generator.generate.codebase import read_codebase
    from generator.writer import apply

    codebase = read_codebase(analysis, path)
    generation = generate(codebase, plan, project=analysis.root)
    return generation, apply((*generation.files, *extra), out, force=force)


def format_generation(generation: Generation, report: WriteReport, out: Path, *, quiet: bool) -> str:
    from generator.writer import Outcome

    lines = []
    if not quiet:
        for architecture, units in generation.units:
            lines.append(
                f"{architecture}: {len(units)} unit{'s' if len(units) != 1 else ''} ({', '.join(units)})"
            )
        counts = {o: len(report.of(o)) for o in Outcome}
        lines.append("files: " + ", ".join(f"{n} {o.value}" for o, n in counts.items() if n))
        lines.append(f"MIGRATION.md lists {len(generation.notes)} things to review")
    for path in report.conflicts:
        lines.append(f"kept your changes to {out / path} (use --force to overwrite)")
    for path in report.of(Outcome.OVERWRITTEN):
        lines.append(f"overwrote your changes to {out / path} (--force)")
    for path in report.of(Outcome.KEPT):
        lines.append(f"kept {out / path}: no longer generated, but you changed it")
    lines.append(f"generated into {out}; try: monosplit run {out / 'microservices'}")
    return os.linesep.join(lines)
