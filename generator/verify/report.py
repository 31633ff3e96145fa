"""What a verification found, as terminal tables and as the "Verification" section of MIGRATION.md.

Pure. The section sits between two markers, so rewriting it replaces only
what a previous verification (or the generator's "not verified" text) put
there; everything else in MIGRATION.md stays as it is. Both renderings depend
on the findings only, never on ports, times or temporary paths.
"""

from __future__ import annotations

from generator.verify.compare import PhaseComparison
from generator.verify.results import ArchitectureResult, Outcome, SuiteRun, Verification

# The generator writes these markers too (generator/templates/architecture/MIGRATION.md.j2).
SECTION_BEGIN = "<!-- monosplit verify: begin (this section is rewritten by `monosplit verify`) -->"
SECTION_END = "<!-- monosplit verify: end -->"
DIFFERENCES_LISTED = 10

WHAT_IS_COMPARED = (
    "What was compared, for each request: the status, the media type, the redirect target and the body; JSON as values "
    "(key order ignored, list order kept), HTML and other text token by token, anything else byte for byte. "
    "Before comparing, the address and data folder of each run, date-times, UUIDs and JSON Web Tokens are "
    "replaced by placeholders, and whatever the monolith answered differently in two runs of its own "
    "(CSRF tokens, random values, counters) is not compared."
)
WHAT_THE_TESTS_ARE = (
    "The application's own tests ran with pytest, in the application's interpreter, in a copy of each unit's "
    "code: the whole suite on the monolith; on every other unit, the test files that import only what that "
    "unit has and request only routes it serves (with their conftest.py files and the suite's modules they "
    "import). A suite that cannot run at all fails the verification; a unit's failing tests are listed "
    "(those that passed on the monolith first) but do not: run alone, a unit answers with errors what it "
    "asks other units."
)
WHAT_IS_NOT = (
    "Not checked: routes with parameters and methods other than GET, except as a journey sends them; "
    "response headers other than Content-Type and Location; speed; behaviour under concurrent requests, "
    "or when a unit fails or restarts."
)


def summary_line(verification: Verification) -> str:
    """One line: everything answered like the monolith, or what did not."""
    if verification.passed:
        driven = [r for r in verification.architectures if not r.reference and r.driven]
        if not driven:
            return "verified: every unit got ready (no architecture to compare with the monolith)"
        return f"verified: {_names(driven)} answered like the monolith ({_driven_things(verification)})"
    failing = [r for r in verification.architectures if not r.passed]
    line = "not verified: " + "; ".join(f"{r.architecture}: {_what_failed(r)}" for r in failing)
    if any(r.reference and not r.ready for r in failing):
        line += (
            " (the monolith itself did not start: the application needs what this run did not give it, "
            "its configuration with --env KEY=VALUE or its libraries with --python)"
        )
    return line


def _names(results: list[ArchitectureResult]) -> str:
    names = [r.architecture for r in results]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _driven_things(verification: Verification) -> str:
    things = [f"{len(verification.routes)} GET routes"]
    if verification.journeys:
        things.append("journey " + ", ".join(verification.journeys))
    if verification.app_tests:
        things.append(f"the application's own tests ({verification.app_tests}/)")
    return " and ".join(things)


def _what_failed(result: ArchitectureResult) -> str:
    found = []
    if not result.ready:
        names = [u.unit for u in result.not_ready]
        found.append(f"{', '.join(names)} did not get ready")
    elif result.reference:
        if result.journey_failures:
            journeys = ", ".join(f.journey for f in result.journey_failures)
            found.append(f"journey {journeys} failed on the monolith itself")
    elif result.not_driven is not None:
        found.append(f"not driven: {result.not_driven.value}")
    elif result.differences:
        count = len(result.differences)
        found.append(f"{count} difference{'s' if count != 1 else ''} from the monolith")
    failing = [suite.unit for suite in result.suites if not suite.could_run]
    if failing:
        found.append(f"the application's tests could not run on {', '.join(failing)}")
    return "; ".join(found)


# --- terminal -------------------------------------------------------------------------------


def terminal_lines(verification: Verification) -> list[str]:
    """A table per architecture, then the summary line."""
    lines: list[str] = []
    for result in verification.architectures:
        lines.extend(_terminal_table(result))
        lines.append("")
    lines.append(summary_line(verification))
    return lines


