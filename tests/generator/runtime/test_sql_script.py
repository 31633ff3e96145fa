"""The runtime creates an app's tables from its own SQL script: what is missing, never dropping what is there."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from generator.runtime.sql_script import ScriptSchema, prepare_script

NOTEBOOK = Path(__file__).resolve().parents[2] / "apps" / "notebook"


def test_a_script_schema_creates_what_is_missing_and_never_drops_a_table(tmp_path: Path) -> None:
    # the script drops and creates every table, as the app's own setup command runs it
    (tmp_path / "tables.sql").write_text((NOTEBOOK / "notebook" / "tables.sql").read_text())
    database = tmp_path / "data" / "app.db"
    schema = ScriptSchema(("tables.sql",), root=tmp_path)

    assert prepare_script(schema, str(database)) == "ran tables.sql"
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO writer (name) VALUES ('ann')")
    assert prepare_script(schema, str(database)) == "tables.sql: every table is there"
    with sqlite3.connect(database) as connection:
        connection.execute("DROP INDEX note_by_writer")
        connection.execute("DROP TABLE note")
    assert prepare_script(schema, str(database)) == "tables.sql: created note, note_by_writer"
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT name FROM writer").fetchall() == [("ann",)]
        assert {row[0] for row in connection.execute("SELECT name FROM sqlite_master")} >= {
            "writer",
            "note",
            "note_by_writer",
        }


def test_the_file_comes_from_the_apps_setting_else_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flask import Flask

    schema = ScriptSchema(("tables.sql",), root=tmp_path, database_config="APP_DB", database_env="APP_DB")
    app = Flask(__name__)
    monkeypatch.setenv("APP_DB", str(tmp_path / "from-env.db"))
    with app.app_context():
        assert schema.database() == str(tmp_path / "from-env.db")
        app.config["APP_DB"] = str(tmp_path / "from-config.db")
        assert schema.database() == str(tmp_path / "from-config.db")
