"""The application's own tests run with real pytest against a unit's code, in a copy; and how they read."""

from __future__ import annotations

import asyncio
import hashlib
import sys
import textwrap
from pathlib import Path

from generator.verify.apptests import load_app_tests
from generator.verify.compare import Comparison, PhaseComparison
from generator.verify.diagnosis import LogError
from generator.verify.report import markdown_section, summary_line, terminal_lines
from generator.verify.results import ArchitectureResult, Outcome, SuiteRun, UnitReadiness, Verification
from generator.verify.testrun import PytestSettings, run_app_tests


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _app(tmp_path: Path, conftest: str = "") -> tuple[Path, Path]:
    """A unit folder (its ``shop`` package and generated API tests) and the application's suite."""
    unit = _write(
        tmp_path / "unit",
        {
            "shop/__init__.py": "",
            "shop/prices.py": "def total(items):\n    return sum(items)\n",
            "tests/test_generated_api.py": "def test_generated():\n    raise AssertionError('not the app')\n",
        },
    )
    suite = _write(
        tmp_path / "app" / "tests",
        {
            "__init__.py": "",
            "conftest.py": conftest or "import pytest\n",
            "helpers.py": "ITEMS = [1, 2]\n",
            "test_prices.py": """
                from shop.prices import total
                from tests.helpers import ITEMS

                def test_total():
                    assert total(ITEMS) == 3

                class TestMore:
                    def test_wrong(self):
                        assert total(ITEMS) == 4, f"at {object()!r}"
            """,
            "test_broken.py": "from shop.prices import gone\n",
        },
    )
    return unit, suite


def _run(unit: Path, suite: Path, files: list[str] | None) -> SuiteRun:
    tests = load_app_tests(suite)
    settings = PytestSettings(sys.executable, timeout=120)
    return asyncio.run(run_app_tests("shop", unit, tests, files, settings, files_total=2))


def test_each_test_is_counted_by_its_node_id_and_nothing_the_user_wrote_changes(tmp_path: Path) -> None:
    unit, suite = _app(tmp_path)
    before_unit, before_suite = _tree(unit), _tree(suite)
    run = _run(unit, suite, None)
    assert run.error is None and run.files == 2
    assert dict(run.outcomes) == {
        "tests/test_broken.py": Outcome.ERROR,  # collected apart, the rest still runs
        "tests/test_prices.py::TestMore::test_wrong": Outcome.FAILED,
        "tests/test_prices.py::test_total": Outcome.PASSED,
    }
    problems = dict(run.problems)
    assert problems["tests/test_broken.py"] == LogError(
        "ImportError: cannot import name 'gone' from 'shop.prices' (shop/prices.py)", "tests/test_broken.py:1"
    )
    wrong = problems["tests/test_prices.py::TestMore::test_wrong"]
    assert wrong.location == "tests/test_prices.py:10"
    assert "0x…" in wrong.error and "monosplit-tests-" not in wrong.error  # same text every run
    assert run.figures == "1/3 passed, 1 failed, 1 error"
    assert _tree(unit) == before_unit and _tree(suite) == before_suite  # ran in a copy


def test_a_unit_runs_only_the_files_it_was_given(tmp_path: Path) -> None:
    unit, suite = _app(tmp_path)
    run = _run(unit, suite, ["tests/test_prices.py"])
    assert run.files == 1 and run.files_total == 2
    assert [test for test, _ in run.outcomes] == [
        "tests/test_prices.py::TestMore::test_wrong",
        "tests/test_prices.py::test_total",
    ]
    assert _run(unit, suite, []) == SuiteRun("shop", 0, 2)  # nothing selected: nothing started


def test_a_suite_that_cannot_run_at_all_is_one_line_naming_the_file(tmp_path: Path) -> None:
    unit, suite = _app(tmp_path, conftest="import pytest\nfrom shop.missing_module import thing\n")
    run = _run(unit, suite, None)
    assert not run.outcomes
    assert run.error == LogError(
        "ModuleNotFoundError: No module named 'shop.missing_module'", "tests/conftest.py:2"
    )
    assert run.first_problem == (
        "could not run: ModuleNotFoundError: No module named 'shop.missing_module' (tests/conftest.py:2)"
    )
    missing = asyncio.run(
        run_app_tests(
            "shop",
            unit,
            load_app_tests(suite),
            None,
            PytestSettings(str(tmp_path / "no-python"), timeout=30),
            files_total=2,
        )
    )
    assert missing.error is not None and "cannot be run" in missing.error.error


SUITE_OK = SuiteRun(
    "monolith",
    2,
    2,
    outcomes=(("tests/test_a.py::test_a", Outcome.PASSED), ("tests/test_a.py::test_b", Outcome.FAILED)),
    problems=(("tests/test_a.py::test_b", LogError("AssertionError: no", "tests/test_a.py:9")),),
)


def _verification(*results: ArchitectureResult) -> Verification:
    return Verification(results, ("/a",), 0, (), reference_ran_twice=True, app_tests="tests")


def test_own_tests_read_in_the_table_and_a_units_failures_do_not_fail_it() -> None:
    unit_suite = SuiteRun(
        "users",
        1,
        2,
        outcomes=(("tests/test_a.py::test_a", Outcome.FAILED),),
        problems=(("tests/test_a.py::test_a", LogError("RemoteError: orders", "shop/x.py:3")),),
        regressed=("tests/test_a.py::test_a",),
    )
    verification = _verification(
        ArchitectureResult(
            "monolith", (UnitReadiness("monolith", True),), reference=True, suites=(SUITE_OK,)
        ),
        ArchitectureResult(
            "microservices",
            (UnitReadiness("users", True), UnitReadiness("orders", True)),
            comparison=Comparison(PhaseComparison(1, 1), PhaseComparison(0, 0)),
            suites=(unit_suite, SuiteRun("orders", 0, 2)),
        ),
    )
    assert verification.passed
    lines = terminal_lines(verification)
    assert "  monolith  1/2 passed, 1 failed  yes" in lines
    assert "  users   0/1 passed, 1 failed (1 of 2 files)  yes" in lines
    assert "  orders  - (0 of 2 files)                     yes" in lines
    assert (
        "  own tests failing here           users: tests/test_a.py::test_a failed: RemoteError: orders "
        "(shop/x.py:3) (1 that passed on the monolith)" in lines
    )
    section = markdown_section(verification)
    assert "| own tests passed |" in section
    assert "| microservices | 2/2 | 1/1 | - | users 0/1, orders - | none |" in section
    assert "- microservices / orders: none of the 2 test files imports only what it has" in section
    assert "the application's own tests (tests/)" in summary_line(verification)


def test_a_suite_that_could_not_run_fails_the_verification() -> None:
    broken = SuiteRun(
        "monolith", 2, 2, error=LogError("ModuleNotFoundError: No module named 'x'", "tests/conftest.py:1")
    )
    verification = _verification(
        ArchitectureResult("monolith", (UnitReadiness("monolith", True),), reference=True, suites=(broken,))
    )
    assert not verification.passed
    assert summary_line(verification) == (
        "not verified: monolith: the application's tests could not run on monolith"
    )
    assert (
        "  own tests could not run          monolith: ModuleNotFoundError: No module named 'x' (tests/conftest.py:1)"
        in terminal_lines(verification)
    )
