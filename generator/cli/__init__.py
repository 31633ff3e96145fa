"""The ``monosplit`` command: a thin click layer over the use cases.

Each command lives in its own module, parses its flags, calls one use case
and formats the result. Errors the user can cause (:class:`MonosplitError`)
are turned into one line on stderr and an exit code here, in one place.

A command's module is imported only when that command runs: ``analyze``
on a warm cache answers in a few hundred milliseconds, and importing the
generator, the runner and their dependencies as well would cost a good
part of that.
"""

from __future__ import annotations

import importlib
import signal
import sys
from types import FrameType

import click

from analyzer import __version__
from analyzer.errors import MonosplitError

#: command name -> "module:attribute" of its click command, in the order ``--help`` lists them.
_COMMANDS = {
    "analyze": "generator.cli.analyze:analyze_command",
    "suggest": "generator.cli.suggest:suggest_command",
    "generate": "generator.cli.generate:generate_command",
    "migrate": "generator.cli.migrate:migrate_command",
    "run": "generator.cli.run:run_command",
    "verify": "generator.cli.verify:verify_command",
    "diff": "generator.cli.diff:diff_command",
    "deploy": "generator.cli.deploy:deploy_command",
    "pin": "generator.cli.pin:pin_command",
}


class _Group(click.Group):
    """The top-level group: loads commands on demand and reports user errors in one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> object:
        # SIGTERM unwinds like Ctrl-C, so clean-up code (temporary files) runs; commands that
        # supervise processes install their own handlers
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            return super().invoke(ctx)
        except MonosplitError as exc:
            click.echo(f"monosplit: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("monosplit: interrupted", err=True)
            sys.exit(130)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="monosplit")
def main() -> None:
    """Analyse a Python monolith and suggest how to split it into services (or whether not to)."""
