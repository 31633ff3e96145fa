"""``--seed-database``: the units of a split start on the data the monolith wrote, not on empty tables."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.run.seed import SeedError, check_seed, seed_databases, sqlite_files
from generator.run.specs import SHARED_DATA, ReplicaSpec
from tests.generator.live import migrate, running
from tests.generator.run.test_cli_run import architecture as run_manifest

EXTBLOG = Path(__file__).resolve().parents[2] / "apps" / "extblog"


def _spec(data_root: Path, unit: str, **env: str) -> ReplicaSpec:
    return ReplicaSpec(
        unit, 1, 0, ("true",), data_root, tuple(sorted(env.items())), "/readyz", data_root / unit
    )


def _database(path: Path, rows: list[str]) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE users (name TEXT)")
        connection.executemany("INSERT INTO users VALUES (?)", [(row,) for row in rows])
    connection.close()
    return path


def _names(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT name FROM users ORDER BY name")]
    finally:
        connection.close()


def test_the_sqlite_files_a_unit_names_in_its_folders_are_found(tmp_path: Path) -> None:
    data = tmp_path / "data"
    spec = _spec(
        data,
        "users",
        DATABASE_URL=f"sqlite:///{data}/users/users.db",  # a SQLAlchemy URL
        DATABASE=f"{data}/{SHARED_DATA}/app.sqlite",  # a path, as sqlite3.connect takes it
        OTHER=f"sqlite:///{tmp_path}/elsewhere.db",  # outside the run's folders: never written
        CACHE_URL="redis://localhost:6379/0",
        MEMORY="sqlite://",
    )
    assert sqlite_files(spec, data) == (data / SHARED_DATA / "app.sqlite", data / "users" / "users.db")


def test_each_file_begins_as_a_copy_and_existing_data_is_kept(tmp_path: Path) -> None:
    seed = _database(tmp_path / "monolith.db", ["ann", "bob"])
    data = tmp_path / "data"
    (data / "orders").mkdir(parents=True)
    kept = _database(data / "orders" / "orders.db", ["carl"])  # an earlier run's (--data-dir)
    specs = [
        _spec(data, "users", DATABASE_URL=f"sqlite:///{data}/users/users.db"),
        _spec(data, "orders", DATABASE_URL=f"sqlite:///{data}/orders/orders.db"),
    ]
    assert seed_databases(specs, data, seed) == (data / "users" / "users.db",)
    assert _names(data / "users" / "users.db") == ["ann", "bob"]
    assert _names(kept) == ["carl"]


@pytest.mark.parametrize("content", [b"", b"users,ann\n", b"SQLite format 2\x00 and more"])
def test_a_seed_that_is_not_a_sqlite_database_is_one_line(tmp_path: Path, content: bytes) -> None:
    seed = tmp_path / "seed.db"
    seed.write_bytes(content)
    with pytest.raises(SeedError, match=r"^--seed-database .*seed\.db: not a SQLite database$"):
        check_seed(seed)
    with pytest.raises(SeedError, match=r"cannot read it"):
        check_seed(tmp_path / "missing.db")


def test_the_command_line_refuses_a_bad_seed_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_text("not a database", encoding="utf-8")
    (tmp_path / "out").mkdir()
    out = run_manifest(tmp_path / "out")
    for command in (["run", str(out)], ["verify", str(out)]):
        result = CliRunner().invoke(main, [*command, "--seed-database", str(tmp_path / "seed.txt")])
        assert result.exit_code != 0
        lines = [line for line in (result.stderr or result.output).splitlines() if line.strip()]
        assert any("seed.txt: not a SQLite database" in line for line in lines), lines
        assert "Traceback" not in result.output + (result.stderr or "")


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


def _post(url: str, body: dict[str, str]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return int(answer.status)


@pytest.mark.slow
def test_a_split_starts_on_the_data_the_monolith_wrote(tmp_path: Path) -> None:
    out = tmp_path / "extblog"
    migrate(EXTBLOG, out)
    kept = tmp_path / "monolith-data"
    with running(out / "monolith", "--data-dir", str(kept)) as run:
        assert _post(run.base_url + "/users", {"name": "ann", "password": "ann-secret"}) == 201
    (seed,) = sorted((kept / "monolith").glob("*.db"))
    for architecture in ("two-tier", "microservices"):
        with running(out / architecture, "--seed-database", str(seed)) as run:
            assert _get(run.base_url + "/users") == [{"id": 1, "name": "ann"}], architecture
            assert "begins as a copy of" in run.output()
            # the users' owner keeps writing where the seed left off
            assert _post(run.base_url + "/users", {"name": "bob", "password": "bob-secret"}) == 201
            assert _get(run.base_url + "/users") == [{"id": 1, "name": "ann"}, {"id": 2, "name": "bob"}]
