"""Generated units create or migrate their own schema when they start, on real SQLite files.

journal (tests/apps/journal) keeps its schema in Flask-Migrate migrations and
never calls ``create_all``; bookclub creates its tables in its app factory; a
third app, written here, keeps plain Alembic migrations named by ``alembic.ini``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analyzer.analysis import analyze
from analyzer.options import load_options
from analyzer.plan import load_pins, suggest
from analyzer.plan.units import build_unit_graph
from generator.generate import generate
from generator.generate.codebase import read_codebase
from tests.conftest import WriteTree

pytest.importorskip("flask_migrate")
pytest.importorskip("flask_sqlalchemy")

ROOT = Path(__file__).resolve().parents[2]
JOURNAL = ROOT / "tests" / "apps" / "journal"
BOOKCLUB = ROOT / "tests" / "apps" / "bookclub"

#: start a unit's entry point on the database in $DATABASE_UNDER_TEST; print what it holds
_START = textwrap.dedent(
    """
    import json, os, sys
    sys.path.insert(0, os.getcwd())
    os.environ[os.environ["DATABASE_KEY"]] = os.environ["DATABASE_UNDER_TEST"]
    import service_main
    ready = service_main.app.test_client().get("/readyz")
    schema = getattr(service_main, "SCHEMA", None)
    print(json.dumps({
        "ready": ready.status_code,
        "reason": ready.get_json().get("reason"),
        "expected": sorted(schema.tables) if schema is not None else [],
    }))
    """
)


def _generate(app: Path, out: Path) -> Path:
    """The three architectures of ``app`` (its pins honoured), written under ``out``."""
    analysis = analyze(app, load_options(app, use_cache=False, jobs=1))
    plan = suggest(analysis, pins=load_pins(app, analysis, build_unit_graph(analysis.graph))).plan
    generation = generate(read_codebase(analysis, app), plan, project=app.name)
    for generated in generation.files:
        path = out / generated.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(generated.content)
    return out


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(JOURNAL, tmp_path_factory.mktemp("generated") / "journal")


def _start(unit: Path, database: Path, key: str = "JOURNAL_DATABASE_URL") -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", _START],
        cwd=unit,
        env={**os.environ, "DATABASE_KEY": key, "DATABASE_UNDER_TEST": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _schema(database: Path) -> tuple[list[str], list[str]]:
    """The database's tables, and the revisions it is stamped at."""
    with sqlite3.connect(database) as connection:
        tables = sorted(
            row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        )
        revisions = (
            sorted(row[0] for row in connection.execute("SELECT version_num FROM alembic_version"))
            if "alembic_version" in tables
            else []
        )
    return tables, revisions


@pytest.mark.slow
def test_the_monolith_runs_the_apps_migrations(journal: Path, tmp_path: Path) -> None:
    unit = journal / "monolith"
    assert (unit / "migrations" / "versions" / "0002_tags_and_moods.py").is_file()
    started = _start(unit, tmp_path / "monolith.db")
    assert started["ready"] == 200, started
    assert _schema(tmp_path / "monolith.db") == (
        ["alembic_version", "author", "entry", "entry_tag", "tag"],
        ["0002"],
    )
    readme = (unit / "README.md").read_text()
    assert "by running the application's migrations as written, `alembic upgrade heads`" in readme


@pytest.mark.slow
def test_a_split_unit_gets_its_own_tables_and_the_migrations_head(journal: Path, tmp_path: Path) -> None:
    authors, entries = journal / "microservices" / "authors", journal / "microservices" / "entries"
    assert _start(authors, tmp_path / "authors.db")["ready"] == 200
    assert _schema(tmp_path / "authors.db") == (["alembic_version", "author"], ["0002"])
    assert _start(entries, tmp_path / "entries.db")["ready"] == 200
    # the association table comes with the tables it links; the author table is the other unit's
    assert _schema(tmp_path / "entries.db") == (["alembic_version", "entry", "entry_tag", "tag"], ["0002"])
    assert _start(entries, tmp_path / "entries.db")["ready"] == 200  # a restart changes nothing
    assert _schema(tmp_path / "entries.db") == (["alembic_version", "entry", "entry_tag", "tag"], ["0002"])
    readme = (authors / "README.md").read_text()
    assert "then is stamped at the head revision (`alembic stamp heads`)" in readme
    notes = (journal / "MIGRATION.md").read_text()
    assert "were written for the whole schema: on an empty database this unit creates its own tables" in notes


