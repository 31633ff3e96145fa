"""What ``monosplit diff`` accepts: generated folders, plan files, source folders; and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.diff.inputs import load_sides
from tests.generator.diff.fixtures import graph_document


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["diff", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def write_json(path: Path, document: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def generated(root: Path, *, dockerfiles: bool = False) -> Path:
    """``root`` as ``monosplit migrate`` leaves it, for the tiny application: graph.json and two architectures."""
    write_json(root / "graph.json", graph_document())
    layouts = {
        "monolith": [("monolith", ["app.web.handler", "app.web.helper", "app.shop.buy", "app.shop.Item",
                                   "app.stock.reserve", "app.util.fmt"])],
        "microservices": [("web", ["app.web.handler", "app.web.helper"]),
                          ("shop", ["app.shop.buy", "app.shop.Item", "app.stock.reserve"])],
    }  # fmt: skip
    for architecture, units in layouts.items():
        single = architecture == "monolith"
        write_json(
            root / architecture / "monosplit-units.json",
            {
                "format": "monosplit-units",
                "version": 1,
                "project": "app",
                "architecture": architecture,
                "default_unit": units[0][0],
                "shared": [] if single else ["app.util.fmt"],
                "shared_lines": 0 if single else 5,
                "units": [
                    {"name": name, "public": True, "symbols": symbols, "lines": 5 * len(symbols),
                     "exports": [] if single or name == "web" else ["app.shop.buy"],
                     "routes": [["GET", "/buy/<int:item_id>"]] if name in ("monolith", "web") else []}
                    for name, symbols in units
                ],
            },
        )  # fmt: skip
        write_json(
            root / architecture / "monosplit-run.json",
            {"units": [{"name": name, "directory": "." if single else name} for name, _ in units]},
        )
        if dockerfiles:
            for name, _ in units:
                folder = root / architecture / ("." if single else name)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "Dockerfile").write_text("FROM python:3.12-slim\n", encoding="utf-8")
    return root


def test_two_generated_folders(tmp_path: Path) -> None:
    root = generated(tmp_path, dockerfiles=True)
    a, b = load_sides(root / "monolith", root / "microservices" / "monosplit-units.json")
    assert (a.kind, a.architecture, a.unit_names) == ("architecture", "monolith", ("monolith",))
    assert (b.architecture, b.unit_names, b.shared) == (
        "microservices",
        ("shop", "web"),
        frozenset({"app.util.fmt"}),
    )
    assert a.deployment is not None and a.deployment.images == 1 and a.deployment.kubernetes is None
    assert b.deployment is not None and b.deployment.images == 2
    assert b.graph is a.graph  # one graph.json, read once


def test_the_cli_prints_a_table_and_writes_json(tmp_path: Path) -> None:
    root = generated(tmp_path)
    code, out, err = invoke(str(root / "monolith"), str(root / "microservices"))
    assert code == 0, err
    for title in ("Units", "Moved symbols", "Coupling", "Network hops per route", "Deployment footprint"):
        assert f"\n{title}\n{'=' * len(title)}\n" in "\n" + out
    assert "GET /buy/<int:item_id>" in out
    assert "not generated" in out
    code, out, _ = invoke(str(root / "monolith"), str(root / "microservices"), "-o", str(tmp_path / "d.json"))
    assert (code, out) == (0, f"diff written to {tmp_path / 'd.json'}\n")
    document = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert (document["format"], document["version"]) == ("monosplit-diff", 1)
    assert document["routes"] == [
        {
            "route": "GET /buy/<int:item_id>",
            "a": {"entry": "monolith", "hops": 0, "depth": 0, "units": ["monolith"], "cyclic": False},
            "b": {"entry": "web", "hops": 2, "depth": 1, "units": ["web", "shop"], "cyclic": False},
        }
    ]
    assert document["footprint"]["b"]["kubernetes"] is None
    assert document["measured"] is None


def test_markdown_and_html_by_option_or_file_name(tmp_path: Path) -> None:
    root = generated(tmp_path)
    code, out, _ = invoke(str(root / "monolith"), str(root / "microservices"), "--format", "markdown")
    assert code == 0
    assert out.startswith("# monosplit diff: ")
    assert "| A | B | status |" in out
    code, _, _ = invoke(str(root / "monolith"), str(root / "microservices"), "-o", str(tmp_path / "d.html"))
    assert code == 0
    html = (tmp_path / "d.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 3  # both service maps and the metrics chart


def test_a_plan_borrows_the_graph_beside_it_or_the_other_side_s(tmp_path: Path) -> None:
    root = generated(tmp_path)
    plan = {"format": "monosplit-plan", "version": 1, "root": "app", "shared": ["app.util.fmt"],
            "services": [{"name": "web", "symbols": ["app.web.handler", "app.web.helper"]},
                         {"name": "shop", "symbols": ["app.shop.buy", "app.shop.Item", "app.stock.reserve"]}]}  # fmt: skip
    write_json(root / "plan.json", plan)
    a, b = load_sides(root / "plan.json", root / "microservices")
    assert (a.kind, a.architecture) == ("plan", "plan")
    assert a.graph is b.graph
    elsewhere = write_json(tmp_path / "elsewhere" / "plan.json", plan)
    a, _ = load_sides(elsewhere, root / "microservices")
    assert a.graph is not None and a.graph.routes
    code, _, err = invoke(str(elsewhere), str(elsewhere))
    assert code == 2
    assert err == (
        f"monosplit: error: {elsewhere}: no dependency graph to compare with (no graph.json beside it); "
        "give one with --graph, or compare against the source folder\n"
    )
    code, _, err = invoke(str(elsewhere), str(elsewhere), "--graph", str(root / "graph.json"))
    assert code == 0, err


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root / "nowhere", "{path}: no such file or folder"),
        (lambda root: root, "{path}: holds generated architectures; compare two of them"),
        (lambda root: write_json(root / "other.json", {"format": "something"}), "{path}: not a plan or an architecture manifest"),
        (lambda root: write_json(root / "bad.json", []) .with_name("bad.json"), "{path}: not a plan or an architecture manifest"),
        (lambda root: (root / "microservices" / "web").mkdir() or root / "microservices" / "web", "{path}: is one unit of the architecture in"),
        (lambda root: write_json(root / "v2" / "monosplit-units.json", {"format": "monosplit-units", "version": 2}).parent,
         "{path}/monosplit-units.json: unsupported version 2"),
        (lambda root: write_json(root / "plan.json", {"format": "monosplit-plan", "version": 1, "services": []}),
         "{path}: \"services\" must be a non-empty list"),
    ],
)  # fmt: skip
def test_inputs_that_cannot_be_compared_are_one_error_line(
    tmp_path: Path, make: object, message: str
) -> None:
    root = generated(tmp_path / "out")
    path = make(root)  # type: ignore[operator]
    code, out, err = invoke(str(path), str(root / "monolith"))
    assert code == 2
    assert out == ""
    assert err.startswith("monosplit: error: " + message.format(path=path)), err
    assert err.count("\n") == 1


def test_measuring_a_plan_is_refused(tmp_path: Path) -> None:
    root = generated(tmp_path)
    write_json(root / "plan.json", {"format": "monosplit-plan", "version": 1, "root": "app",
                                    "services": [{"name": "web", "symbols": ["app.web.handler"]}]})  # fmt: skip
    code, _, err = invoke(str(root / "plan.json"), str(root / "monolith"), "--measure")
    assert code == 2
    assert err.startswith("monosplit: error: --measure runs generated architectures; A (")


def test_a_missing_scenario_is_one_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = generated(tmp_path / "out")
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke(str(root / "monolith"), str(root / "microservices"), "--measure")
    assert code == 2
    assert (
        err
        == "monosplit: error: no scenario to measure with (looked for app/scenario.py): give one with --scenario PATH\n"
    )
    script = tmp_path / "scenario.py"
    script.write_text("def something_else(): pass\n", encoding="utf-8")
    code, _, err = invoke(
        str(root / "monolith"), str(root / "microservices"), "--measure", "--scenario", str(script)
    )
    assert code == 2
    assert err == f"monosplit: error: {script}: defines no run_scenario(base_url) function\n"
