"""Generating the three architectures: what each unit carries, and the command's safety."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner

from analyzer.analysis import analyze
from analyzer.options import load_options
from analyzer.plan import suggest
from generator.cli import main
from generator.generate import Generation, generate
from generator.generate.codebase import Codebase, read_codebase
from generator.generate.partition import microservices_partition, unit_contents
from tests.conftest import WriteTree

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_monolith"


@pytest.fixture(scope="module")
def sample() -> tuple[Codebase, object, Generation]:
    analysis = analyze(SAMPLE, load_options(SAMPLE))
    codebase = read_codebase(analysis, SAMPLE)
    plan = suggest(analysis).plan
    return codebase, plan, generate(codebase, plan, project="sample_monolith")


def _files(generation: Generation) -> dict[str, str]:
    return {f.path: f.content.decode("utf-8") for f in generation.files if not f.path.endswith((".db",))}


def test_every_generated_python_file_compiles(sample: tuple[Codebase, object, Generation]) -> None:
    files = _files(sample[2])
    python = [path for path in files if path.endswith(".py")]
    assert len(python) > 300
    for path in python:
        compile(files[path], path, "exec")


def test_a_service_carries_no_other_services_functions(sample: tuple[Codebase, object, Generation]) -> None:
    codebase, plan, generation = sample
    partition = microservices_partition(codebase, plan)  # type: ignore[arg-type]
    owner = partition.owner
    files = _files(generation)
    checked = 0
    for unit in partition.units:
        for name, module in codebase.modules.items():
            tree = cst.parse_module(files[f"microservices/{unit.name}/{module.path}"])
            for statement in tree.body:
                if isinstance(statement, cst.FunctionDef):
                    symbol = f"{name}.{statement.name.value}"
                    assert owner.get(symbol) in (unit.name, "shared"), f"{unit.name} carries {symbol}"
                    checked += 1
    assert checked > 200


def test_calls_across_services_go_through_generated_clients(
    sample: tuple[Codebase, object, Generation],
) -> None:
    codebase, plan, generation = sample
    partition = microservices_partition(codebase, plan)  # type: ignore[arg-type]
    files = _files(generation)
    stubs = 0
    for unit in partition.units:
        contents = unit_contents(codebase, partition, unit)
        for stub in contents.stubs:
            if stub.kind != "function":
                continue
            info = codebase.symbols[stub.symbol]
            carved = files[f"microservices/{unit.name}/{codebase.modules[info.module].path}"]
            assert f"from service_clients.{stub.owner.replace('-', '_')} import" in carved
            client = files[f"microservices/{unit.name}/service_clients/{stub.owner.replace('-', '_')}.py"]
            assert f'"{stub.symbol}"' in client
            # and the owner exports it
            assert f'"{stub.symbol}":' in files[f"microservices/{stub.owner}/service_main.py"]
            stubs += 1
    assert stubs > 20


def test_each_service_has_its_own_tables_and_replicas_of_what_it_reads(
    sample: tuple[Codebase, object, Generation],
) -> None:
    codebase, plan, _ = sample
    partition = microservices_partition(codebase, plan)  # type: ignore[arg-type]
    table_of = codebase.model_tables
    for unit in partition.units:
        contents = unit_contents(codebase, partition, unit)
        real = {table_of[m] for m in contents.kept if m in table_of and m not in contents.replicas}
        assert real == set(unit.tables), unit.name
        replicated = {table_of[m] for m in contents.replicas}
        assert replicated == {table for table, _ in contents.replica_tables}
        assert not replicated & set(unit.tables)
    recommendations = partition.unit("recommendations")
    reads = {t for t, _ in unit_contents(codebase, partition, recommendations).replica_tables}
    assert {"titles", "watch_history"} <= reads  # its SQL joins them


def test_no_secret_is_written_into_generated_code(sample: tuple[Codebase, object, Generation]) -> None:
    files = _files(sample[2])
    for path, text in files.items():
        if path.endswith((".py", ".json", ".md", ".txt")):
            assert "dev-secret" not in text and "PAYMENT_GATEWAY_KEY=" not in text, path
    run = json.loads(files["microservices/monosplit-run.json"])
    for unit in run["units"]:
        assert set(unit["env"]) == {"MONOSPLIT_SERVICE", "DATABASE_URL"}


def test_migration_notes_name_what_needed_a_decision(sample: tuple[Codebase, object, Generation]) -> None:
    text = _files(sample[2])["MIGRATION.md"]
    for kind in ("`replica`", "`non-json`", "`foreign-key`", "`relationship`"):
        assert kind in text
    assert "#### recommendations" in text


def test_the_output_is_deterministic(sample: tuple[Codebase, object, Generation]) -> None:
    codebase, plan, generation = sample
    again = generate(codebase, plan, project="sample_monolith")  # type: ignore[arg-type]
    assert [(f.path, f.content) for f in again.files] == [(f.path, f.content) for f in generation.files]


# --------------------------------------------------------------------------- the command


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    code, output = _invoke("suggest", str(SAMPLE), "-o", str(path), "--quiet")
    assert code == 0, output
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: "{not json", "plan.json"),
        (
            lambda d: {**d, "services": [{**d["services"][0], "name": "../escape"}, *d["services"][1:]]},
            "escape",
        ),
        (
            lambda d: {
                **d,
                "services": [
                    {**d["services"][0], "symbols": ["streamshop.nowhere.ghost"]},
                    *d["services"][1:],
                ],
            },
            "streamshop.nowhere.ghost",
        ),
    ],
    ids=["not JSON", "a name that would leave the folder", "an unknown symbol"],
)
def test_a_bad_plan_is_one_clear_line(plan_file: Path, tmp_path: Path, change: object, message: str) -> None:
    document = json.loads(plan_file.read_text())
    changed = change(document)  # type: ignore[operator]
    bad = tmp_path / "plan.json"
    bad.write_text(changed if isinstance(changed, str) else json.dumps(changed))
    code, output = _invoke("generate", str(SAMPLE), "--plan", str(bad), "--out", str(tmp_path / "out"), "-q")
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("monosplit: error:") and message in lines[0], output
    assert not (tmp_path / "out").exists()


def test_regenerating_keeps_the_users_changes(plan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _invoke("generate", str(SAMPLE), "--plan", str(plan_file), "--out", str(out), "-q")
    assert code == 0, output
    edited = out / "microservices" / "catalog" / "README.md"
    edited.write_text("my notes\n")
    mine = out / "microservices" / "catalog" / "NOTES.md"
    mine.write_text("mine\n")
    code, output = _invoke("generate", str(SAMPLE), "--plan", str(plan_file), "--out", str(out), "-q")
    assert code == 0
    assert f"kept your changes to {edited}" in output
    assert edited.read_text() == "my notes\n" and mine.read_text() == "mine\n"
    code, output = _invoke(
        "generate", str(SAMPLE), "--plan", str(plan_file), "--out", str(out), "-q", "--force"
    )
    assert code == 0 and edited.read_text() != "my notes\n" and mine.read_text() == "mine\n"


@pytest.mark.slow
def test_a_generated_service_passes_its_own_tests(plan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _invoke("generate", str(SAMPLE), "--plan", str(plan_file), "--out", str(out), "-q")
    assert code == 0, output
    unit = tmp_path / "catalog"
    shutil.copytree(out / "microservices" / "catalog", unit)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=unit,
        env={**os.environ, "STREAMSHOP_ENV": "development"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


def test_generating_needs_no_flask() -> None:
    """monosplit's own install has no Flask: the runtime copied into units is read as files, not imported."""
    code = (
        "import sys; sys.modules['flask'] = None\n"  # any import of flask now fails
        "from generator.generate.unit import runtime_files\n"
        "names = [name for name, _ in runtime_files()]\n"
        "assert 'client.py' in names and 'flask_server.py' in names, names\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr


def test_data_folders_at_the_project_root_go_with_the_code(write_tree: WriteTree) -> None:
    # Apps read folders beside their package at run time: templates, static files, compiled
    # translations, a logs folder their logging config writes into (kept empty in git).
    root = write_tree(
        {
            "board/__init__.py": "from flask import Flask\napp = Flask(__name__, template_folder='../templates')\n",
            "board/static/app.css": "body {}\n",
            "templates/index.html": "<p>hi</p>\n",
            "translations/de/LC_MESSAGES/messages.mo": "mo\n",
            "logs/.gitkeep": "",
            "docs/index.md": "# docs\n",
            "tests/test_board.py": "def test_x():\n    pass\n",
            "build/lib/board.py": "\n",
            "instance/board.sqlite": "db",
        }
    )
    (root / "cache").mkdir()  # an empty folder the app may expect to exist
    codebase = read_codebase(analyze(root, load_options(root, use_cache=False)), root)
    assert sorted(codebase.data_files) == [
        "board/static/app.css",
        "cache/.gitkeep",
        "logs/.gitkeep",
        "templates/index.html",
        "translations/de/LC_MESSAGES/messages.mo",
    ]
