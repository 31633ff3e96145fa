"""What a verification found: per architecture, which units got ready and how its answers compared.

Plain data, built by :mod:`generator.verify.verifier` and read by
:mod:`generator.verify.report`. Nothing here depends on when or where the run
happened (no ports, times or temporary paths), so the same findings always
read the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from generator.verify.compare import Comparison, Difference
from generator.verify.diagnosis import LogError
from generator.verify.exchanges import JourneyFailure

EXIT_VERIFIED = 0
EXIT_DIFFERS = 1


@dataclass(frozen=True, slots=True)
class UnitReadiness:
    """Whether one unit answered its readiness path, and if not, why."""

    unit: str
    ready: bool
    problem: str = ""  # what happened: "exited with code 3 before it was ready", "not ready within 60s ..."
    error: LogError | None = None  # what its output says
    timed_out: bool = False  # it kept running without getting ready

    @property
    def reason(self) -> str:
        """Why it is not ready, in one line: the error its output names, else what happened."""
        if self.error is None:
            return self.problem
        if self.timed_out:
            return f"{self.problem}; its output says: {self.error.line}"
        return self.error.line

    @property
    def line(self) -> str:
        return "yes" if self.ready else f"no: {self.reason}"


@dataclass(frozen=True, slots=True)
class LoggedErrors:
    """Exceptions a unit logged while it was being driven: how many, and the first."""

    unit: str
    first: LogError
    count: int

    @property
    def line(self) -> str:
        return f"{self.unit} logged {self.count} exception{'s' if self.count != 1 else ''}, the first: {self.first.line}"


class Outcome(StrEnum):
    """What one of the application's own tests came to."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"  # an error in a fixture, or a test file that could not be collected
    SKIPPED = "skipped"  # skipped or expected to fail


@dataclass(frozen=True, slots=True)
class SuiteRun:
    """The application's own tests, run against one unit's code.

    The monolith runs the whole suite; another unit runs the test files that import
    only what it has (``files`` of ``files_total``). ``regressed`` names the tests
    that passed on the monolith and did not here; ``error`` says why the suite
    could not run at all.
    """

    unit: str
    files: int
    files_total: int
    outcomes: tuple[tuple[str, Outcome], ...] = ()  # test id (pytest's node id) -> outcome, sorted
    problems: tuple[tuple[str, LogError], ...] = ()  # why each test that failed or errored did
    error: LogError | None = None
    regressed: tuple[str, ...] = ()

    def count(self, outcome: Outcome) -> int:
        return sum(1 for _, o in self.outcomes if o is outcome)

    @property
    def ran(self) -> bool:
        return self.files > 0 and self.error is None

    @property
    def could_run(self) -> bool:
        """It ran, or had nothing to run. A unit's failing tests are findings, not a failed verification:
        a unit run alone answers what it asks other units with errors."""
        return self.error is None

    @property
    def figures(self) -> str:
        """``30/32 passed, 1 failed, 1 error``; what it ran, in one phrase."""
        if self.error is not None:
            return "could not run"
        if self.files == 0:
            return "-"
        total = len(self.outcomes)
        parts = [f"{self.count(Outcome.PASSED)}/{total} passed"]
        for outcome, word in (
            (Outcome.FAILED, "failed"),
            (Outcome.ERROR, "error"),
            (Outcome.SKIPPED, "skipped"),
        ):
            if number := self.count(outcome):
                parts.append(f"{number} {word}{'s' if outcome is Outcome.ERROR and number != 1 else ''}")
        return ", ".join(parts)

    @property
    def first_problem(self) -> str:
        """The suite's error, else the first regressed test (the first failing one on the reference)."""
        if self.error is not None:
            return f"could not run: {self.error.line}"
        problems = dict(self.problems)
        ids = self.regressed or tuple(test for test, _ in self.problems)
        for test in ids:
            problem = problems.get(test)
            outcome = dict(self.outcomes).get(test, Outcome.FAILED)
            return f"{test} {outcome.value}" + (f": {problem.line}" if problem is not None else "")
        return ""


class NotDriven(StrEnum):
    """Why an architecture's routes and journeys were not driven."""

    UNITS_NOT_READY = "a unit did not get ready"
    REFERENCE_NOT_READY = "the monolith did not get ready, so there is nothing to compare with"
    NO_REFERENCE = "there is no monolith next to it to compare with"


@dataclass(frozen=True, slots=True)
class ArchitectureResult:
    """One architecture's verification.

    ``comparison`` is None for the reference (the monolith, whose answers the
    others are held to) and for an architecture that was not driven, because
    one of its units, or the reference, did not get ready.
    """

    architecture: str
    units: tuple[UnitReadiness, ...]
    reference: bool = False
    not_driven: NotDriven | None = None
    comparison: Comparison | None = None
    routes_answered: int = 0  # the reference: routes that answered at all
    steps_recorded: int = 0  # the reference: journey steps recorded
    journey_failures: tuple[JourneyFailure, ...] = ()  # the reference's: a journey that fails on the monolith
    logged: tuple[LoggedErrors, ...] = ()  # exceptions units logged while driven (5xx answers, say)
    suites: tuple[SuiteRun, ...] = ()  # the application's own tests, per unit (``--app-tests``)

    @property
    def ready(self) -> bool:
        return all(unit.ready for unit in self.units)

    @property
    def driven(self) -> bool:
        return self.not_driven is None

    @property
    def not_ready(self) -> tuple[UnitReadiness, ...]:
        return tuple(unit for unit in self.units if not unit.ready)

    @property
    def differences(self) -> tuple[Difference, ...]:
        return self.comparison.differences if self.comparison is not None else ()

    @property
    def passed(self) -> bool:
        if not self.ready or not all(suite.could_run for suite in self.suites):
            return False
        if self.reference:
            return not self.journey_failures
        if self.not_driven is NotDriven.NO_REFERENCE:
            return True  # all it can be held to: it started
        return self.comparison is not None and self.comparison.same

    @property
    def first_problem(self) -> str:
        """The first thing wrong, in one line ("" when nothing is)."""
        for unit in self.not_ready:
            return f"{unit.unit} did not start: {unit.reason}"
        for failure in self.journey_failures:
            return f"journey {failure.journey} stopped after {failure.after_steps} step(s): {failure.message}"
        if self.differences:
            return self.differences[0].line
        for suite in self.suites:
            if not suite.could_run:
                return f"own tests on {suite.unit}: {suite.first_problem}"
        return ""


@dataclass(frozen=True, slots=True)
class Verification:
    """Every architecture verified, the reference first, and what was driven through each."""

    architectures: tuple[ArchitectureResult, ...]
    routes: tuple[str, ...]  # the GET routes without parameters that were driven
    routes_not_driven: int  # public routes with parameters, or without GET
    journeys: tuple[str, ...]  # journey file names, in the order they ran
    reference_ran_twice: bool = False
    app_tests: str = ""  # where the application's own tests sit in a unit ("tests"), when they ran

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.architectures)

    @property
    def exit_code(self) -> int:
        return EXIT_VERIFIED if self.passed else EXIT_DIFFERS

    @property
    def unstable(self) -> int:
        """Requests not compared because the monolith itself answered them differently twice (at most)."""
        counts = [
            r.comparison.routes.unstable + r.comparison.journey.unstable
            for r in self.architectures
            if r.comparison is not None
        ]
        return max(counts, default=0)
