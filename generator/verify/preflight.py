"""Can the units run at all in this interpreter? A cheap check before anything is started.

Every unit is started as ``{python} -m <server>`` (gunicorn) and serves through
``monosplit_runtime.flask_server``, so an interpreter that cannot import the
server or Flask cannot start any unit: no need to start them to find out.
Everything else the application imports shows when its units start.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from generator.run.manifest import RunManifest

CHECK_TIMEOUT_SECONDS = 60.0
# Looks every module name up without importing it (find_spec of a top-level name runs no
# code of the package), and prints those it cannot find.
_FIND = """\
import importlib.util, sys
for name in sys.argv[1:]:
    try:
        found = importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        print(name)
"""
_RUNTIME_SERVER = ("monosplit_runtime", "flask_server.py")
#: what the runtime imports before any code of the unit runs (the import names of
#: generator.generate.unit.RUNTIME_NEEDS, which every unit's requirements.txt pins)
_RUNTIME_IMPORTS = ("flask", "prometheus_client", "urllib3")


@dataclass(frozen=True, slots=True)
class InterpreterCheck:
    """Which of the modules the units are started with ``python`` cannot import."""

    python: str
    missing: tuple[str, ...] = ()
    error: str = ""  # the interpreter could not be run at all

    @property
    def usable(self) -> bool:
        return not self.missing and not self.error

    @property
    def reason(self) -> str:
        if self.error:
            return f"{self.python} cannot be run: {self.error}"
        return f"{self.python} cannot import {', '.join(self.missing)}, which the units are started with"


def required_modules(manifests: Iterable[RunManifest]) -> tuple[str, ...]:
    """The top-level modules every unit needs before its own code runs: its ``-m`` server, and the runtime's."""
    needed: set[str] = set()
    for manifest in manifests:
        for unit in manifest.units:
            command = unit.command
            if command[0] == "{python}" and "-m" in command[1:-1]:
                needed.add(command[command.index("-m", 1) + 1].split(".")[0])
            if (manifest.root / unit.directory).joinpath(*_RUNTIME_SERVER).is_file():
                needed.update(_RUNTIME_IMPORTS)
    return tuple(sorted(needed))


def check_interpreter(python: str, modules: Iterable[str]) -> InterpreterCheck:
    """Ask ``python`` which of ``modules`` it cannot find (without importing them)."""
    names = sorted(set(modules))
    if not names:
        return InterpreterCheck(python)
    try:
        done = subprocess.run(
            [python, "-c", _FIND, *names],
            capture_output=True,
            text=True,
            timeout=CHECK_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except OSError as exc:
        return InterpreterCheck(python, error=exc.strerror or str(exc))
    except subprocess.TimeoutExpired:
        return InterpreterCheck(python, error=f"it did not answer within {CHECK_TIMEOUT_SECONDS:g}s")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return InterpreterCheck(python, error=last)
    return InterpreterCheck(python, missing=tuple(sorted(done.stdout.split())))