@pytest.mark.slow
def test_revisions_written_in_a_split_unit_after_the_split_are_applied(journal: Path, tmp_path: Path) -> None:
    unit = tmp_path / "authors"
    subprocess.run(["cp", "-r", str(journal / "microservices" / "authors"), str(unit)], check=True)
    database = tmp_path / "authors.db"
    assert _start(unit, database)["ready"] == 200  # stamped at 0002
    (unit / "migrations" / "versions" / "0003_author_bio.py").write_text(
        textwrap.dedent(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "0003"
            down_revision = "0002"


            def upgrade():
                with op.batch_alter_table("author") as batch_op:
                    batch_op.add_column(sa.Column("bio", sa.Text(), nullable=True))
            """
        )
    )
    assert _start(unit, database)["ready"] == 200
    assert _schema(database) == (["alembic_version", "author"], ["0003"])
    with sqlite3.connect(database) as connection:
        assert [row[1] for row in connection.execute("PRAGMA table_info(author)")] == ["id", "name", "bio"]


@pytest.mark.slow
def test_autogenerate_in_a_split_unit_compares_only_its_tables(journal: Path, tmp_path: Path) -> None:
    unit = journal / "microservices" / "entries"
    database = tmp_path / "entries.db"
    assert _start(unit, database)["ready"] == 200
    with sqlite3.connect(database) as connection:  # left over from the monolith's database, say
        connection.execute("CREATE TABLE author (id INTEGER PRIMARY KEY, name VARCHAR(80))")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "service_main", "db", "check"],
        cwd=unit,
        env={**os.environ, "JOURNAL_DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No new upgrade operations detected." in result.stdout + result.stderr


@pytest.mark.slow
def test_a_unit_that_fails_its_schema_says_why_in_readiness(journal: Path, tmp_path: Path) -> None:
    started = _start(journal / "microservices" / "authors", tmp_path / "missing" / "authors.db")
    assert started["ready"] == 503
    # the kind of failure and where to find it in the log; no SQL or path leaves the unit
    reason = str(started["reason"])
    assert reason.startswith("schema: OperationalError (request id "), reason
    assert "missing" not in reason and "sqlite3" not in reason


@pytest.mark.slow
def test_bookclub_units_start_on_an_empty_database_with_exactly_their_tables(tmp_path: Path) -> None:
    out = _generate(BOOKCLUB, tmp_path / "bookclub")
    units = [out / "monolith", *sorted(p.parent for p in (out / "microservices").glob("*/service_main.py"))]
    assert len(units) > 3
    for unit in units:
        database = tmp_path / f"{unit.name}.db"
        started = _start(unit, database, key="BOOKCLUB_DATABASE_URL")
        assert started["ready"] == 200, (unit.name, started)
        assert _schema(database)[0] == started["expected"], unit.name


_PLAIN_ALEMBIC = {
    "pyproject.toml": """
        [tool.monosplit.pins]
        services = { folders = ["notes.folders", "notes.models.Folder"], texts = ["notes.texts", "notes.models.Note"] }
        shared = ["notes.db"]
    """,
    "requirements.txt": "Flask==3.1.3\nSQLAlchemy==2.1.9\nalembic==1.20.1\n",
    "notes/__init__.py": "",
    "notes/db.py": """
        import os
        from sqlalchemy import create_engine
        from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

        engine = create_engine(os.environ.get("NOTES_DATABASE_URL", "sqlite:///notes.db"))
        db_session = scoped_session(sessionmaker(bind=engine))


        class Base(DeclarativeBase):
            pass
    """,
    "notes/models.py": """
        from sqlalchemy import ForeignKey, String
        from sqlalchemy.orm import Mapped, mapped_column
        from notes.db import Base


        class Folder(Base):
            __tablename__ = "folders"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(40))


        class Note(Base):
            __tablename__ = "notes"
            id: Mapped[int] = mapped_column(primary_key=True)
            folder_id: Mapped[int] = mapped_column(ForeignKey("folders.id"))
            text: Mapped[str] = mapped_column(String(200))
    """,
    "notes/folders.py": """
        from flask import Blueprint
        from sqlalchemy import select
        from notes.db import db_session
        from notes.models import Folder

        bp = Blueprint("folders", __name__)


        @bp.get("/folders")
        def list_folders():
            return {"folders": [f.name for f in db_session.scalars(select(Folder))]}
    """,
    "notes/texts.py": """
        from flask import Blueprint
        from sqlalchemy import select
        from notes.db import db_session
        from notes.models import Note

        bp = Blueprint("texts", __name__)


        @bp.get("/notes")
        def list_notes():
            return {"notes": [n.text for n in db_session.scalars(select(Note))]}
    """,
    "notes/app.py": """
        from flask import Flask
        from notes.db import db_session


        def create_app():
            app = Flask(__name__)
            from notes.folders import bp as folders
            from notes.texts import bp as texts
            app.register_blueprint(folders)
            app.register_blueprint(texts)
            app.teardown_appcontext(lambda exc: db_session.remove())
            return app
    """,
    # the URL here is not the unit's: the runtime points Alembic at the unit's own database
    "alembic.ini": """
        [alembic]
        script_location = %(here)s/migrations
        sqlalchemy.url = sqlite:///somewhere-else.db
    """,
    "migrations/env.py": """
        from alembic import context
        from sqlalchemy import engine_from_config, pool
        from notes.db import Base

        config = context.config
        engine = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool)
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=Base.metadata)
            with context.begin_transaction():
                context.run_migrations()
    """,
    "migrations/versions/a1_folders_and_notes.py": """
        import sqlalchemy as sa
        from alembic import op

        revision = "a1"
        down_revision = None


        def upgrade():
            op.create_table("folders", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(40)))
            op.create_table(
                "notes",
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("folder_id", sa.Integer, sa.ForeignKey("folders.id")),
                sa.Column("text", sa.String(200)),
            )
    """,
}


@pytest.mark.slow
def test_plain_alembic_migrations_named_by_alembic_ini(write_tree: WriteTree, tmp_path: Path) -> None:
    out = _generate(write_tree(_PLAIN_ALEMBIC), tmp_path / "out")
    for unit, tables in [
        ("monolith", ["alembic_version", "folders", "notes"]),
        ("microservices/folders", ["alembic_version", "folders"]),
        ("microservices/texts", ["alembic_version", "notes"]),
    ]:
        assert (out / unit / "alembic.ini").is_file() and (out / unit / "migrations" / "env.py").is_file()
        database = tmp_path / f"{unit.replace('/', '-')}.db"
        started = _start(out / unit, database, key="NOTES_DATABASE_URL")
        assert started["ready"] == 200, (unit, started)
        assert _schema(database) == (tables, ["a1"]), unit
        assert not (out / unit / "somewhere-else.db").exists()
