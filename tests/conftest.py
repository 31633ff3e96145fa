from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer import Analysis, analyze, load_options


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the user's cache."""
    monkeypatch.setenv("MONOSPLIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


WriteTree = Callable[[dict[str, str]], Path]


@pytest.fixture
def write_tree(tmp_path: Path) -> WriteTree:
    """Write ``{relative path: dedented source}`` under a fresh folder; return it."""

    def write(files: dict[str, str]) -> Path:
        root = tmp_path / "project"
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return write


def run_analysis(root: Path, **flags: object) -> Analysis:
    return analyze(root, load_options(root, use_cache=False, jobs=1, **flags))  # type: ignore[arg-type]


def edges_of(analysis: Analysis, kind: str) -> set[tuple[str, str]]:
    return {(u, v) for u, v, k in analysis.graph.edges(keys=True) if k == kind}
