"""Run the application's own tests against one unit's code, in a copy, with pytest.

The unit's folder is copied into a temporary folder, the suite placed in it
where it sits in the application (``tests/``, replacing the unit's generated
API tests there), with pytest's configuration from the application's root;
then ``python -m pytest`` runs in that copy with the unit's code first on the
import path (``PYTHONPATH``), in the application's interpreter. Nothing the
user wrote, and nothing generated, is changed; the copy is removed afterwards.

What each test came to is read from pytest's JUnit XML report, not from its
terminal output. A run that leaves no report, or one with nothing in it (a
``conftest.py`` that does not import, pytest missing), could not run at all:
the first error in its output says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.verify.apptests import AppTests, suite_path
from generator.verify.diagnosis import LogError, diagnose_pytest
from generator.verify.results import Outcome, SuiteRun

REPORT_NAME = "monosplit-junit.xml"
OUTPUT_NAME = "monosplit-pytest.log"
# pytest's exit codes: 0 all passed, 1 some failed, 2 interrupted, 3 internal error, 4 usage
# error (a conftest.py that does not import), 5 no tests collected
_NO_TESTS = 5
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
_KILL_GRACE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class PytestSettings:
    """The interpreter the tests run in, extra environment, and how long a run may take."""

    python: str
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 600.0


def pytest_command(python: str, tests: AppTests, files: Sequence[str] | None, report: Path) -> list[str]:
    """The command run in the copy: the given test files (paths in the unit), else the whole suite."""
    return [
        python,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",  # nothing written beside the tests, nor read from an earlier run
        "--continue-on-collection-errors",  # a test file that does not import is its own finding
        "--tb=short",
        "-q",
        f"--junitxml={report}",
        "-o",
        "junit_family=xunit1",  # it names each test's file, so ids read as pytest's node ids
        *(files if files is not None else [tests.location]),
    ]


async def run_app_tests(
    unit: str,
    unit_dir: Path,
    tests: AppTests,
    files: Sequence[str] | None,
    settings: PytestSettings,
    *,
    files_total: int,
) -> SuiteRun:
    """Run ``files`` of the suite (paths in the unit; None: the whole suite) against ``unit_dir``'s code."""
    count = files_total if files is None else len(files)
    if files is not None and not files:
        return SuiteRun(unit, 0, files_total)
    scratch = Path(tempfile.mkdtemp(prefix="monosplit-tests-"))
    try:
        copy = scratch / "unit"
        await asyncio.to_thread(_prepare, unit_dir, tests, copy)
        report, output = scratch / REPORT_NAME, scratch / OUTPUT_NAME
        command = pytest_command(settings.python, tests, files, report)
        code, failure = await _run(command, copy, _environment(copy, settings.env), output, settings.timeout)
        if failure:
            return SuiteRun(unit, count, files_total, error=LogError(failure))
        if code == _NO_TESTS:
            return SuiteRun(unit, count, files_total, error=LogError("pytest collected no tests"))
        lines = _scrubbed(output.read_text(encoding="utf-8", errors="replace"), copy).splitlines()
        return _read_report(unit, count, files_total, report, copy, lines)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _prepare(unit_dir: Path, tests: AppTests, copy: Path) -> None:
    shutil.copytree(unit_dir, copy, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    target = copy / tests.location
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)  # the unit's generated API tests: not what the application's suite holds
    elif target.exists() or target.is_symlink():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(tests.root, target, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name, data in tests.config_files:
        if not (copy / name).exists():
            (copy / name).write_bytes(data)


def _environment(copy: Path, extra: Mapping[str, str]) -> dict[str, str]:
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(copy), env.get("PYTHONPATH", "")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


async def _run(
    command: list[str], cwd: Path, env: dict[str, str], output: Path, timeout: float
) -> tuple[int | None, str]:
    """Run pytest: its exit code, or why it did not finish. Its process group is killed on the way out."""
    with output.open("wb") as sink:
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                cwd=cwd,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=sink,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # its own group: whatever the tests start is stopped with it
            )
        except OSError as exc:
            return None, f"{command[0]} cannot be run: {exc.strerror or exc}"
        try:
            code = await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            return None, f"did not finish within {timeout:g}s (--app-tests-timeout)"
        finally:
            await _stop(process)
    return code, ""


async def _stop(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # left-overs of a finished run too (a server a test forked)
    if process.returncode is None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), _KILL_GRACE_SECONDS)


def _read_report(
    unit: str, files: int, files_total: int, report: Path, copy: Path, lines: list[str]
) -> SuiteRun:
    try:
        root = ElementTree.parse(report).getroot()
    except (OSError, ElementTree.ParseError):
        root = None
    cases = list(root.iter("testcase")) if root is not None else []
    if not cases:
        error = diagnose_pytest(lines, root=copy) or LogError("pytest ended without running a test")
        return SuiteRun(unit, files, files_total, error=error)
    outcomes: dict[str, Outcome] = {}
    problems: dict[str, LogError] = {}
    for case in cases:
        test = _test_id(case)
        outcome, problem = _outcome(case, copy)
        outcomes[test] = outcome
        if problem is not None:
            problems[test] = problem
    return SuiteRun(
        unit,
        files,
        files_total,
        outcomes=tuple(sorted(outcomes.items())),
        problems=tuple(sorted(problems.items())),
    )


def _test_id(case: ElementTree.Element) -> str:
    """pytest's node id: ``tests/test_a.py::TestA::test_b``, from the report's file, class and name."""
    file = case.get("file") or ""
    classname = case.get("classname") or ""
    name = case.get("name") or ""
    if not classname:
        return file or name  # a test file that could not be collected
    module = file.removesuffix(".py").replace("/", ".")
    inner = classname[len(module) + 1 :] if file and classname.startswith(module + ".") else ""
    return "::".join(p for p in (file or classname, inner.replace(".", "::"), name) if p)


def _outcome(case: ElementTree.Element, copy: Path) -> tuple[Outcome, LogError | None]:
    for tag, outcome in (("error", Outcome.ERROR), ("failure", Outcome.FAILED)):
        found = case.find(tag)
        if found is not None:
            text = _scrubbed(found.text or "", copy)
            problem = diagnose_pytest(text.splitlines(), root=copy)
            message = _scrubbed(found.get("message") or "", copy).strip()
            if problem is None or (problem.location is None and message):
                problem = LogError(_first_line(message) or outcome.value, None)
            return outcome, problem
    if case.find("skipped") is not None:
        return Outcome.SKIPPED, None
    return Outcome.PASSED, None


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _scrubbed(text: str, copy: Path) -> str:
    """Text without what differs from run to run: the copy's folder and memory addresses."""
    for folder in {str(copy), str(copy.resolve())}:
        text = text.replace(folder + os.sep, "").replace(folder, ".")
    return _ADDRESS.sub("0x…", text)


def suite_files(tests: AppTests, selected: Sequence[str]) -> list[str]:
    """The selected test files as paths in the unit (the command's arguments)."""
    return [suite_path(tests.location, path) for path in selected]
