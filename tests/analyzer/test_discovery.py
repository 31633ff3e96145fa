"""Module names follow Python's import rules; exclusions are configurable."""

from __future__ import annotations

from pathlib import Path

from analyzer.discovery import discover
from analyzer.options import load_options
from tests.conftest import WriteTree, run_analysis


def _modules(root: Path, **flags: object) -> set[str]:
    return {f.module for f in discover(root, load_options(root, **flags)).files}  # type: ignore[arg-type]


def test_package_path_keeps_its_name_and_parents(write_tree: WriteTree) -> None:
    root = write_tree({"shop/__init__.py": "", "shop/models/__init__.py": "", "shop/models/order.py": ""})
    assert _modules(root / "shop") == {"shop", "shop.models", "shop.models.order"}
    assert _modules(root / "shop" / "models") == {"shop.models", "shop.models.order"}


def test_plain_folder_is_a_source_root_with_src_layout(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "main.py": "",
            "utils/helpers.py": "",  # namespace package
            "src/lib/__init__.py": "",
            "src/lib/core.py": "",
        }
    )
    assert _modules(root) == {"main", "utils.helpers", "lib", "lib.core"}


def test_tests_migrations_and_tooling_are_skipped_by_default(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "app/__init__.py": "",
            "app/test_views.py": "",
            "app/conftest.py": "",
            "tests/test_app.py": "",
            "app/migrations/__init__.py": "",
            "app/migrations/0001_initial.py": "",
            "db/migrations/__init__.py": "",  # a framework package merely named so
            "db/migrations/executor.py": "",
            ".venv/lib/x.py": "",
            "env/pyvenv.cfg": "",
            "env/lib/y.py": "",
            "build/gen.py": "",
            "node_modules/z.py": "",
        }
    )
    assert _modules(root) == {"app", "db.migrations", "db.migrations.executor"}
    with_tests = _modules(root, include_tests=True, include_migrations=True)
    assert {"app.test_views", "tests.test_app", "app.migrations.0001_initial"} <= with_tests


def test_exclude_globs_from_flags_and_pyproject(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "pyproject.toml": '[tool.monosplit]\nexclude = ["scripts/*"]\n',
            "app.py": "",
            "scripts/one.py": "",
            "vendor/lib.py": "",
        }
    )
    assert _modules(root) == {"app", "vendor.lib"}
    assert _modules(root, exclude=("vendor",)) == {"app"}


def test_newer_syntax_parses_on_any_interpreter(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "modern.py": """
                type Pair[T] = tuple[T, T]

                class Box[T]:
                    def get[U](self, default: U) -> T | U:
                        return helper(default)

                def helper(x):
                    return x

                def first(items):
                    match items:
                        case [head, *_]:
                            return helper(head)
                    return f"{'nested' + f'{items!r}'}"
            """,
        }
    )
    analysis = run_analysis(root)
    assert analysis.problems == ()
    assert ("modern.Box.get", "modern.helper") in {
        (u, v) for u, v, k in analysis.graph.edges(keys=True) if k == "call"
    }
    box = analysis.graph.nodes["modern.Box"]
    assert (box["line"], box["end_line"]) == (3, 5)
