"""``monosplit verify``: start each architecture, drive it, and hold its answers to the monolith's.

The use case behind the command (and the end of ``monosplit migrate``). One
architecture runs at a time, each on fresh data: first the monolith, the
reference, then the monolith again (what differs between its two runs is not
compared), then every other architecture. Each is stopped before the next
starts. SIGINT, SIGTERM or SIGHUP stops the unit processes and ends the
verification (a second one kills them at once); no process outlives it.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from analyzer.errors import MonosplitError
from generator.run.manifest import RunManifest
from generator.run.supervisor import Supervisor
from generator.verify.apptests import AppTests, application_names, unit_contents
from generator.verify.compare import compare_recordings
from generator.verify.exchanges import Phase, Recording
from generator.verify.journey import Journey
from generator.verify.preflight import InterpreterCheck, check_interpreter, required_modules
from generator.verify.report import markdown_section, replace_section
from generator.verify.results import ArchitectureResult, NotDriven, Outcome, SuiteRun, Verification
from generator.verify.running import RunSettings, run_architecture
from generator.verify.selection import select_tests
from generator.verify.targets import (
    MIGRATION_NAME,
    REFERENCE,
    VerifyTarget,
    probe_routes,
    routes_not_probed,
)
from generator.verify.testrun import PytestSettings, run_app_tests, suite_files
from generator.writer import rewrite_generated

Emit = Callable[[str], None]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
#: where a unit's tests find the other units: nowhere (they do not run while its tests do)
UNREACHABLE_URL = "http://127.0.0.1:9"


class InterpreterError(MonosplitError):
    """The interpreter the units would run in cannot start them (it lacks their server or Flask)."""


class VerifyInterrupted(MonosplitError):
    """Verification was stopped by a signal; every unit was stopped too."""

    exit_code = 130


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """How to verify; the defaults are the command's."""

    #: the interpreter every unit runs in: the app's own virtualenv, where its libraries are
    python: str = sys.executable
    env: Mapping[str, str] = field(default_factory=dict)
    journeys: tuple[Journey, ...] = ()
    ready_timeout: float = 60.0
    journey_timeout: float = 300.0
    #: the application's own test suite, run against the monolith and every unit
    app_tests: AppTests | None = None
    app_tests_timeout: float = 600.0
    #: a SQLite database every architecture starts on a copy of (generator/run/seed.py)
    seed_database: Path | None = None

    @property
    def settings(self) -> RunSettings:
        return RunSettings(
            self.python, self.env, self.ready_timeout, self.journey_timeout, self.seed_database
        )

    @property
    def test_settings(self) -> PytestSettings:
        return PytestSettings(self.python, self.env, self.app_tests_timeout)


def check_target_interpreter(target: VerifyTarget, python: str) -> InterpreterCheck:
    """Whether ``python`` can import what every unit of ``target`` is started with."""
    return check_interpreter(python, required_modules(target.manifests))


def verify(
    target: VerifyTarget, options: VerifyOptions, *, emit: Emit, unit_output: Emit | None = None
) -> Verification:
    """Verify every architecture of ``target``; ``emit`` gets a progress line per step.

    Raises :class:`InterpreterError` when ``options.python`` cannot start any unit,
    and :class:`VerifyInterrupted` on a signal (after stopping every unit).
    """
    check = check_target_interpreter(target, options.python)
    if not check.usable:
        raise InterpreterError(
            f"{check.reason}: install each unit's requirements there (python -m pip install -r "
            "UNIT/requirements.txt), or give the interpreter that has them with --python"
        )
    if options.app_tests is not None:
        pytest = check_interpreter(options.python, ("pytest",))
        if not pytest.usable:
            raise InterpreterError(
                f"--app-tests: {pytest.python} cannot import pytest, which runs the application's tests "
                "(install the application's test requirements there)"
                if pytest.missing
                else pytest.reason
            )
    try:
        return asyncio.run(_verify(target, options, emit, unit_output))
    except asyncio.CancelledError:
        raise VerifyInterrupted("interrupted: every unit was stopped") from None


