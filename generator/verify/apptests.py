"""The application's own test suite (``--app-tests DIR``), and what each generated unit has of the code.

Reads files: the suite's Python files (what each imports), the pytest
configuration beside it, and, per unit, its modules and the symbols the
architecture's ``monosplit-units.json`` gives it. Which test files a unit runs
is decided from these by :mod:`generator.verify.selection`.

Where the suite goes in a unit follows Python's import rules: a folder with an
``__init__.py`` is a package, placed as the package path its parents'
``__init__.py`` files give it (``tests``, or ``app/tests`` inside the app's
package); the folder they sit in (the project's root, usually) is the import
root, and pytest's configuration there (``pytest.ini``, ``pyproject.toml``,
``tox.ini``, ``setup.cfg``, a root ``conftest.py``) goes with the suite.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from analyzer.errors import MonosplitError
from generator.run.manifest import RunManifest, Unit
from generator.run.routing import Reason, Router
from generator.verify.selection import (
    CONFTEST,
    GENERATED_PACKAGES,
    ModuleBindings,
    Suite,
    SuiteModule,
    UnitContents,
    bindings_of,
    imports_of,
    module_name,
    requests_of,
)

UNITS_MANIFEST = "monosplit-units.json"  # generator.generate.UNITS_MANIFEST (not imported: libcst)
#: pytest reads its configuration from these, in this order, in the rootdir
CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "k8s"})
_LARGEST_SOURCE = 5 * 1024 * 1024


class AppTestsError(MonosplitError):
    """The folder given as the application's test suite holds no tests."""


@dataclass(frozen=True, slots=True)
class AppTests:
    """The application's test suite: where it is, where it goes in a unit, and what its files import."""

    root: Path  # the folder given
    location: str  # where it goes in a unit, POSIX: "tests", "conduit/tests"
    suite: Suite
    #: pytest's configuration beside the import root, and a conftest.py there: (name, bytes)
    config_files: tuple[tuple[str, bytes], ...] = ()

    @property
    def name(self) -> str:
        return self.location


def load_app_tests(path: Path) -> AppTests:
    """Read the suite in ``path``; raise :class:`AppTestsError` when it is not a folder of tests."""
    if not path.is_dir():
        raise AppTestsError(f"--app-tests {path}: no such folder")
    root = path.resolve()
    package_parts = _package_parts(root)
    import_root = root.parents[len(package_parts) - 1] if package_parts else root.parent
    package = ".".join(package_parts)
    modules = []
    for file in _python_files(root):
        relative = file.relative_to(root).as_posix()
        source = _read(file)
        if source is None:
            continue
        name = module_name(relative, package)
        requests, endpoints = requests_of(source)
        imports = imports_of(source, name, is_package=file.name == "__init__.py")
        modules.append(SuiteModule(relative, name, imports, requests, endpoints))
    suite = Suite(package, tuple(modules), outer=_outer_conftest(import_root, root))
    if not suite.test_files:
        raise AppTestsError(f"--app-tests {path}: no test files in it (pytest's test_*.py or *_test.py)")
    location = "/".join(package_parts) if package_parts else root.name
    config = tuple(
        (name, data)
        for name in (*CONFIG_FILES, CONFTEST)
        if import_root != root and (data := _read_bytes(import_root / name)) is not None
    )
    return AppTests(root, location, suite, config)


def _package_parts(folder: Path) -> list[str]:
    """The package path of ``folder``: its name and its parents' while each has an ``__init__.py``."""
    parts: list[str] = []
    current = folder
    while (current / "__init__.py").is_file() and current.parent != current:
        parts.insert(0, current.name)
        current = current.parent
    return parts


def _outer_conftest(import_root: Path, root: Path) -> tuple[SuiteModule, ...]:
    if import_root == root:
        return ()
    source = _read(import_root / CONFTEST)
    if source is None:
        return ()
    requests, endpoints = requests_of(source)
    imports = imports_of(source, "conftest", is_package=False)
    return (SuiteModule(f"../{CONFTEST}", "conftest", imports, requests, endpoints),)


