"""The sample monolith, analysed as a user would: its documented facts show up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer import Analysis
from generator.cli import main
from tests.conftest import edges_of, run_analysis

SAMPLE = Path(__file__).resolve().parents[2] / "sample_monolith"


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return run_analysis(SAMPLE)


def test_analyses_cleanly_without_tests_or_scenario(analysis: Analysis) -> None:
    assert analysis.problems == ()
    assert analysis.unresolved_imports == ()
    modules = {n for n, d in analysis.graph.nodes(data=True) if d["kind"] == "module"}
    assert "streamshop.app" in modules
    assert not any(m.startswith("tests") or m == "scenario" for m in modules)


def test_every_documented_symbol_is_a_node(analysis: Analysis) -> None:
    manifest = json.loads((SAMPLE / "capabilities.json").read_text())
    documented = {s for symbols in manifest["capabilities"].values() for s in symbols}
    documented |= set(manifest["shared"])
    assert documented, "capabilities.json lists no symbols"
    missing = sorted(s for s in documented if s not in analysis.graph)
    assert missing == []


def test_cross_capability_calls_are_found(analysis: Analysis) -> None:
    calls = edges_of(analysis, "call")
    checkout = "streamshop.services.checkout.checkout"
    assert {
        (checkout, "streamshop.services.billing.charge"),
        (checkout, "streamshop.services.inventory.reserve_stock"),
        (checkout, "streamshop.services.notifications.notify"),
    } <= calls


def test_tables_routes_and_configuration(analysis: Analysis) -> None:
    graph = analysis.graph
    tables = {d["name"] for _, d in graph.nodes(data=True) if d["kind"] == "table"}
    assert {"users", "titles", "products", "orders", "payments", "subscriptions", "notifications"} <= tables
    routes = edges_of(analysis, "route")
    assert {"route:POST /api/auth/register", "route:POST /api/orders", "route:GET /healthz"} <= {
        r for r, _ in routes
    }
    assert len(routes) >= 40
    for route, handler in routes:
        assert graph.nodes[handler]["kind"] == "function", (route, handler)
    assert graph.nodes["config:SECRET_KEY"]["secret"] is True
    assert graph.nodes["config:DATABASE_URL"]["secret"] is True
    assert graph.nodes["config:SMTP_HOST"]["secret"] is False
    assert any(kind == "write" and target == "table:orders" for _, target, kind in graph.edges(keys=True))


def test_readme_main_job_runs(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["analyze", str(SAMPLE), "-o", str(tmp_path / "g.json")])
    assert result.exit_code == 0, result.output
    assert "problems: none" in result.output
