"""``monosplit diff A B``: what changes between two architectures, statically and, with --measure, running."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.output import write_output

_SUFFIX_FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}


@click.command("diff")
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html", "json"]),
    help="Output format (default: text, or what the -o file name ends in).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the diff to this file.")
@click.option(
    "--graph",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The dependency graph (graph.json) to compare on, instead of the one beside each input.",
)
@click.option(
    "--measure", is_flag=True, help="Also run both architectures and measure latency and throughput."
)
@click.option(
    "--scenario",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Script with run_scenario(base_url) to drive (default: <project>/scenario.py).",
)
@click.option(
    "--requests",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Measure at least this many requests per side (the scenario runs whole).",
)
@click.option(
    "--warmup",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Scenario runs before measuring, not counted.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "docker"]),
    default="local",
    show_default=True,
    help="How --measure runs the architectures: local processes, or containers (monosplit run --engine).",
)
@click.option(
    "--base-image", help="With --engine docker: the base image to build on (monosplit run --base-image)."
)
@click.option("--wheels", is_flag=True, help="With --engine docker: install from wheels built on the host.")
def diff_command(
    a: Path,
    b: Path,
    fmt: str | None,
    output: Path | None,
    graph: Path | None,
    measure: bool,
    scenario: Path | None,
    requests: int,
    warmup: int,
    engine: str,
    base_image: str | None,
    wheels: bool,
) -> None:
    """Compare architecture A with B: generated folders, plan files, or source folders to suggest for.

    Shows units and moved symbols, coupling metrics, network hops per route and the deployment
    footprint; with --measure, latency and throughput of both running (monosplit run, one after the
    other). The environment is passed on to the units (e.g. STREAMSHOP_ENV=development).
    """
    from generator.diff import MeasureOptions, diff, render

    if fmt is None:
        fmt = _SUFFIX_FORMATS.get(output.suffix.lower(), "text") if output is not None else "text"
    run_args = (
        ("--engine", engine)
        + (("--base-image", base_image) if base_image else ())
        + (("--wheels",) if wheels else ())
    )
    options = (
        MeasureOptions(scenario=scenario, requests=requests, warmup=warmup, run_args=run_args)
        if measure
        else None
    )
    result = diff(a, b, graph=graph, measure=options, emit=lambda line: click.echo(line, err=True))
    text = render(result, fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    write_output(output, text)
    click.echo(f"diff written to {output}")