async def _verify(
    target: VerifyTarget, options: VerifyOptions, emit: Emit, unit_output: Emit | None
) -> Verification:
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    running: list[Supervisor] = []
    signals_seen = 0

    def on_signal(signum: signal.Signals) -> None:
        nonlocal signals_seen
        signals_seen += 1
        if signals_seen == 1:
            emit(f"verify: {signum.name} received, stopping every unit")
            main.cancel()
        else:
            emit(f"verify: {signum.name} again: killing every unit")
            for supervisor in running:
                supervisor.kill_now()

    def track(supervisor: Supervisor | None) -> None:
        running.clear()
        if supervisor is not None:
            running.append(supervisor)

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        return await _verify_each(target, options, emit, unit_output, track)
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


async def _verify_each(
    target: VerifyTarget,
    options: VerifyOptions,
    emit: Emit,
    unit_output: Emit | None,
    track: Callable[[Supervisor | None], None],
) -> Verification:
    routes = probe_routes(target.manifests)
    settings = options.settings

    async def run(
        manifest: RunManifest, *, drive: bool, note: str = ""
    ) -> tuple[ArchitectureResult, Recording | None]:
        count = len(manifest.units)
        emit(f"verify: {manifest.architecture}{note}: starting {count} unit{'s' if count != 1 else ''}")
        outcome = await run_architecture(
            manifest,
            settings,
            journeys=options.journeys,
            routes=routes,
            drive=drive,
            on_supervisor=track,
            unit_output=unit_output,
        )
        not_driven = None if outcome.recording is not None else NotDriven.UNITS_NOT_READY
        result = ArchitectureResult(
            manifest.architecture, outcome.units, not_driven=not_driven, logged=outcome.logged
        )
        return result, outcome.recording

    tests = options.app_tests
    # the application's top-level names: the monolith's, or what the architecture verified alone has
    application = application_names(target.reference or target.manifests[0]) if tests else frozenset()
    reference_suites: dict[str, SuiteRun] = {}

    async def own_tests(manifest: RunManifest, result: ArchitectureResult) -> ArchitectureResult:
        if tests is None:
            return result
        suites = []
        for unit in manifest.units:
            suite = await _run_own_tests(manifest, unit.name, tests, application, options, emit)
            if not result.reference:
                suite = _held_to(suite, reference_suites)
            suites.append(suite)
        if result.reference:
            reference_suites.update((s.unit, s) for s in suites)
        return replace(result, suites=tuple(suites))

    results: list[ArchitectureResult] = []
    reference = twin = None
    if target.reference is not None:
        result, reference = await run(target.reference, drive=True)
        results.append(await own_tests(target.reference, _as_reference(result, reference)))
        for line in _progress(results[-1]):
            emit(line)
        if reference is not None and target.candidates:
            _, twin = await run(
                target.reference, drive=True, note=" again, to tell what changes between runs"
            )
    for manifest in target.candidates:
        if reference is None:
            # nothing to compare with: readiness is all that can be checked
            result, _ = await run(manifest, drive=False)
            why = NotDriven.REFERENCE_NOT_READY if target.reference is not None else NotDriven.NO_REFERENCE
            result = _not_driven(result, why)
        else:
            result, recording = await run(manifest, drive=True)
            if recording is not None:
                comparison = compare_recordings(reference, twin, recording)
                result = replace(result, comparison=comparison)
        results.append(await own_tests(manifest, result))
        for line in _progress(result):
            emit(line)
    return Verification(
        architectures=tuple(results),
        routes=routes,
        routes_not_driven=routes_not_probed(target.manifests),
        journeys=tuple(j.name for j in options.journeys),
        reference_ran_twice=twin is not None,
        app_tests=tests.location if tests is not None else "",
    )


