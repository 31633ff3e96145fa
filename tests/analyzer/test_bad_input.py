"""Bad input: each problem is reported with file, line and reason, and analysis goes on."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import WriteTree, run_analysis


def _problems(root: Path) -> dict[str, tuple[int, str]]:
    analysis = run_analysis(root)
    return {p.file: (p.line, p.reason) for p in analysis.problems}


def test_each_bad_file_is_one_problem_and_the_rest_is_analysed(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "good.py": "def ok():\n    return 1\n",
            "broken.py": "def f(:\n    pass\n",
            "legacy.py": 'print "hello"\n',
        }
    )
    (root / "latin.py").write_bytes(b"# -*- coding: utf-8 -*-\nname = '\xe9\xff'\n")
    (root / "nul.py").write_bytes(b"x = 1\x00\n")
    (root / "huge.py").write_bytes(b"x = 1\n" * 1_100_000)
    (root / "dangling.py").symlink_to(root / "missing.py")
    os.mkfifo(root / "fifo.py")
    (root / "loop").mkdir()
    (root / "loop" / "again").symlink_to(root / "loop")

    analysis = run_analysis(root)
    problems = {p.file: (p.line, p.reason) for p in analysis.problems}
    assert problems["broken.py"][0] == 1 and "syntax error" in problems["broken.py"][1]
    assert problems["legacy.py"][0] == 1 and "syntax error" in problems["legacy.py"][1]
    assert "decode" in problems["latin.py"][1]
    assert "NUL" in problems["nul.py"][1]
    assert "limit" in problems["huge.py"][1]
    assert "broken symlink" in problems["dangling.py"][1]
    assert "regular file" in problems["fifo.py"][1]
    assert "symlink loop" in problems["loop/again"][1]
    assert "good.ok" in analysis.graph


def _analyse_as_nobody(root: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    try:
        os.setgid(65534)
        os.setuid(65534)
        queue.put([(p.file, p.reason) for p in run_analysis(Path(root)).problems])
    except BaseException as exc:  # noqa: BLE001 - report, so the parent never waits in vain
        queue.put([("error", repr(exc))])


def test_unreadable_file_is_reported() -> None:
    # a folder every user can enter, since the check may run as nobody
    root = Path(tempfile.mkdtemp(prefix="monosplit-unreadable-", dir="/tmp"))
    try:
        root.chmod(0o755)
        (root / "fine.py").write_text("x = 1\n")
        (root / "secret.py").write_text("y = 2\n")
        (root / "fine.py").chmod(0o644)
        (root / "secret.py").chmod(0)
        if os.geteuid() == 0:
            # root reads everything: drop to nobody in a forked child to see the error
            ctx = multiprocessing.get_context("fork")
            queue = ctx.Queue()
            child = ctx.Process(target=_analyse_as_nobody, args=(str(root), queue))
            child.start()
            problems = queue.get(timeout=60)
            child.join()
        else:
            problems = [(p.file, p.reason) for p in run_analysis(root).problems]
        assert ("secret.py", "cannot read: Permission denied") in problems
    finally:
        shutil.rmtree(root)


@pytest.mark.parametrize(
    ("files", "arg", "message"),
    [
        ({}, "does-not-exist", "no such file or directory"),
        ({"README.md": "hi"}, ".", "no Python files to analyse"),
        ({"notes.txt": "hi"}, "notes.txt", "not a Python file"),
    ],
)
def test_unusable_path_is_one_clear_line(
    write_tree: WriteTree, files: dict[str, str], arg: str, message: str
) -> None:
    root = write_tree({"placeholder/.keep": "", **files})
    result = CliRunner().invoke(main, ["analyze", str(root / arg)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert message in result.output and "Traceback" not in result.output


def test_strict_turns_problems_into_exit_code(write_tree: WriteTree) -> None:
    root = write_tree({"ok.py": "x = 1\n", "bad.py": "def (\n"})
    relaxed = CliRunner().invoke(main, ["analyze", str(root), "--no-cache"])
    assert relaxed.exit_code == 0
    assert "problem: bad.py:1: syntax error" in relaxed.output
    strict = CliRunner().invoke(main, ["analyze", str(root), "--no-cache", "--strict"])
    assert strict.exit_code == 1


def test_bad_project_settings_are_one_clear_line(write_tree: WriteTree) -> None:
    root = write_tree({"pyproject.toml": "[tool.monosplit]\nexclude = 3\n", "a.py": ""})
    result = CliRunner().invoke(main, ["analyze", str(root)])
    assert result.exit_code == 2
    assert "exclude must be a list" in result.output
