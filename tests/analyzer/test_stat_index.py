"""The stat index: a warm run trusts unchanged stats instead of reading every file, and never wrongly.

Files here are dated an hour back, as in a real checkout: the index does not
trust a file modified within two seconds of the run that recorded it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import analyzer.analysis
from analyzer import Analysis, analyze, load_options
from analyzer.cache import FactCache, StatIndex
from tests.conftest import WriteTree, edges_of, run_analysis

APP = {
    "app/__init__.py": "",
    "app/calls.py": """
        def caller():
            return aaa()

        def aaa():
            return 1

        def bbb():
            return 2
    """,
    "app/other.py": """
        from app.calls import caller

        def main():
            return caller()
    """,
}


def _age(root: Path, seconds: float = 3600) -> None:
    past = time.time() - seconds
    for path in root.rglob("*.py"):
        os.utime(path, (past, past))


def _cached(root: Path, cache: Path) -> Analysis:
    return analyze(root, load_options(root, cache_dir=cache, jobs=1))


def _settle(root: Path, cache: Path) -> None:
    FactCache(cache, root).wait_for_writer()  # the run's cache is written by a child after it returns


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the analysis reads, recorded on the way to the real read_source."""
    seen: list[str] = []
    real = analyzer.analysis.read_source

    def recording(source, max_bytes, info=None):  # type: ignore[no-untyped-def]
        seen.append(source.rel)
        return real(source, max_bytes, info)

    monkeypatch.setattr(analyzer.analysis, "read_source", recording)
    return seen


def test_an_unchanged_tree_is_answered_without_reading_a_file(
    write_tree: WriteTree, tmp_path: Path, reads: list[str]
) -> None:
    root = write_tree(APP)
    _age(root)
    first = _cached(root, tmp_path / "cache")
    _settle(root, tmp_path / "cache")
    assert len(reads) == 3
    reads.clear()
    again = _cached(root, tmp_path / "cache")
    assert again.from_cache
    assert reads == []
    assert again.graph_data == first.graph_data


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(write_tree: WriteTree, tmp_path: Path) -> None:
    root = write_tree(APP)
    _age(root)
    _cached(root, tmp_path / "cache")
    _settle(root, tmp_path / "cache")
    path = root / "app" / "calls.py"
    info = path.stat()
    path.write_text(path.read_text().replace("return aaa()", "return bbb()"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # same size, same mtime: only ctime moved
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (info.st_size, info.st_mtime_ns)
    edited = _cached(root, tmp_path / "cache")
    assert ("app.calls.caller", "app.calls.bbb") in edges_of(edited, "call")
    assert ("app.calls.caller", "app.calls.aaa") not in edges_of(edited, "call")
    assert edited.graph_data == run_analysis(root).graph_data


def test_a_wrong_index_entry_falls_back_to_reading_every_file(write_tree: WriteTree, tmp_path: Path) -> None:
    root = write_tree(APP)
    _age(root)
    cache_dir = tmp_path / "cache"
    _cached(root, cache_dir)
    _settle(root, cache_dir)
    cache = FactCache(cache_dir, root)
    index = cache.load_stat_index()
    assert index.entries, "the first run records every file"
    # An index that vouches for bytes the file does not hold (which a real
    # edit cannot produce, as the change time moves): the run must notice.
    where = next(w for w in index.entries if w[0].endswith("calls.py"))
    size, mtime, ctime, inode, _ = index.entries[where]
    forged = StatIndex(
        index.facts_version, index.taken_ns, {**index.entries, where: (size, mtime, ctime, inode, "0" * 40)}
    )
    cache.save_stat_index(forged)
    answer = _cached(root, cache_dir)
    assert answer.graph_data == run_analysis(root).graph_data


def test_a_file_edited_just_before_a_run_is_trusted_once_a_later_run_vouches_for_it(
    write_tree: WriteTree, tmp_path: Path, reads: list[str]
) -> None:
    root = write_tree(APP)
    _age(root)
    cache = tmp_path / "cache"
    _cached(root, cache)
    _settle(root, cache)
    path = root / "app" / "calls.py"
    path.write_text(path.read_text() + "\n# edited\n")
    _cached(root, cache)  # records the edit within its racy window: not to be trusted yet
    _settle(root, cache)
    time.sleep(2.1)  # the racy window passes; the file's stat does not change
    reads.clear()
    _cached(root, cache)
    _settle(root, cache)
    assert reads == ["app/calls.py"]  # read once more, and recorded again, now well after the edit
    reads.clear()
    assert _cached(root, cache).from_cache
    assert reads == []
