"""``monosplit migrate PATH --out DIR``: analyse, suggest, generate and verify in one go."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator.cli.common import analysis_flags, check_out, plan_flags, report_problems, run_analysis
from generator.cli.generate import format_generation, write_architectures
from generator.cli.verify import verify_flags

if TYPE_CHECKING:
    from generator.verify import VerifyOptions


@click.command("migrate")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder to generate into.")
@plan_flags
@click.option("--force", is_flag=True, help="Overwrite generated files even where you changed them.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and the last line.")
@click.option(
    "--no-verify",
    is_flag=True,
    help="Do not start the generated units to verify them (MIGRATION.md then says they are not verified).",
)
@verify_flags
@analysis_flags
def migrate_command(
    path: Path,
    out: Path,
    target: int | None,
    seed: int,
    scaling: str,
    force: bool,
    quiet: bool,
    no_verify: bool,
    verify_options: VerifyOptions,
    analysis_flags: dict[str, Any],
) -> None:
    """Analyse PATH, suggest services, generate all three architectures into DIR, and verify them.

    DIR gets graph.json, plan.json, report.html, MIGRATION.md and one folder per
    architecture. If you edit DIR/plan.json, the next migrate follows your plan.
    Then, as `monosplit verify DIR` does, every unit is started and each
    architecture's answers compared with the monolith's, when the interpreter
    (--python) can run the units; otherwise MIGRATION.md says they are not verified.
    """
    from analyzer.export import render
    from analyzer.plan import dump_plan, load_pins, load_plan, suggest
    from analyzer.plan.units import build_unit_graph
    from analyzer.report import render_report
    from generator.generate import user_plan
    from generator.writer import GeneratedFile

    check_out(path, out)
    analysis = run_analysis(path, analysis_flags, quiet=quiet)
    report_problems(analysis)
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
    if no_verify:
        click.echo(f"not verified (--no-verify); to verify: monosplit verify {out}")
        return
    _verify_generated(out, verify_options, quiet=quiet)


def _verify_generated(out: Path, options: VerifyOptions, *, quiet: bool) -> None:
    """Verify what was just generated when the units can run here; exit 1 if it did not verify.

    The interpreter is checked first, cheaply: without the units' server and Flask
    (a core install of monosplit, say) nothing could start, and MIGRATION.md keeps
    saying, as generated, that nothing was verified.
    """
    from generator.cli.verify import run_verification
    from generator.verify import check_target_interpreter, find_target

    target = find_target(out)
    check = check_target_interpreter(target, options.python)
    if not check.usable:
        click.echo(
            f"not verified: {check.reason}. To verify, install the units' requirements (each "
            f"UNIT/requirements.txt) in a virtualenv, then: monosplit verify {out} --python VENV/bin/python"
        )
        return
    verification = run_verification(target, options, quiet=quiet)
    if not verification.passed:
        sys.exit(verification.exit_code)
