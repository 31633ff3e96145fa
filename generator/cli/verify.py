"""``monosplit verify OUT``: start every architecture and hold its answers to the monolith's."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from generator.cli.params import Assignment, interpreter

if TYPE_CHECKING:
    from generator.verify import Verification, VerifyOptions, VerifyTarget

F = TypeVar("F", bound=Callable[..., Any])


def verify_flags(command: F) -> F:
    """Add the flags that say how to run the units, collected as ``verify_options`` (a VerifyOptions)."""

    @click.option(
        "--python",
        "python",
        type=click.Path(path_type=Path, dir_okay=False),
        help="The interpreter the units run in, e.g. the app's own venv/bin/python, where its libraries "
        "are installed (default: the one running monosplit).",
    )
    @click.option(
        "--env",
        "env",
        multiple=True,
        type=Assignment(),
        help="Set KEY=VALUE in every unit's environment, e.g. the app's configuration (repeatable).",
    )
    @click.option(
        "--journey",
        "journeys",
        multiple=True,
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="SCRIPT",
        help="A Python file defining journey(client): its requests are steps compared with the "
        "monolith's (repeatable; they run in order).",
    )
    @click.option(
        "--app-tests",
        "app_tests",
        type=click.Path(path_type=Path, file_okay=False),
        metavar="DIR",
        help="The application's own pytest suite (e.g. path/to/app/tests): run against the monolith, and "
        "against each unit the test files that import only what it has, in the --python interpreter.",
    )
    @click.option(
        "--app-tests-timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=600.0,
        show_default=True,
        help="Seconds the application's tests have, per unit.",
    )
    @click.option(
        "--seed-database",
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="FILE",
        help="A SQLite database the app wrote (e.g. after its install command): every architecture "
        "starts on a copy of it, each unit's SQLite files beginning as that copy.",
    )
    @click.option(
        "--ready-timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=60.0,
        show_default=True,
        help="Seconds each unit has to answer its readiness path.",
    )
    @click.option(
        "--journey-timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=300.0,
        show_default=True,
        help="Seconds the journeys and the route pass have, per architecture.",
    )
    @wraps(command)
    def wrapper(
        *args: Any,
        python: Path | None,
        env: tuple[tuple[str, str], ...],
        journeys: tuple[Path, ...],
        app_tests: Path | None,
        app_tests_timeout: float,
        seed_database: Path | None,
        ready_timeout: float,
        journey_timeout: float,
        **kwargs: Any,
    ) -> Any:
        from generator.run.seed import check_seed
        from generator.verify import VerifyOptions, load_app_tests, load_journey

        if seed_database is not None:
            check_seed(seed_database)
        options = VerifyOptions(
            seed_database=seed_database,
            env=dict(env),
            journeys=tuple(load_journey(path) for path in journeys),
            ready_timeout=ready_timeout,
            journey_timeout=journey_timeout,
            app_tests=load_app_tests(app_tests) if app_tests is not None else None,
            app_tests_timeout=app_tests_timeout,
            **({"python": interpreter(python)} if python is not None else {}),
        )
        return command(*args, verify_options=options, **kwargs)

    return wrapper  # type: ignore[return-value]


@click.command("verify")
@click.argument("out", type=click.Path(path_type=Path), metavar="OUT")
@verify_flags
@click.option("--verbose", "-v", is_flag=True, help="Print every line the units print, as they print it.")
def verify_command(out: Path, verify_options: VerifyOptions, verbose: bool) -> None:
    """Start every unit of the architectures in OUT and compare their answers with the monolith's.

    OUT is a `monosplit migrate` output folder or one architecture folder. Each
    architecture runs alone, on fresh data, and is stopped afterwards; its GET
    routes without parameters and the --journey scripts are driven through its
    gateway, and its answers compared with the monolith's. With --app-tests, the
    application's own tests run against the monolith and each unit. The findings
    are printed, and written into OUT/MIGRATION.md. Exit code 0: everything answered
    like the monolith; 1: something differs or did not start; 2: usage error.
    """
    from generator.verify import find_target

    target = find_target(out)
    verification = run_verification(target, verify_options, quiet=False, verbose=verbose)
    sys.exit(verification.exit_code)


def run_verification(
    target: VerifyTarget, options: VerifyOptions, *, quiet: bool, verbose: bool = False
) -> Verification:
    """Verify, print the tables, record the findings in MIGRATION.md; shared with ``migrate``."""
    from generator.verify import record_verification, terminal_lines, verify

    verification = verify(
        target, options, emit=(lambda _: None) if quiet else echo, unit_output=echo if verbose else None
    )
    if not quiet:
        echo("")
    for line in terminal_lines(verification) if not quiet else terminal_lines(verification)[-1:]:
        echo(line)
    written = record_verification(target, verification)
    if written is not None:
        echo(f"findings written into {written} (its Verification section)")
    else:
        echo(
            f"MIGRATION.md not written: {target.root} is not a whole migrate output folder "
            "(verify that folder to record the findings in its MIGRATION.md)"
        )
    return verification


def echo(line: str) -> None:
    try:
        click.echo(line)
    except BrokenPipeError:
        # Whoever read our output went away: send the rest to /dev/null, so every unit
        # can still be stopped cleanly (as `monosplit run` does).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
