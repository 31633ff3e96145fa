"""No input makes monosplit crash or hang: each bad file is one ``problem:`` line.

Real processes: ``monosplit analyze`` and ``migrate`` run as commands on trees
holding a nesting bomb (deeper than Python allows), a file that crashes
libcst's native parser (a deep unary chain overflows its stack: the worker
dies of SIGSEGV), a file it would parse for minutes, and the CPython test
suite of the running interpreter (bad encodings, bad syntax, odd files).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

MONOSPLIT = [sys.executable, "-m", "generator.cli"]
#: seconds each file may take, for the slow file (the default is a minute)
FILE_TIMEOUT = "4"


def _hostile_tree(root: Path) -> Path:
    package = root / "app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "good.py").write_text("def ok():\n    return helper()\n\n\ndef helper():\n    return 1\n")
    (package / "bomb.py").write_text("x = " + "(" * 2000 + "1" + ")" * 2000 + "\n")
    (package / "bomb100k.py").write_text("x = " + "(" * 100_000 + "\n")
    (package / "brackets.py").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    (package / "crash.py").write_text("x = " + "-" * 100_000 + "1\n")  # kills libcst's parser
    (package / "slow.py").write_text("x = a" + ".b" * 100_000 + "\n")  # parses for minutes
    for i in range(20):  # enough files for the parallel path
        (package / f"m{i}.py").write_text(f"def f{i}():\n    return {i}\n")
    return root


def _run(args: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MONOSPLIT_FILE_TIMEOUT": FILE_TIMEOUT, "MONOSPLIT_CACHE_DIR": ""}
    return subprocess.run(
        [*MONOSPLIT, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def _problems(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        if line.startswith("problem: "):
            where, _, reason = line[len("problem: ") :].partition(": ")
            found[where.split(":")[0]] = reason
    return found


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_analyze_reports_each_bad_file_and_goes_on(tmp_path: Path, jobs: str) -> None:
    tree = _hostile_tree(tmp_path / "src")
    result = _run(["analyze", str(tree), "--no-cache", "--jobs", jobs], timeout=120)
    assert result.returncode == 0, result.stderr
    problems = _problems(result.stdout + result.stderr)
    assert set(problems) == {
        "app/bomb.py",
        "app/bomb100k.py",
        "app/brackets.py",
        "app/crash.py",
        "app/slow.py",
    }, result.stdout
    for nested in ("app/bomb.py", "app/bomb100k.py", "app/brackets.py"):
        assert problems[nested] == "too many nested parentheses (more than 200 levels)"
    assert problems["app/crash.py"] == "not analysed: the parser crashed on this file (killed by SIGSEGV)"
    assert problems["app/slow.py"] == f"not analysed: parsing took longer than {FILE_TIMEOUT} s"
    assert "Traceback" not in result.stdout + result.stderr
    assert "27 files" in result.stdout  # the rest is analysed


def test_migrate_goes_on_past_the_bad_files(tmp_path: Path) -> None:
    tree = _hostile_tree(tmp_path / "src")
    out = tmp_path / "out"
    result = _run(["migrate", str(tree), "--out", str(out), "--no-verify", "--no-cache"], timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stdout + result.stderr
    assert {"app/bomb.py", "app/crash.py", "app/slow.py"} <= set(_problems(result.stdout + result.stderr))
    assert (out / "monolith" / "app" / "good.py").is_file()
    assert not list(out.rglob("*.tmp"))  # no temporary file left behind


def test_the_cpython_test_suite_is_analysed_without_a_crash(tmp_path: Path) -> None:
    suite = Path(sysconfig.get_paths()["stdlib"]) / "test"
    if not (suite / "test_grammar.py").is_file():
        pytest.skip(f"this interpreter has no test suite at {suite}")
    result = _run(["analyze", str(suite), "--no-cache", "--include-tests"], timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stdout + result.stderr
    problems = _problems(result.stdout + result.stderr)
    # its deliberately broken files are problems, not crashes
    bad = [p for p in problems if "badsyntax" in p or "bad_coding" in p]
    assert len(bad) >= 3, result.stdout[-3000:]
    assert not [p for p, reason in problems.items() if "crashed" in reason or "analyzer error" in reason]


# -- the command line's paths ---------------------------------------------------------------------------


def _app(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "core.py").write_text("def ok():\n    return 1\n")
    return root


@pytest.mark.parametrize("command", ["migrate", "generate"])
def test_an_out_folder_inside_the_analysed_tree_is_refused(tmp_path: Path, command: str) -> None:
    src = _app(tmp_path / "src")
    extra = ["--plan", str(tmp_path / "plan.json")] if command == "generate" else ["--no-verify"]
    for out in (src, src / "generated"):
        result = CliRunner().invoke(main, [command, str(src), "--out", str(out), *extra])
        assert result.exit_code == 2
        assert result.output.splitlines() == [
            f"monosplit: error: --out {out} is inside the analysed folder {src}: the next run would "
            "analyse the generated files too; choose a folder outside it"
        ]
    assert not (src / "generated").exists()


def test_an_out_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    src = _app(tmp_path / "src")
    taken = tmp_path / "taken"
    taken.write_text("mine")
    for out, reason in ((taken, "exists and is not a folder"), (taken / "x", f"{taken} is not a folder")):
        result = CliRunner().invoke(main, ["migrate", str(src), "--out", str(out), "--no-verify"])
        assert (result.exit_code, result.output) == (2, f"monosplit: error: --out {out}: {reason}\n")


def test_force_names_each_file_it_overwrites(tmp_path: Path) -> None:
    src = _app(tmp_path / "src")
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(main, ["migrate", str(src), "--out", str(out), "--no-verify", "-q"])
    assert first.exit_code == 0, first.output
    edited = out / "monolith" / "app" / "core.py"
    edited.write_text("# my edit\n")
    kept = runner.invoke(main, ["migrate", str(src), "--out", str(out), "--no-verify", "-q"])
    assert f"kept your changes to {edited} (use --force to overwrite)" in kept.output
    forced = runner.invoke(main, ["migrate", str(src), "--out", str(out), "--no-verify", "-q", "--force"])
    assert forced.exit_code == 0, forced.output
    assert [line for line in forced.output.splitlines() if "overwrote" in line] == [
        f"overwrote your changes to {edited} (--force)"
    ]
    assert edited.read_text() == "def ok():\n    return 1\n"
