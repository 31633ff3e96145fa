"""The ``monosplit`` command: a thin click layer over the use cases.

Each command lives in its own module, parses its flags, calls one use case
and formats the result. Errors the user can cause (:class:`MonosplitError`)
are turned into one line on stderr and an exit code here, in one place.
"""

from __future__ import annotations

import sys

import click

from analyzer import __version__
from analyzer.errors import MonosplitError
from generator.cli.analyze import analyze_command
from generator.cli.deploy import deploy_command
from generator.cli.diff import diff_command
from generator.cli.generate import generate_command
from generator.cli.migrate import migrate_command
from generator.cli.run import run_command
from generator.cli.suggest import suggest_command


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MonosplitError as exc:
            click.echo(f"monosplit: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("monosplit: interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="monosplit")
def main() -> None:
    """Analyse a Python monolith and suggest how to split it into services (or whether not to)."""


main.add_command(analyze_command)
main.add_command(suggest_command)
main.add_command(generate_command)
main.add_command(migrate_command)
main.add_command(run_command)
main.add_command(diff_command)
main.add_command(deploy_command)
