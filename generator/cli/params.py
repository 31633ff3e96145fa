"""Parameter types several commands share: ``KEY=VALUE`` assignments and an interpreter path."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Assignment(click.ParamType):
    """``KEY=VALUE`` with KEY an environment variable name."""

    name = "KEY=VALUE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        key, sep, assigned = str(value).partition("=")
        if not sep or not _NAME.fullmatch(key):
            self.fail(f"{value!r} is not KEY=VALUE with KEY an environment variable name", param, ctx)
        return key, assigned


def interpreter(path: Path) -> str:
    """``--python PATH`` as an absolute path to an executable, or a usage error naming it."""
    if not path.is_file() or not os.access(path, os.X_OK):
        raise click.BadParameter(f"{path} is not an executable file", param_hint="--python")
    # absolute, but not resolved: a virtualenv's python is a symlink that must stay one
    return str(path.absolute())