async def _run_own_tests(
    manifest: RunManifest,
    unit: str,
    tests: AppTests,
    application: frozenset[str],
    options: VerifyOptions,
    emit: Emit,
) -> SuiteRun:
    """The application's tests against one unit: all of them on the monolith, else those it has the imports of."""
    entry = next(u for u in manifest.units if u.name == unit)
    total = len(tests.suite.test_files)
    unit_dir = manifest.root / entry.directory
    if manifest.architecture == REFERENCE:
        files = None  # the monolith has everything: the suite runs as the user runs it
    else:
        selection = select_tests(tests.suite, unit_contents(manifest, entry, application))
        files = suite_files(tests, selection.selected)
    emit(
        f"verify: {manifest.architecture}/{unit}: running the application's tests"
        + ("" if files is None else f" ({len(files)} of {total} test files import only what it has)")
    )
    # calls to other units fail at once (nothing listens on the discard port), not after DNS timeouts
    elsewhere = {u.url_env: UNREACHABLE_URL for u in manifest.units if u.name != unit and u.url_env}
    elsewhere["MONOSPLIT_UNAVAILABLE_TIMEOUT"] = "0"  # the runtime's client: no retrying for 15 s
    settings = replace(options.test_settings, env={**elsewhere, **options.env})
    suite = await run_app_tests(unit, unit_dir, tests, files, settings, files_total=total)
    problem = f"; {suite.first_problem}" if suite.error is not None else ""
    emit(f"verify: {manifest.architecture}/{unit}: own tests: {suite.figures}{problem}")
    return suite


def _held_to(suite: SuiteRun, reference: Mapping[str, SuiteRun]) -> SuiteRun:
    """``suite`` with the tests that passed on the monolith and did not here."""
    passed = {test for run in reference.values() for test, o in run.outcomes if o is Outcome.PASSED}
    regressed = tuple(test for test, o in suite.outcomes if test in passed and o is not Outcome.PASSED)
    return replace(suite, regressed=regressed)


def _as_reference(result: ArchitectureResult, recording: Recording | None) -> ArchitectureResult:
    if recording is None:
        return replace(result, reference=True)
    return replace(
        result,
        reference=True,
        routes_answered=sum(1 for e in recording.of(Phase.ROUTE) if e.status),
        steps_recorded=len(recording.of(Phase.JOURNEY)),
        journey_failures=recording.journey_failures,
    )


def _not_driven(result: ArchitectureResult, why: NotDriven) -> ArchitectureResult:
    return replace(result, not_driven=why if result.ready else NotDriven.UNITS_NOT_READY)


def _progress(result: ArchitectureResult) -> list[str]:
    """What one architecture's run found, as it finishes: a line per unit that did not start."""
    name = result.architecture
    if not result.ready:
        return [f"verify: {name}/{unit.unit} did not start: {unit.reason}" for unit in result.not_ready]
    if result.reference:
        steps = f", {result.steps_recorded} journey steps recorded" if result.steps_recorded else ""
        return [f"verify: {name}: ready; {result.routes_answered} routes answered{steps}"]
    if result.comparison is None:
        return [f"verify: {name}: ready; not driven"]
    count = len(result.differences)
    found = "answers like the monolith" if count == 0 else f"{count} difference{'s' if count != 1 else ''}"
    return [f"verify: {name}: {found}"]


def record_verification(target: VerifyTarget, verification: Verification) -> Path | None:
    """Write the findings into the target's MIGRATION.md (its "Verification" section only).

    Returns the file written, or None when the target is not a whole migrate
    output (then there is no MIGRATION.md that the findings speak for).
    """
    if target.migration is None:
        return None
    try:
        document = target.migration.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MonosplitError(f"{target.migration}: cannot read: {exc}") from None
    updated = replace_section(document, markdown_section(verification))
    rewrite_generated(target.root, MIGRATION_NAME, updated.encode("utf-8"))
    return target.migration
