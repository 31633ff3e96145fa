"""An app on sqlite3 alone (tests/apps/notebook): the setting naming its SQLite file, and its tables' script."""

from __future__ import annotations

from pathlib import Path

from analyzer.analysis import analyze
from analyzer.options import load_options

NOTEBOOK = Path(__file__).resolve().parents[1] / "apps" / "notebook"


def test_the_analysis_names_the_sqlite_file_setting_and_the_schema_script() -> None:
    graph = analyze(NOTEBOOK, load_options(NOTEBOOK, use_cache=False, jobs=1)).graph
    # sqlite3.connect(current_app.config.get("NOTEBOOK_DB")), also read as a plain setting
    assert graph.nodes["config:NOTEBOOK_DB"] == {
        "kind": "config",
        "name": "NOTEBOOK_DB",
        "secret": False,
        "database": "sqlite",
    }
    # executescript of open(os.path.join(os.path.dirname(__file__), "tables.sql"))
    scripts = {n: d for n, d in graph.nodes(data=True) if d.get("kind") == "schema_script"}
    assert scripts == {
        "schema_script:notebook/tables.sql": {
            "kind": "schema_script",
            "file": "notebook/tables.sql",
            "source": "notebook.storage.create_tables",
        }
    }
