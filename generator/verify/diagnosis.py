"""Why a unit did not start, in one line: the error its output names, and the file it points to.

Pure: reads a unit's output lines. A Python traceback gives the exception line
and the deepest frame in the unit's own code (else the deepest frame at all);
when the exception was raised while handling another, the last one of the
first chain is what the unit died of. Without a traceback, the first line that
reads like an error is used, without the log prefixes (timestamps, pids) that
would make it differ from one run to the next.

>>> diagnose([
...     "Traceback (most recent call last):",
...     '  File "/srv/app/models.py", line 3, in <module>',
...     "    raise RuntimeError('boom')",
...     "RuntimeError: boom",
... ], unit_dir=PurePath("/srv/app"), shown_from=PurePath("/srv"))
LogError(error='RuntimeError: boom', location='app/models.py:3')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

_TRACEBACK = "Traceback (most recent call last):"
_FRAME = re.compile(r'^\s+File "(?P<file>[^"]+)", line (?P<line>\d+)')
_CHAINED = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)
_ERRORISH = re.compile(
    r"(?i)\b(?:error|exception|fatal|critical|traceback)\b|no module named|not found|cannot |can't |"
    r"could not|failed|permission denied|address already in use|unrecognized arguments"
)
# "[2026-01-01 10:00:00 +0000] [123] [ERROR] " and the like: what every log line has of its own
_LOG_PREFIX = re.compile(r"^(?:\[[^\]]*\]\s*)+")
_LONGEST = 200


@dataclass(frozen=True, slots=True)
class LogError:
    """An error read from a unit's output, and ``path:line`` of the file it points to (if any)."""

    error: str
    location: str | None = None

    @property
    def line(self) -> str:
        return f"{self.error} ({self.location})" if self.location else self.error


@dataclass(frozen=True, slots=True)
class _Frame:
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class _Traceback:
    frames: tuple[_Frame, ...]
    error: str
    continues: bool  # another traceback of the same chain follows


def diagnose(lines: Sequence[str], *, unit_dir: PurePath, shown_from: PurePath) -> LogError | None:
    """The error in a unit's output; None when it printed nothing that reads as one.

    Files inside ``unit_dir`` are shown relative to ``shown_from`` (the architecture's folder).
    """
    tracebacks = _tracebacks(lines)
    if tracebacks:
        failure = _first_chain_end(tracebacks)
        return LogError(_short(failure.error), _location(failure.frames, unit_dir, shown_from))
    for raw in lines:
        line = _LOG_PREFIX.sub("", raw).strip()
        if line and _ERRORISH.search(line):
            return LogError(_short(line))
    last = next((_LOG_PREFIX.sub("", raw).strip() for raw in reversed(lines) if raw.strip()), "")
    return LogError(_short(last)) if last else None


def first_logged_error(
    lines: Sequence[str], *, unit_dir: PurePath, shown_from: PurePath
) -> tuple[LogError, int] | None:
    """The first exception a running unit logged (a traceback), and how many it logged; None if none."""
    tracebacks = _tracebacks(lines)
    if not tracebacks:
        return None
    failure = _first_chain_end(tracebacks)
    count = sum(1 for traceback in tracebacks if not traceback.continues)
    return LogError(_short(failure.error), _location(failure.frames, unit_dir, shown_from)), max(count, 1)


def _tracebacks(lines: Sequence[str]) -> list[_Traceback]:
    found: list[_Traceback] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() != _TRACEBACK:
            index += 1
            continue
        frames: list[_Frame] = []
        index += 1
        # frames and their source lines are indented; the exception line is not
        while index < len(lines) and (lines[index][:1].isspace() or not lines[index].strip()):
            if frame := _FRAME.match(lines[index]):
                frames.append(_Frame(frame.group("file"), int(frame.group("line"))))
            index += 1
        if index >= len(lines):
            break  # cut off before its exception line
        error = lines[index].strip()
        index += 1
        following = next((line.strip() for line in lines[index:] if line.strip()), "")
        found.append(_Traceback(tuple(frames), error, following in _CHAINED))
    return found


def _first_chain_end(tracebacks: list[_Traceback]) -> _Traceback:
    for traceback in tracebacks:
        if not traceback.continues:
            return traceback
    return tracebacks[-1]


def _location(frames: tuple[_Frame, ...], unit_dir: PurePath, shown_from: PurePath) -> str | None:
    real = [f for f in frames if not f.file.startswith("<")]
    for frame in reversed(real):
        path = PurePath(frame.file)
        if path.is_relative_to(unit_dir):
            shown = path.relative_to(shown_from) if path.is_relative_to(shown_from) else path
            return f"{shown.as_posix()}:{frame.line}"
    return f"{real[-1].file}:{real[-1].line}" if real else None


def _short(text: str) -> str:
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


# pytest's own traceback style (--tb=short, and how it reports a conftest or test module that
# does not import): "path:line: in function" per frame, "E   Error: message" for the exception
_PYTEST_FRAME = re.compile(r"^(?P<file>[^\s:][^:]*\.py):(?P<line>\d+): in ")
_PYTEST_ERROR = re.compile(r"^E {3}(?P<error>\S.*)$")


def diagnose_pytest(lines: Sequence[str], *, root: PurePath) -> LogError | None:
    """The first error in pytest's output, and the file it points to, shown relative to ``root``.

    The frame shown is the deepest before the error line that lies in ``root`` (the
    copy the tests ran in), else the deepest at all. Without pytest's ``E`` lines,
    the output is read as a unit's is (:func:`diagnose`).
    """
    frames: list[_Frame] = []
    for raw in lines:
        if frame := _PYTEST_FRAME.match(raw):
            frames.append(_Frame(frame.group("file"), int(frame.group("line"))))
        elif error := _PYTEST_ERROR.match(raw):
            return LogError(_short(error.group("error").strip()), _pytest_location(frames, root))
    return diagnose(lines, unit_dir=root, shown_from=root)


def _pytest_location(frames: list[_Frame], root: PurePath) -> str | None:
    for frame in reversed(frames):
        path = PurePath(frame.file)
        if not path.is_absolute():
            return f"{path.as_posix()}:{frame.line}"  # pytest shows files under its rootdir relative to it
        if path.is_relative_to(root):
            return f"{path.relative_to(root).as_posix()}:{frame.line}"
    return f"{frames[-1].file}:{frames[-1].line}" if frames else None
