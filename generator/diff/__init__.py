"""``monosplit diff A B``: what changes between two architectures, statically and measured.

:func:`diff` is the use case: it loads both sides (generated folders, plan
files or source folders, see :mod:`generator.diff.inputs`), compares them
(:mod:`generator.diff.compare`, pure), optionally measures both running
(:mod:`generator.diff.measure`), and :func:`render` formats the result as
terminal text, Markdown, HTML or the versioned JSON of docs/diff-format.md.

Layout, from pure to I/O: ``model`` (the data), ``codegraph`` (the analysed
graph reduced to units, calls and routes), ``compare`` and ``hops`` (the
static comparison), ``latency`` (statistics), ``view`` / ``text`` / ``svg`` /
``html`` / ``document`` (rendering); ``inputs`` and ``kubernetes`` read files
and run kubectl; ``measure`` starts ``monosplit run`` and drives a scenario.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.diff.compare import compare
from generator.diff.model import Diff, DiffError

__all__ = ["FORMATS", "Diff", "DiffError", "MeasureOptions", "default_scenario", "diff", "render"]

#: Output formats; "text" is the terminal's.
FORMATS = ("text", "markdown", "html", "json")


@dataclass(frozen=True, slots=True)
class MeasureOptions:
    """How to measure: the scenario script, the requests per side, warm-up runs and extra environment."""

    scenario: Path | None = None
    requests: int = 200
    warmup: int = 1
    env: Mapping[str, str] = field(default_factory=dict)
    #: extra `monosplit run` arguments: the engine and its options (``--engine docker``)
    run_args: tuple[str, ...] = ()


def diff(
    a: Path,
    b: Path,
    *,
    graph: Path | None = None,
    measure: MeasureOptions | None = None,
    emit: Callable[[str], None] | None = None,
) -> Diff:
    """Compare ``a`` with ``b``; with ``measure``, also run both and drive the scenario against each.

    Raises :class:`DiffError` (or another :class:`~analyzer.errors.MonosplitError`) for inputs that
    cannot be compared or measured.
    """
    from generator.diff.inputs import load_sides

    side_a, side_b = load_sides(a, b, graph=graph)
    result = compare(side_a, side_b)
    if measure is None:
        return result
    from generator.diff.measure import measure as run_measurement
    from generator.diff.measure import require_generated

    require_generated(result)
    scenario = measure.scenario or default_scenario(result)
    measured = run_measurement(
        result,
        scenario=scenario,
        requests=measure.requests,
        warmup=measure.warmup,
        env=measure.env,
        run_args=measure.run_args,
        emit=emit,
    )
    return replace(result, measured=measured)


def default_scenario(result: Diff) -> Path:
    """``<project>/scenario.py`` beside where monosplit runs (the sample's is ``sample_monolith/scenario.py``)."""
    tried = []
    for project in dict.fromkeys(s.project for s in (result.a, result.b) if s.project):
        path = Path(project) / "scenario.py"
        if path.is_file():
            return path
        tried.append(str(path))
    looked = f" (looked for {', '.join(tried)})" if tried else ""
    raise DiffError(f"no scenario to measure with{looked}: give one with --scenario PATH")


def render(result: Diff, fmt: str) -> str:
    """``result`` in one of :data:`FORMATS`."""
    if fmt == "text":
        from generator.diff.text import render_text

        return render_text(result)
    if fmt == "markdown":
        from generator.diff.text import render_markdown

        return render_markdown(result)
    if fmt == "html":
        from generator.diff.html import render_html

        return render_html(result)
    if fmt == "json":
        from generator.diff.document import dump_document

        return dump_document(result)
    raise DiffError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
