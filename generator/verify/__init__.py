"""Verify generated architectures: start them, drive them, and compare their answers with the monolith's.

``find_target`` says what a folder holds; ``verify`` runs each architecture in
turn and returns a :class:`Verification`; ``terminal_lines`` and
``record_verification`` present it (the latter as the "Verification" section of
MIGRATION.md).

Layout, from pure to I/O: ``exchanges`` (what is recorded), ``normalise`` and
``compare`` (what counts as the same answer), ``diagnosis`` (why a unit did not
start), ``selection`` (which of the application's own tests a unit can run),
``results`` and ``report`` (the findings and their text) are pure; ``targets``,
``journey`` and ``apptests`` read files; ``preflight``, ``recorder``,
``running`` and ``testrun`` (pytest in a copy of a unit) start processes and
serve HTTP; ``verifier`` wires them together.
"""

from __future__ import annotations

from generator.verify.apptests import AppTests, AppTestsError, load_app_tests
from generator.verify.journey import Journey, JourneyClient, JourneyError, load_journey
from generator.verify.report import terminal_lines
from generator.verify.results import ArchitectureResult, SuiteRun, UnitReadiness, Verification
from generator.verify.targets import VerifyTarget, VerifyTargetError, find_target
from generator.verify.verifier import (
    InterpreterError,
    VerifyInterrupted,
    VerifyOptions,
    check_target_interpreter,
    record_verification,
    verify,
)

__all__ = [
    "AppTests",
    "AppTestsError",
    "ArchitectureResult",
    "InterpreterError",
    "Journey",
    "JourneyClient",
    "JourneyError",
    "SuiteRun",
    "UnitReadiness",
    "Verification",
    "VerifyInterrupted",
    "VerifyOptions",
    "VerifyTarget",
    "VerifyTargetError",
    "check_target_interpreter",
    "find_target",
    "load_app_tests",
    "load_journey",
    "record_verification",
    "terminal_lines",
    "verify",
]