def _python_files(folder: Path) -> list[Path]:
    """The ``.py`` files under ``folder``; folders that vanish or cannot be read while walking are skipped."""
    found: list[Path] = []
    for directory, subdirectories, files in os.walk(folder):  # os.walk ignores unreadable folders
        subdirectories[:] = sorted(
            d for d in subdirectories if d not in _SKIPPED_DIRS and not d.startswith(".")
        )
        found.extend(Path(directory) / name for name in files if name.endswith(".py"))
    return sorted(found)


def _read(path: Path) -> str | None:
    data = _read_bytes(path)
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _read_bytes(path: Path) -> bytes | None:
    try:
        if not path.is_file() or path.stat().st_size > _LARGEST_SOURCE:
            return None
        return path.read_bytes()
    except OSError:
        return None


# --- what a unit has -----------------------------------------------------------------------------


def unit_modules(unit_dir: Path) -> dict[str, tuple[Path, bool]]:
    """Every module in a unit folder: dotted name -> (file, is a package). Folders count as packages."""
    found: dict[str, tuple[Path, bool]] = {}
    for file in _python_files(unit_dir):
        parts = list(file.relative_to(unit_dir).with_suffix("").parts)
        if parts[0] == "tests":
            continue  # the unit's generated API tests, not the application's code
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        if not parts:
            continue
        found[".".join(parts)] = (file, is_package)
        for end in range(1, len(parts)):  # the packages it sits in (a namespace package has no file)
            prefix = parts[:end]
            found.setdefault(".".join(prefix), (unit_dir.joinpath(*prefix, "__init__.py"), True))
    return found


def application_names(manifest: RunManifest) -> frozenset[str]:
    """The application's top-level names: those the monolith's unit has, without the generator's own."""
    names: set[str] = set()
    for unit in manifest.units:
        names.update(name.split(".", 1)[0] for name in unit_modules(manifest.root / unit.directory))
    return frozenset(names - GENERATED_PACKAGES)


def unit_contents(manifest: RunManifest, unit: Unit, application: frozenset[str]) -> UnitContents:
    """What ``unit`` of ``manifest`` has: its modules, and the symbols its units manifest gives it and others."""
    modules = unit_modules(manifest.root / unit.directory)
    kept, foreign = _symbols(manifest.root / UNITS_MANIFEST, unit.name)
    router = Router.build(manifest.public_routes, default_unit=manifest.default_unit)

    def serves(method: str, path: str) -> bool | None:
        choice = router.choose(method, path)
        return None if choice.reason is Reason.DEFAULT else choice.unit == unit.name

    cache: dict[str, ModuleBindings | None] = {}

    def bindings(module: str) -> ModuleBindings | None:
        if module not in cache:
            file, is_package = modules[module]
            source = _read(file)
            cache[module] = None if source is None else bindings_of(source, module, is_package=is_package)
        return cache[module]

    return UnitContents(
        frozenset(modules),
        kept,
        foreign,
        bindings,
        application,
        serves=serves,
        functions=frozenset(symbol.rpartition(".")[2] for symbol in kept),
        all_functions=frozenset(symbol.rpartition(".")[2] for symbol in kept | foreign),
    )


def _symbols(path: Path, unit: str) -> tuple[frozenset[str], frozenset[str]]:
    """The symbols ``unit`` keeps (its own, shared, copied) and those only other units own."""
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return frozenset(), frozenset()  # without it, what a module binds is all there is to go by
    if not isinstance(document, dict) or not isinstance(document.get("units"), list):
        return frozenset(), frozenset()
    shared = _strings(document.get("shared"))
    kept: set[str] = set(shared)
    others: set[str] = set()
    for entry in document["units"]:
        if not isinstance(entry, dict):
            continue
        if entry.get("name") == unit:
            kept.update(_strings(entry.get("symbols")), _strings(entry.get("copies")))
        else:
            others.update(_strings(entry.get("symbols")))
    return frozenset(kept), frozenset(others - kept)


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def suite_path(location: str, relative: str) -> str:
    """A suite file's path in a unit: ``tests`` + ``unit/test_a.py``."""
    return str(PurePosixPath(location) / relative)
