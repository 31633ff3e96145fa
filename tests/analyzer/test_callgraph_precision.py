"""Precision and recall of call edges over the hand-written fixture suite.

Precision comes first: an edge the graph claims must be real. The suite's
README documents the conventions both sides follow.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer import analyze, load_options

CASES = Path(__file__).parent / "callgraph_cases"
#: Floors, not targets: they catch regressions. Current figures are printed.
MIN_PRECISION = 0.97
MIN_RECALL = 0.85


def _cases() -> list[Path]:
    return sorted(p.parent for p in CASES.glob("*/*/expected.json"))


def _expected(case: Path) -> set[tuple[str, str]]:
    data = json.loads((case / "expected.json").read_text())
    return {(caller, callee) for caller, callees in data["calls"].items() for callee in callees}


def _found(case: Path) -> set[tuple[str, str]]:
    src = case / "src"
    analysis = analyze(src, load_options(src, use_cache=False, jobs=1))
    return {(u, v) for u, v, kind in analysis.graph.edges(keys=True) if kind == "call"}


def _score(cases: list[Path]) -> Iterator[tuple[Path, set[tuple[str, str]], set[tuple[str, str]]]]:
    for case in cases:
        yield case, _found(case), _expected(case)


def test_suite_is_large_enough() -> None:
    cases = _cases()
    assert len(cases) >= 60
    assert sum(len(_expected(c)) for c in cases) >= 250


def test_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    true_pos = false_pos = false_neg = 0
    wrong: list[str] = []
    missed: list[str] = []
    per_category: dict[str, list[int]] = {}
    for case, found, expected in _score(_cases()):
        category = case.parent.name
        tp, fp, fn = len(found & expected), len(found - expected), len(expected - found)
        true_pos, false_pos, false_neg = true_pos + tp, false_pos + fp, false_neg + fn
        counts = per_category.setdefault(category, [0, 0, 0])
        counts[0] += tp
        counts[1] += fp
        counts[2] += fn
        wrong += [f"{case.relative_to(CASES)}: {e}" for e in sorted(found - expected)]
        missed += [f"{case.relative_to(CASES)}: {e}" for e in sorted(expected - found)]
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    with capsys.disabled():
        print(
            f"\ncall graph: precision {precision:.3f}, recall {recall:.3f} "
            f"({true_pos} right, {false_pos} wrong, {false_neg} missed)"
        )
        for category, (tp, fp, fn) in sorted(per_category.items()):
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            print(f"  {category:12s} precision {p:.2f} recall {r:.2f}")
    assert precision >= MIN_PRECISION, "wrong edges:\n" + "\n".join(wrong)
    assert recall >= MIN_RECALL, "missed edges:\n" + "\n".join(missed)