def _terminal_table(result: ArchitectureResult) -> list[str]:
    title = f"{result.architecture} (the reference)" if result.reference else result.architecture
    width = max(len("unit"), *(len(u.unit) for u in result.units))
    suites = {suite.unit: suite for suite in result.suites}
    if suites:
        cells = {unit: _suite_cell(suite) for unit, suite in suites.items()}
        tests_width = max(len("own tests"), *(len(cell) for cell in cells.values()))
        lines = [title, f"  {'unit'.ljust(width)}  {'own tests'.ljust(tests_width)}  ready"]
        lines.extend(
            f"  {u.unit.ljust(width)}  {cells.get(u.unit, '-').ljust(tests_width)}  {u.line}"
            for u in result.units
        )
    else:
        lines = [title, f"  {'unit'.ljust(width)}  ready"]
        lines.extend(f"  {u.unit.ljust(width)}  {u.line}" for u in result.units)
    for label, value in _figures(result) + _suite_figures(result):
        lines.append(f"  {label.ljust(33)}{value}")
    for logged in result.logged:
        lines.append(f"  {'exceptions logged'.ljust(33)}{logged.line}")
    shown = result.differences[:DIFFERENCES_LISTED]
    if len(result.differences) > 1:
        lines.append(f"  differences ({len(result.differences)}):")
        lines.extend(f"    - {d.line}" for d in shown)
        if len(result.differences) > len(shown):
            lines.append(f"    - and {len(result.differences) - len(shown)} more")
    return lines


def _figures(result: ArchitectureResult) -> list[tuple[str, str]]:
    """(label, value) rows: routes, journey steps, first difference."""
    if result.reference:
        rows = [
            ("GET routes", f"{result.routes_answered} answered" if result.driven else "not driven"),
            ("journey steps", _recorded(result)),
        ]
        rows.extend(
            ("journey failed", f"{f.journey} stopped after {f.after_steps} step(s): {f.message}")
            for f in result.journey_failures
        )
        return rows
    if result.comparison is None:
        reason = result.not_driven.value if result.not_driven is not None else "not driven"
        return [
            ("GET routes like the monolith", f"not driven: {reason}"),
            ("journey steps like the monolith", "-"),
        ]
    comparison = result.comparison
    return [
        ("GET routes like the monolith", _count(comparison.routes)),
        ("journey steps like the monolith", _count(comparison.journey)),
        ("first difference", result.differences[0].line if result.differences else "-"),
    ]


def _suite_cell(suite: SuiteRun) -> str:
    """A unit's own-tests figures, with how many of the suite's files it ran when it ran a part."""
    if suite.files == suite.files_total or suite.error is not None:
        return suite.figures
    return f"{suite.figures} ({suite.files} of {suite.files_total} files)"


def _suite_figures(result: ArchitectureResult) -> list[tuple[str, str]]:
    rows = []
    for suite in result.suites:
        if suite.error is not None:
            rows.append(("own tests could not run", f"{suite.unit}: {suite.error.line}"))
        elif suite.regressed or (result.reference and suite.problems):
            label = "own tests first failure" if result.reference else "own tests failing here"
            count = f" ({len(suite.regressed)} that passed on the monolith)" if suite.regressed else ""
            rows.append((label, f"{suite.unit}: {suite.first_problem}{count}"))
    return rows


def _recorded(result: ArchitectureResult) -> str:
    if not result.driven:
        return "not driven"
    return f"{result.steps_recorded} recorded" if result.steps_recorded or result.journey_failures else "-"


def _count(phase: PhaseComparison) -> str:
    if phase.total == 0 and phase.unstable == 0:
        return "-"
    unstable = f" ({phase.unstable} not compared: unstable in the monolith)" if phase.unstable else ""
    return f"{phase.equal}/{phase.total}{unstable}"


# --- MIGRATION.md ---------------------------------------------------------------------------


def markdown_section(verification: Verification) -> str:
    """The "Verification" section, markers included, ending in a newline."""
    lines = [SECTION_BEGIN, "## Verification", ""]
    lines.append(_what_ran(verification))
    lines.append("")
    tests = bool(verification.app_tests)
    lines.append(
        "| architecture | units ready | GET routes like the monolith | journey steps like the monolith "
        + ("| own tests passed " if tests else "")
        + "| first difference |"
    )
    lines.append("|---|---|---|---|---|" + ("---|" if tests else ""))
    for result in verification.architectures:
        row = _markdown_row(result)
        if tests:
            row = (*row[:4], _suite_summary(result), row[4])
        lines.append("| " + " | ".join(_cell(value) for value in row) + " |")
    lines.append("")
    lines.append(f"**{_sentence(summary_line(verification))}**")
    not_ready = [(r.architecture, u) for r in verification.architectures for u in r.not_ready]
    if not_ready:
        lines.extend(["", "Units that did not get ready:", ""])
        for architecture, unit in not_ready:
            also = f" ({_inline(unit.problem)})" if unit.error is not None and not unit.timed_out else ""
            lines.append(f"- {architecture} / {unit.unit}: {_inline(unit.reason)}{also}")
    listed = [
        (r.architecture, d) for r in verification.architectures for d in r.differences[:DIFFERENCES_LISTED]
    ]
    if listed:
        lines.extend(
            ["", f"Differences from the monolith (at most {DIFFERENCES_LISTED} per architecture):", ""]
        )
        lines.extend(f"- {architecture}: {_inline(d.line)}" for architecture, d in listed)
    logged = [(r.architecture, e) for r in verification.architectures for e in r.logged]
    if logged:
        lines.extend(["", "Exceptions the units logged while they were driven (the first of each unit):", ""])
        lines.extend(f"- {architecture}: {_inline(e.line)}" for architecture, e in logged)
    if tests:
        lines.extend(["", f"The application's own tests (`{verification.app_tests}`), per unit:", ""])
        lines.extend(
            f"- {r.architecture} / {_inline(_suite_line(suite, r.reference))}"
            for r in verification.architectures
            for suite in r.suites
        )
    failures = [
        (r.architecture, f) for r in verification.architectures if r.reference for f in r.journey_failures
    ]
    if failures:
        lines.extend(["", "Journeys that failed on the monolith itself (so they check nothing yet):", ""])
        lines.extend(
            f"- {f.journey} stopped after {f.after_steps} step(s): {_inline(f.message)}" for _, f in failures
        )
    lines.extend(["", WHAT_IS_COMPARED, *(["", WHAT_THE_TESTS_ARE] if tests else []), ""])
    lines.extend([_not_checked(verification), SECTION_END])
    return "\n".join(lines) + "\n"


