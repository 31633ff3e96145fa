"""``monosplit run DIR``: run a generated architecture locally, behind one gateway."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from generator.cli.params import Assignment, interpreter


class _UnitCount(click.ParamType):
    """``UNIT=N`` with N a positive integer."""

    name = "UNIT=N"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, int]:
        if isinstance(value, tuple):
            return value
        unit, sep, count = str(value).partition("=")
        if not sep or not unit or not count.isdigit() or int(count) < 1:
            self.fail(f"{value!r} is not UNIT=N with N a positive whole number", param, ctx)
        return unit, int(count)


@click.command("run")
@click.argument("directory", type=click.Path(path_type=Path), metavar="DIR")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Public port of the gateway (0: any free port).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the gateway listens on.")
@click.option(
    "--replicas",
    "replicas",
    multiple=True,
    type=_UnitCount(),
    help="Run N replicas of UNIT behind its service port (repeatable).",
)
@click.option(
    "--env",
    "env",
    multiple=True,
    type=Assignment(),
    help="Set KEY=VALUE in every unit's environment, over the manifest's (repeatable).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Keep each unit's {data} folder under this folder (default: a temporary one).",
)
@click.option("--keep-data", is_flag=True, help="Do not remove the temporary data folder at exit.")
@click.option(
    "--seed-database",
    type=click.Path(path_type=Path, dir_okay=False),
    help="[local] A SQLite database the app wrote (the monolith's): every SQLite file a unit's "
    "settings name in its data folder begins as a copy of it, so the units start on that data.",
)
@click.option(
    "--ready-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds every replica has to answer its readiness path.",
)
@click.option(
    "--unavailable-timeout",
    type=click.FloatRange(min=0),
    default=20.0,
    show_default=True,
    help="Seconds a request waits for a unit with no ready replica before a 503.",
)
@click.option(
    "--python",
    "python",
    type=click.Path(path_type=Path, dir_okay=False),
    help="[local] The interpreter the units run in, e.g. the app's own venv/bin/python, where the "
    "app's libraries are installed (default: the one running monosplit).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "docker"]),
    default="local",
    show_default=True,
    help="local: the units as processes on this machine; docker: built as images, run as containers.",
)
@click.option(
    "--base-image",
    metavar="IMAGE",
    help="[docker] The Python base image of every unit (default: the Dockerfiles' own).",
)
@click.option(
    "--wheels",
    is_flag=True,
    help="[docker] Build the requirements as wheels here and install only those in the images "
    "(for engines that cannot reach a package index; the base image's Python must match this one).",
)
def run_command(
    directory: Path,
    port: int,
    host: str,
    replicas: tuple[tuple[str, int], ...],
    env: tuple[tuple[str, str], ...],
    data_dir: Path | None,
    keep_data: bool,
    seed_database: Path | None,
    ready_timeout: float,
    unavailable_timeout: float,
    engine: str,
    base_image: str | None,
    wheels: bool,
    python: Path | None,
) -> None:
    """Run the architecture in DIR (or the manifest file DIR) until Ctrl-C.

    Starts every unit of its monosplit-run.json, restarts any that exits,
    and serves them all behind one gateway on --port. With --engine docker,
    each unit's image is built from its Dockerfile and its replicas run as
    containers on a network of their own, where units find each other by name.
    """
    from generator.run import RunOptions, load_manifest, run_architecture

    manifest = load_manifest(directory)
    options = RunOptions(
        host=host,
        port=port,
        replicas=dict(replicas),
        env=dict(env),
        data_dir=data_dir,
        keep_data=keep_data,
        seed_database=seed_database,
        ready_timeout=ready_timeout,
        unavailable_timeout=unavailable_timeout,
    )
    if python is not None:
        options = dataclasses.replace(options, python=interpreter(python))
    if engine == "docker":
        from generator.run.docker_engine import run_in_containers
        from generator.run.images import BuildOptions

        build = BuildOptions(base_image=base_image, wheels=wheels)
        run_in_containers(manifest, options, build, emit=_echo, inherited_env=os.environ)
        return
    if base_image is not None or wheels:
        raise click.UsageError("--base-image and --wheels need --engine docker")
    run_architecture(manifest, options, emit=_echo)


def _echo(line: str) -> None:
    try:
        click.echo(line)
    except BrokenPipeError:
        # Whoever read our output went away. As the Python docs advise, send the rest to
        # /dev/null, so the run can still stop cleanly and exit without a write error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
