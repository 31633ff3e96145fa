"""The findings as terminal tables and as MIGRATION.md's Verification section."""

from __future__ import annotations

from pathlib import Path

from generator.verify.compare import Comparison, Difference, PhaseComparison
from generator.verify.diagnosis import LogError
from generator.verify.exchanges import JourneyFailure, Phase
from generator.verify.report import (
    SECTION_BEGIN,
    SECTION_END,
    markdown_section,
    replace_section,
    summary_line,
    terminal_lines,
)
from generator.verify.results import ArchitectureResult, NotDriven, UnitReadiness, Verification

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "generator" / "templates" / "architecture" / "MIGRATION.md.j2"

SAME = Comparison(PhaseComparison(3, 3), PhaseComparison(5, 5))
DIFFERENT = Comparison(
    PhaseComparison(
        2, 3, 0, (Difference(Phase.ROUTE, "/api/cart", 1, "GET /api/cart", "status 500, the monolith 401"),)
    ),
    PhaseComparison(5, 5),
)
BROKEN = UnitReadiness(
    "catalog",
    False,
    "exited with code 3 before it was ready",
    LogError("RuntimeError: broken | on purpose", "catalog/streamshop/models.py:3"),
)


def _verification(*results: ArchitectureResult) -> Verification:
    return Verification(results, ("/a", "/b", "/c"), 7, ("journey.py",), reference_ran_twice=True)


REFERENCE = ArchitectureResult(
    "monolith", (UnitReadiness("monolith", True),), reference=True, routes_answered=3, steps_recorded=5
)


def test_everything_equal_passes_and_says_what_was_driven() -> None:
    verification = _verification(
        REFERENCE,
        ArchitectureResult(
            "two-tier", (UnitReadiness("client", True), UnitReadiness("server", True)), comparison=SAME
        ),
    )
    assert verification.passed and verification.exit_code == 0
    assert (
        summary_line(verification)
        == "verified: two-tier answered like the monolith (3 GET routes and journey journey.py)"
    )
    lines = terminal_lines(verification)
    assert "  GET routes like the monolith     3/3" in lines
    assert "  journey steps like the monolith  5/5" in lines


def test_a_unit_that_did_not_start_is_one_clear_line_and_fails() -> None:
    verification = _verification(
        REFERENCE,
        ArchitectureResult(
            "microservices", (BROKEN, UnitReadiness("cart", True)), not_driven=NotDriven.UNITS_NOT_READY
        ),
    )
    assert verification.exit_code == 1
    lines = terminal_lines(verification)
    assert "  catalog  no: RuntimeError: broken | on purpose (catalog/streamshop/models.py:3)" in lines
    assert summary_line(verification) == "not verified: microservices: catalog did not get ready"
    section = markdown_section(verification)
    assert (
        "- microservices / catalog: RuntimeError: broken \\| on purpose (catalog/streamshop/models.py:3) "
        "(exited with code 3 before it was ready)" in section
    )
    assert (
        "| microservices | 1/2 | not driven | not driven | catalog did not start: RuntimeError: broken \\| on purpose"
        in section
    )


def test_differences_show_in_the_table_and_are_listed() -> None:
    verification = _verification(
        REFERENCE, ArchitectureResult("two-tier", (UnitReadiness("client", True),), comparison=DIFFERENT)
    )
    section = markdown_section(verification)
    assert "| two-tier | 1/1 | 2/3 | 5/5 | GET /api/cart: status 500, the monolith 401 |" in section
    assert "- two-tier: GET /api/cart: status 500, the monolith 401" in section
    assert "**Not verified: two-tier: 1 difference from the monolith.**" in section


def test_a_journey_failing_on_the_monolith_fails_the_verification() -> None:
    failing = ArchitectureResult(
        "monolith",
        (UnitReadiness("monolith", True),),
        reference=True,
        journey_failures=(JourneyFailure("journey.py", 2, "AssertionError: no token (journey.py:9)"),),
    )
    verification = _verification(failing)
    assert not verification.passed
    assert "Journeys that failed on the monolith itself" in markdown_section(verification)


def test_the_section_is_deterministic_and_holds_no_run_details() -> None:
    verification = _verification(
        REFERENCE, ArchitectureResult("two-tier", (UnitReadiness("client", True),), comparison=DIFFERENT)
    )
    section = markdown_section(verification)
    assert section == markdown_section(verification)
    assert section.startswith(SECTION_BEGIN) and section.endswith(SECTION_END + "\n")
    assert "127.0.0.1" not in section and "/tmp" not in section
    assert "7 public route and method pairs were not driven" in section


def test_replacing_the_section_keeps_everything_else() -> None:
    document = f"# Title\n\nintro\n\n{SECTION_BEGIN}\n## Verification\n\nNot verified.\n{SECTION_END}\n\n## Notes\n\n- a note\n"
    section = f"{SECTION_BEGIN}\n## Verification\n\nnew\n{SECTION_END}\n"
    replaced = replace_section(document, section)
    assert replaced == f"# Title\n\nintro\n\n{section}\n## Notes\n\n- a note\n"
    assert replace_section(replaced, section) == replaced


def test_a_document_without_markers_gets_the_section_appended() -> None:
    section = f"{SECTION_BEGIN}\nx\n{SECTION_END}\n"
    assert replace_section("# Old notes\n\n", section) == f"# Old notes\n\n{section}"


def test_the_generated_migration_notes_carry_the_markers_and_claim_nothing() -> None:
    template = TEMPLATE.read_text(encoding="utf-8")
    assert SECTION_BEGIN in template and SECTION_END in template
    assert template.index(SECTION_BEGIN) < template.index("Not verified") < template.index(SECTION_END)
    assert "runs as generated" not in template
