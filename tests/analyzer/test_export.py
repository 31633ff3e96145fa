"""The graph in JSON, GraphML and DOT: complete, parseable, deterministic."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from analyzer.export import JSON_VERSION
from analyzer.graph import EDGE_KINDS, NODE_KINDS
from generator.cli import main
from tests.conftest import WriteTree

APP = {
    "shop/__init__.py": "",
    "shop/models.py": """
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase):
            pass

        class Order(Base):
            __tablename__ = "orders"
    """,
    "shop/views.py": """
        import os
        from flask import Blueprint
        from shop.models import Order

        bp = Blueprint("orders", __name__, url_prefix="/orders")

        def helper():
            return os.environ.get("API_TOKEN")

        @bp.get("/")
        def index():
            helper()
            return Order()
    """,
}


@pytest.fixture
def project(write_tree: WriteTree) -> Path:
    return write_tree(APP)


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_json_document_is_documented_shape_and_deterministic(project: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    _run("analyze", str(project), "-o", str(first), "--no-cache")
    _run("analyze", str(project), "-o", str(second))  # cached run: same bytes
    assert first.read_bytes() == second.read_bytes()
    doc = json.loads(first.read_text())
    assert doc["format"] == "monosplit-graph" and doc["version"] == JSON_VERSION
    ids = [n["id"] for n in doc["nodes"]]
    assert ids == sorted(ids)
    for node in doc["nodes"]:
        assert node["kind"] in NODE_KINDS
        if node["kind"] in ("module", "class", "function", "method"):
            assert {"file", "line", "end_line", "size", "parent"} <= node.keys()
    for edge in doc["edges"]:
        assert edge["kind"] in EDGE_KINDS
        assert edge["source"] in ids and edge["target"] in ids
        assert isinstance(edge["weight"], int) and edge["weight"] >= 1
    kinds = {(e["source"], e["target"], e["kind"]) for e in doc["edges"]}
    assert {
        ("shop.views", "shop.models", "import"),
        ("shop.views.index", "shop.views.helper", "call"),
        ("shop.models.Order", "shop.models.Base", "inherit"),
        ("shop.models.Order", "table:orders", "maps"),
        ("shop.views.index", "table:orders", "write"),
        ("route:GET /orders/", "shop.views.index", "route"),
        ("shop.views.helper", "config:API_TOKEN", "config"),
    } <= kinds


def test_output_files_are_ordinary_files(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.json"
    _run("analyze", str(project), "-o", str(out))
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_graphml_reads_back_with_networkx(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.graphml"
    _run("analyze", str(project), "-o", str(out))
    graph = nx.read_graphml(out, force_multigraph=True)
    assert graph.nodes["shop.views.index"]["kind"] == "function"
    assert any(d["kind"] == "route" for _, _, d in graph.edges(data=True))
    ET.parse(out)  # well-formed XML


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_dot_renders_with_graphviz(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.dot"
    _run("analyze", str(project), "-o", str(out))
    svg = subprocess.run(["dot", "-Tsvg", str(out)], capture_output=True, check=True, text=True).stdout
    assert "<svg" in svg and "shop.views.index" in svg


def test_terminal_summary_names_the_essentials(project: Path) -> None:
    output = _run("analyze", str(project), "--no-cache")
    assert "project: 3 files" in output
    assert "1 route" in output and "1 table" in output
    assert "import cycles: none" in output
    assert "problems: none" in output


def test_cache_reuses_facts_and_reparses_only_edits(project: Path) -> None:
    cold = _run("analyze", str(project))
    assert "3 parsed" in cold
    warm = _run("analyze", str(project))
    assert "(cache;" in warm
    (project / "shop" / "views.py").write_text(
        (project / "shop" / "views.py").read_text() + "\n\ndef extra():\n    helper()\n"
    )
    edited = _run("analyze", str(project))
    assert "1 parsed, 2 from cache" in edited
