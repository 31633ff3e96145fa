"""Find the Python files under a path and the module name each one has.

Module names follow Python's import rules:

* a path that is a package (has ``__init__.py``) keeps its own dotted name:
  we walk up while the parent is a package too, so ``django/db`` gives
  ``django.db.models``;
* any other folder is a source root: its files and packages are top-level;
  a ``src/`` folder inside it is a second source root (the src layout);
* folders without ``__init__.py`` are namespace packages (PEP 420).
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError
from analyzer.options import AnalysisOptions
from analyzer.problems import Problem

#: Folders never analysed: tooling, caches, environments, build output.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "node_modules",
        ".eggs",
        "site-packages",
        "__pypackages__",
        ".ipynb_checkpoints",
    }
)
#: Skipped unless they are packages (a real ``build`` package is analysed).
BUILD_DIRS = frozenset({"build", "dist"})
TEST_DIRS = frozenset({"tests"})
MIGRATION_DIRS = frozenset({"migrations"})


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path
    rel: str  # posix, relative to the analysed root
    module: str
    is_package: bool


@dataclass(frozen=True, slots=True)
class Discovery:
    root: Path
    files: tuple[SourceFile, ...]
    problems: tuple[Problem, ...]
    excluded: int


def is_test_file(name: str) -> bool:
    return (
        (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
        or name in ("conftest.py", "tests.py")
    )


def _excluded(rel: str, name: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatchcase(rel, pattern) or ("/" not in pattern and fnmatch.fnmatchcase(name, pattern)):
            return True
    return False


_MIGRATION_FILE = re.compile(r"^\d{4}_\w*\.py$")


def _holds_migrations(path: Path) -> bool:
    """A Django or Alembic migrations folder, not a package merely named so.

    ``django/db/migrations`` is the migration framework itself; an app's
    ``migrations`` holds ``0001_initial.py`` and the like; Alembic keeps its
    scripts in ``versions/``.
    """
    try:
        names = os.listdir(path)
    except OSError:
        return False
    return "versions" in names or any(_MIGRATION_FILE.match(n) for n in names)


def _package_top(path: Path) -> Path:
    top = path
    while (top.parent / "__init__.py").is_file() and top.parent != top:
        top = top.parent
    return top


def discover(root: Path, options: AnalysisOptions) -> Discovery:
    """Walk ``root``. Raises :class:`InputError` when there is nothing to analyse."""
    if not root.exists() and not root.is_symlink():
        raise InputError(f"{root}: no such file or directory")
    root = root.absolute()
    problems: list[Problem] = []
    files: list[SourceFile] = []
    excluded = 0

    if root.is_file():
        if root.suffix != ".py":
            raise InputError(f"{root}: not a Python file")
        base = _package_top(root.parent).parent if (root.parent / "__init__.py").is_file() else root.parent
        module = ".".join(root.relative_to(base).with_suffix("").parts)
        is_package = root.name == "__init__.py"
        if is_package:
            module = module.rpartition(".")[0]
        return Discovery(root, (SourceFile(root, root.name, module, is_package),), (), 0)
    if not root.is_dir():
        raise InputError(f"{root}: not a file or directory")

    if (root / "__init__.py").is_file():
        source_roots = [_package_top(root).parent]
    else:
        source_roots = [root]
        src = root / "src"
        if src.is_dir() and not (src / "__init__.py").exists():
            source_roots.insert(0, src)

    seen_real: set[str] = set()
    seen_modules: dict[str, str] = {}
    # Strings, not pathlib: a big tree has thousands of folders (locales,
    # static files) and pathlib's parsing cost more than the walk itself.
    bases = [str(base) + os.sep for base in source_roots]
    root_prefix = str(root) + os.sep

    def module_for(path: str) -> tuple[str, bool] | None:
        for base in bases:
            if not path.startswith(base):
                continue
            parts = path[len(base) : -len(".py")].split(os.sep)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            if not parts:
                return None
            return ".".join(parts), is_package
        return None

    def walk(directory: str, real: str, ancestors: frozenset[str]) -> None:
        nonlocal excluded
        rel_dir = directory[len(root_prefix) :] if directory.startswith(root_prefix) else ""
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(rel_dir or ".", 0, f"cannot list folder: {exc.strerror or exc}"))
            return
        # A virtualenv below the root is skipped; checked on the listing, not with a stat per folder.
        if rel_dir and any(entry.name == "pyvenv.cfg" for entry in entries):
            return
        for entry in entries:
            name = entry.name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir:
                path = entry.path
                if name in SKIPPED_DIRS or name.endswith(".egg-info"):
                    continue
                if name in BUILD_DIRS and not os.path.isfile(os.path.join(path, "__init__.py")):
                    continue
                if not options.include_tests and name in TEST_DIRS:
                    excluded += 1
                    continue
                if (
                    not options.include_migrations
                    and name in MIGRATION_DIRS
                    and _holds_migrations(Path(path))
                ):
                    excluded += 1
                    continue
                if _excluded(rel, name, options.exclude):
                    excluded += 1
                    continue
                if entry.is_symlink():
                    try:
                        sub_real = os.path.realpath(path, strict=True)
                    except (OSError, RuntimeError):
                        problems.append(Problem(rel, 0, "symlink loop; folder skipped"))
                        continue
                    if sub_real in ancestors:
                        problems.append(Problem(rel, 0, "symlink loop; folder skipped"))
                        continue
                else:
                    sub_real = os.path.join(real, name)
                if sub_real in seen_real:
                    continue  # reached twice through links: analyse once
                seen_real.add(sub_real)
                walk(path, sub_real, ancestors | {sub_real})
                continue
            if not name.endswith(".py"):
                continue
            if not options.include_tests and is_test_file(name):
                excluded += 1
                continue
            if _excluded(rel, name, options.exclude):
                excluded += 1
                continue
            found = module_for(entry.path)
            if found is None:
                continue
            module, is_package = found
            if module in seen_modules:
                problems.append(
                    Problem(rel, 0, f"module {module} is also defined by {seen_modules[module]}; skipped")
                )
                continue
            seen_modules[module] = rel
            files.append(SourceFile(Path(entry.path), rel, module, is_package))

    real_root = os.path.realpath(root)
    seen_real.add(real_root)
    walk(str(root), real_root, frozenset({real_root}))
    if not files:
        detail = f" ({excluded} excluded by the test/migration/exclude rules)" if excluded else ""
        raise InputError(f"{root}: no Python files to analyse{detail}")
    files.sort(key=lambda f: f.module)
    return Discovery(root, tuple(files), tuple(sorted(problems)), excluded)


def read_source(source: SourceFile, max_bytes: int, info: os.stat_result | None = None) -> bytes | Problem:
    """The file's bytes, or the problem that keeps it from being read.

    ``info`` is the file's stat when the caller has just taken it (not taken twice).
    """
    if info is None:
        try:
            info = os.stat(source.path)
        except FileNotFoundError:
            return Problem(source.rel, 0, "cannot read: broken symlink or file vanished")
        except OSError as exc:
            return Problem(source.rel, 0, f"cannot read: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        return Problem(source.rel, 0, "not a regular file; skipped")
    if info.st_size > max_bytes:
        return Problem(
            source.rel,
            0,
            f"file is {info.st_size / 1_048_576:.1f} MiB, over the {max_bytes / 1_048_576:.1f} MiB limit; skipped",
        )
    try:
        with open(source.path, "rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as exc:
        return Problem(source.rel, 0, f"cannot read: {exc.strerror or exc}")
