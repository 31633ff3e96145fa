"""Two plans of the sample one pin apart, and a plan against its source: in-process, no generation."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analyzer import Analysis, analyze, load_options
from analyzer.export import render as render_graph
from analyzer.plan import dump_plan, suggest, symbol_units
from analyzer.plan.pins import parse_pins
from analyzer.plan.units import build_unit_graph
from generator.cli import main
from generator.diff import diff
from generator.diff.model import Move

SAMPLE = Path(__file__).resolve().parents[3] / "sample_monolith"
#: the pin, as [tool.monosplit.pins] would say it: one function of the streaming service to recommendations
PINNED = "streamshop.services.streaming.watched_title_ids"
PINS = {"services": {"recommendations": [PINNED]}}


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return analyze(SAMPLE, load_options(SAMPLE, use_cache=False))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["diff", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def as_json(*args: str) -> dict[str, Any]:
    code, out, err = invoke(*args, "--format", "json")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def _plan_file(folder: Path, analysis: Analysis, pins: dict[str, Any] | None) -> Path:
    units = build_unit_graph(analysis.graph)
    parsed = (
        parse_pins(pins, units=units.units, symbols=symbol_units(analysis, units), source="test")
        if pins
        else None
    )
    suggestion = suggest(analysis, pins=parsed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.json").write_text(dump_plan(suggestion.document), encoding="utf-8")
    (folder / "graph.json").write_text(render_graph(analysis, "json"), encoding="utf-8")
    return folder / "plan.json"


def test_two_plans_one_pin_apart_move_exactly_the_pinned_symbol(analysis: Analysis, tmp_path: Path) -> None:
    before = _plan_file(tmp_path / "before", analysis, None)
    after = _plan_file(tmp_path / "after", analysis, PINS)
    result = diff(before, after)
    assert result.moves == (Move(PINNED, "stream", "recommendations"),)
    changed = [(m.a, m.b, m.status) for m in result.units if m.status != "same"]
    assert changed == [("recommendations", "recommendations", "changed"), ("stream", "stream", "changed")]
    document = as_json(str(before), str(after))
    assert document["moves"] == [{"symbol": PINNED, "from": "stream", "to": "recommendations"}]
    # and in the terminal's table of moved symbols
    code, out, _ = invoke(str(before), str(after))
    assert code == 0
    symbols = len(set(result.a.owner) | set(result.b.owner))
    assert f"1 of {symbols} top-level symbols changed unit" in out.replace("\n", " ")
    assert re.search(rf"\n  {re.escape(PINNED)} +stream +recommendations\n", out), out


def test_a_plan_against_the_source_it_was_suggested_for(analysis: Analysis, tmp_path: Path) -> None:
    result = diff(_plan_file(tmp_path, analysis, None), SAMPLE)
    assert (result.a.kind, result.b.kind) == ("plan", "source")
    assert result.moves == ()
    assert {m.status for m in result.units} == {"same"}