def _what_ran(verification: Verification) -> str:
    journeys = (
        " and the journey"
        + ("s " if len(verification.journeys) > 1 else " ")
        + ", ".join(f"`{name}`" for name in verification.journeys)
        if verification.journeys
        else " (no journey was given: `--journey SCRIPT` adds one)"
    )
    twice = " (run twice, to tell what changes from run to run)" if verification.reference_ran_twice else ""
    return (
        "`monosplit verify` started every unit of each architecture, one architecture at a time, each on "
        f"fresh data, and compared what each answered with what the monolith answered{twice}: "
        f"{len(verification.routes)} GET routes without parameters{journeys}."
    )


def _markdown_row(result: ArchitectureResult) -> tuple[str, ...]:
    ready = f"{sum(u.ready for u in result.units)}/{len(result.units)}"
    if result.reference:
        routes = f"reference ({result.routes_answered} answered)" if result.driven else "not driven"
        steps = f"reference ({result.steps_recorded} steps)" if result.steps_recorded else "-"
        steps = steps if result.driven else "not driven"
    elif result.comparison is None:
        routes = steps = "not driven"
    else:
        routes, steps = _count(result.comparison.routes), _count(result.comparison.journey)
    return (result.architecture, ready, routes, steps, result.first_problem or "none")


def _suite_summary(result: ArchitectureResult) -> str:
    """The own-tests cell of an architecture's row: passed/total per unit that ran them."""
    if not result.suites:
        return "-"
    if len(result.suites) == 1:
        return _suite_short(result.suites[0])
    return ", ".join(f"{s.unit} {_suite_short(s)}" for s in result.suites)


def _suite_short(suite: SuiteRun) -> str:
    if suite.error is not None:
        return "could not run"
    if suite.files == 0:
        return "-"
    return f"{suite.count(Outcome.PASSED)}/{len(suite.outcomes)}"


def _suite_line(suite: SuiteRun, reference: bool) -> str:
    """One unit's own tests in a sentence: what ran, what came of it, the first thing wrong."""
    if suite.error is not None:
        return f"{suite.unit}: could not run: {suite.error.line}"
    if suite.files == 0:
        return f"{suite.unit}: none of the {suite.files_total} test files imports only what it has"
    ran = "" if suite.files == suite.files_total else f" ({suite.files} of {suite.files_total} test files)"
    problem = suite.first_problem if suite.regressed or (reference and suite.problems) else ""
    return f"{suite.unit}: {suite.figures}{ran}" + (f"; first: {problem}" if problem else "")


def _not_checked(verification: Verification) -> str:
    if verification.routes_not_driven:
        return (
            f"{WHAT_IS_NOT} ({verification.routes_not_driven} public route and method pairs were not driven.)"
        )
    return WHAT_IS_NOT


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _inline(text: str) -> str:
    """Text that stays on one Markdown line and is not read as markup."""
    flat = " ".join(text.split())
    for char in ("\\", "`", "*", "<", ">", "|"):
        flat = flat.replace(char, "\\" + char)
    return flat


def _cell(text: str) -> str:
    return _inline(text)


def replace_section(document: str, section: str) -> str:
    """``document`` with its verification section replaced by ``section``.

    Only what lies between the markers changes. A document without them (written
    before verify existed, or edited) gets the section appended at its end.
    """
    begin = document.find(SECTION_BEGIN)
    end = document.find(SECTION_END, begin + 1) if begin >= 0 else -1
    if begin < 0 or end < 0:
        return document.rstrip("\n") + "\n\n" + section
    after = end + len(SECTION_END)
    if document.startswith("\n", after):
        after += 1
    return document[:begin] + section + document[after:]
