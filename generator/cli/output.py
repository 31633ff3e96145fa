"""Terminal and file output shared by commands."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from types import TracebackType

import click

from analyzer.errors import MonosplitError


def write_output(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (the user's file is never half-written)."""
    if path.is_dir():
        raise MonosplitError(f"{path}: is a folder; give a file name for the output")
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        # mkstemp creates 0600; the output is an ordinary file, so honour the umask
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
        tmp = None
    except NotADirectoryError:
        raise MonosplitError(f"{path}: a part of its folder is a file") from None
    except OSError as exc:
        raise MonosplitError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:  # interrupted or failed: no half-written temporary file stays behind
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class ProgressReporter:
    """A progress bar on stderr for long phases; silent when disabled."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: object | None = None
        self._phase = ""
        self._done = 0

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)  # type: ignore[attr-defined]
            self._bar = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if phase != self._phase:
            self._close()
            self._phase = phase
            self._done = 0
            if phase == "parse" and total > 20:
                bar = click.progressbar(length=total, label="parsing", file=None, width=30)
                self._bar = bar.__enter__()
            elif phase == "resolve":
                click.echo("resolving names across modules...", err=True)
        if self._bar is not None:
            self._bar.update(done - self._done)  # type: ignore[attr-defined]
            self._done = done
