"""What several commands share: the analysis flags, and running the analysis with progress."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from analyzer.analysis import Analysis, analyze
from analyzer.errors import MonosplitError
from analyzer.options import load_options
from generator.cli.output import ProgressReporter

F = TypeVar("F", bound=Callable[..., Any])


def analysis_flags(command: F) -> F:
    """Add the flags that choose and read the files to analyse, collected as ``analysis_flags``."""

    @click.option(
        "--include-tests/--no-include-tests", default=None, help="Analyse test files and tests/ folders too."
    )
    @click.option(
        "--include-migrations/--no-include-migrations", default=None, help="Analyse migrations/ folders too."
    )
    @click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
    @click.option("--no-cache", is_flag=True, help="Parse every file again; do not read or write the cache.")
    @click.option(
        "--jobs", "-j", type=click.IntRange(min=0), default=0, help="Worker processes (0: one per core)."
    )
    @wraps(command)
    def wrapper(
        *args: Any,
        include_tests: bool | None,
        include_migrations: bool | None,
        exclude: tuple[str, ...],
        no_cache: bool,
        jobs: int,
        **kwargs: Any,
    ) -> Any:
        flags = {
            "include_tests": include_tests,
            "include_migrations": include_migrations,
            "exclude": exclude,
            "use_cache": not no_cache,
            "jobs": jobs,
        }
        return command(*args, analysis_flags=flags, **kwargs)

    return wrapper  # type: ignore[return-value]


def plan_flags(command: F) -> F:
    """Add the flags that steer the suggestion: ``target``, ``seed`` and ``scaling``."""
    options = (
        click.option(
            "--services",
            "target",
            type=click.IntRange(min=1),
            help="How many services to aim for (default: chosen by the method).",
        ),
        click.option(
            "--seed", type=int, default=42, show_default=True, help="Seed of the community detection."
        ),
        click.option(
            "--scaling",
            type=click.Choice(["unknown", "low", "high"]),
            default="unknown",
            show_default=True,
            help="Your scaling needs, which static analysis cannot see; they weigh in the verdict.",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def run_analysis(path: Path, flags: dict[str, Any], *, quiet: bool) -> Analysis:
    """Analyse ``path`` with a progress bar on an interactive terminal."""
    options = load_options(path, **flags)
    with ProgressReporter(enabled=not quiet and sys.stderr.isatty()) as progress:
        return analyze(path, options, progress=progress)


def check_out(path: Path, out: Path) -> None:
    """Refuse an ``--out`` that cannot hold the generated files, in one line, before any work.

    An ``--out`` inside the analysed folder is refused too: the next run would
    analyse the generated copies as part of the application.
    """
    if out.exists() and not out.is_dir():
        raise MonosplitError(f"--out {out}: exists and is not a folder")
    source = path.resolve()
    target = out.resolve()
    if path.is_dir() and (target == source or source in target.parents):
        raise MonosplitError(
            f"--out {out} is inside the analysed folder {path}: the next run would analyse the "
            "generated files too; choose a folder outside it"
        )
    existing = target
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise MonosplitError(f"--out {out}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise MonosplitError(f"--out {out}: cannot write into {existing} (permission denied)")


def report_problems(analysis: Analysis) -> None:
    """One ``problem:`` line per file that could not be analysed (the run goes on without it)."""
    for problem in analysis.problems:
        click.echo(f"problem: {problem}", err=True)
