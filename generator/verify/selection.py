"""Which of the application's own test files a unit can run: those that import only what it has.

Pure: source text in, a selection out. Decided statically, from imports, so
nothing of the application runs to decide it:

* A test file needs what it imports (anywhere in the file, lazy imports and
  ``pytest_plugins`` included), what every module of the suite it imports
  needs (its fixtures, factories, helpers), and what each ``conftest.py``
  between it and the suite's root needs: pytest loads those first.
* An import of the application (a top-level name the monolith has) must be
  in the unit: ``import a.b`` needs module ``a.b``; ``from a.b import N`` needs
  module ``a.b`` and ``N`` in it as the unit's own code. A symbol the
  architecture's ``monosplit-units.json`` gives the unit (its own, shared, or
  copied) counts; one another unit owns does not (here it is a client stub or
  a record of the other unit's rows); any other name counts when the unit's
  module still binds it, following re-exports (``from .models import User``)
  to where they lead. The generator's own packages (``service_clients``,
  ``monosplit_runtime``) never count: what comes from them is another unit's.
* Requests the tests make through a client with a constant path
  (``client.get("/api/cart")``, f-strings too) need the unit to own a route
  matching that path among the architecture's public routes, and endpoints
  named in ``url_for("bp.view")`` need the unit to keep a function of the
  view's name, when some unit has one: a test driving another unit's routes
  through the application's test client cannot pass in this one. Paths no
  unit routes (a 404 the test expects) need nothing.
* Imports of anything else (pytest, the app's libraries) are not the unit's
  business: the interpreter has them or the run says so.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import PurePosixPath

#: top-level packages the generator adds to units; a name imported from them belongs to another unit
GENERATED_PACKAGES = frozenset({"service_clients", "monosplit_runtime"})
CONFTEST = "conftest.py"
_REEXPORT_DEPTH = 16
_CLIENT_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})


@dataclass(frozen=True, slots=True)
class Imported:
    """One name a module imports, absolute: ``a.b`` (``import a.b``) or ``a.b.N`` (``from a.b import N``)."""

    target: str
    from_import: bool  # ``from M import N``: target is M.N, N a module of M or a name M binds
    star: bool = False  # ``from M import *``: target is M


@dataclass(frozen=True, slots=True)
class SuiteModule:
    """A Python file of the test suite: its path in the suite, its dotted name and what it imports."""

    path: str  # relative to the suite's folder, POSIX
    name: str  # as pytest imports it (the package path its __init__.py files give)
    imports: tuple[Imported, ...]
    requests: tuple[tuple[str, str], ...] = ()  # (METHOD, path) sent through a client, constant paths
    endpoints: tuple[str, ...] = ()  # url_for("...") endpoint names

    @property
    def is_test(self) -> bool:
        """pytest's default ``python_files``: ``test_*.py`` and ``*_test.py``."""
        stem = PurePosixPath(self.path).name
        return stem.endswith(".py") and (stem.startswith("test_") or stem.endswith("_test.py"))

    @property
    def is_conftest(self) -> bool:
        return PurePosixPath(self.path).name == CONFTEST


class Kind(Enum):
    DEFINED = "defined"  # def, class, assignment...: the module's own value
    FROM = "from"  # from M import N (as ...)
    MODULE = "module"  # import M (as ...)


@dataclass(frozen=True, slots=True)
class Binding:
    kind: Kind
    source: str = ""  # FROM: M.N; MODULE: M


@dataclass(frozen=True, slots=True)
class ModuleBindings:
    """The names a module binds at its top level (in ``if``/``try`` blocks too), and its star imports."""

    names: Mapping[str, Binding]
    stars: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitContents:
    """What a unit has: its modules, the symbols it keeps and those another unit owns.

    ``bindings`` answers for one of the unit's modules (None when it cannot be
    read); it is a function so only modules the tests reach are read.
    """

    modules: frozenset[str]
    kept: frozenset[str]  # its own, shared and copied symbols
    foreign: frozenset[str]  # symbols other units own and it does not keep
    bindings: Callable[[str], ModuleBindings | None]
    application: frozenset[str] = frozenset()  # the application's top-level names (the monolith's)
    #: whether the unit owns the route answering (METHOD, path); None when no unit routes it
    serves: Callable[[str, str], bool | None] = lambda method, path: None
    #: function names (the last part) the unit keeps, and those any unit has
    functions: frozenset[str] = frozenset()
    all_functions: frozenset[str] = frozenset()

    def has_endpoint(self, endpoint: str) -> bool:
        view = endpoint.rpartition(".")[2]
        return view in self.functions or view not in self.all_functions

    def is_application(self, target: str) -> bool:
        top = target.split(".", 1)[0]
        return top in self.application or top in GENERATED_PACKAGES

    def has(self, item: Imported) -> bool:
        """Whether the unit has what ``item`` imports, as its own code."""
        return self._has(item, _REEXPORT_DEPTH)

    def _has(self, item: Imported, depth: int) -> bool:
        if item.target.split(".", 1)[0] in GENERATED_PACKAGES:
            return False
        if item.star or not item.from_import or item.target in self.modules:
            return item.target in self.modules
        module, _, name = item.target.rpartition(".")
        return self._has_name(module, name, depth)

    def _has_name(self, module: str, name: str, depth: int) -> bool:
        if module not in self.modules or depth <= 0:
            return False  # re-exports deeper than this are a cycle
        symbol = f"{module}.{name}"
        if symbol in self.kept:
            return True
        if symbol in self.foreign:
            return False
        bindings = self.bindings(module)
        if bindings is None:
            return False
        binding = bindings.names.get(name)
        if binding is None:
            return any(
                self._has_name(star, name, depth - 1) for star in bindings.stars if self.is_application(star)
            )
        if binding.kind is Kind.DEFINED:
            return True
        if not self.is_application(binding.source):
            return True  # a library's name the module imports: the unit has it as the monolith does
        return self._has(Imported(binding.source, from_import=binding.kind is Kind.FROM), depth - 1)


@dataclass(frozen=True, slots=True)
class Excluded:
    """A test file a unit does not run, and the first thing it needs that the unit lacks."""

    path: str
    missing: str  # a dotted name
    through: str = ""  # the suite module that imports it, when not the test file itself


@dataclass(frozen=True, slots=True)
class Selection:
    """The test files a unit runs, and why each other one is left out."""

    selected: tuple[str, ...]
    excluded: tuple[Excluded, ...] = ()

    @property
    def total(self) -> int:
        return len(self.selected) + len(self.excluded)


@dataclass(frozen=True, slots=True)
class Suite:
    """The test suite as modules: where it sits in the import path and what each file imports."""

    package: str  # the dotted package its folder is ("tests"), or "" for a plain folder
    modules: tuple[SuiteModule, ...]
    outer: tuple[SuiteModule, ...] = ()  # a conftest.py at the import root, outside the folder
    by_name: Mapping[str, SuiteModule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {m.name: m for m in self.modules})

    @property
    def test_files(self) -> tuple[SuiteModule, ...]:
        return tuple(m for m in self.modules if m.is_test)

    def local(self, target: str) -> SuiteModule | None:
        """The suite module an import names, if it names one (``tests.factories`` or ``tests.factories.X``)."""
        found = self.by_name.get(target)
        if found is None and "." in target:
            found = self.by_name.get(target.rpartition(".")[0])
        return found

    def conftests_of(self, module: SuiteModule) -> tuple[SuiteModule, ...]:
        """The ``conftest.py`` files pytest loads before ``module``: its folder's and each parent's."""
        folder = PurePosixPath(module.path).parent
        chain = []
        for candidate in self.modules:
            path = PurePosixPath(candidate.path)
            if candidate.is_conftest and candidate is not module and folder.is_relative_to(path.parent):
                chain.append(candidate)
        return (*self.outer, *sorted(chain, key=lambda m: len(PurePosixPath(m.path).parts)))


def select_tests(suite: Suite, unit: UnitContents) -> Selection:
    """The test files of ``suite`` that import only what ``unit`` has, and why the others are left out."""
    selected: list[str] = []
    excluded: list[Excluded] = []
    for test in suite.test_files:
        missing = _first_missing(suite, test, unit)
        if missing is None:
            selected.append(test.path)
        else:
            excluded.append(missing)
    return Selection(tuple(selected), tuple(excluded))


def _first_missing(suite: Suite, test: SuiteModule, unit: UnitContents) -> Excluded | None:
    seen: set[str] = set()
    pending = [*suite.conftests_of(test), test]
    while pending:
        module = pending.pop(0)
        if module.name in seen:
            continue
        seen.add(module.name)
        through = "" if module is test else module.path
        for item in module.imports:
            local = suite.local(item.target)
            if local is not None:
                pending.append(local)
                continue
            if unit.is_application(item.target) and not unit.has(item):
                return Excluded(test.path, item.target, through)
        for method, path in module.requests:
            if unit.serves(method, path) is False:
                return Excluded(test.path, f"{method} {path}", through)
        for endpoint in module.endpoints:
            if not unit.has_endpoint(endpoint):
                return Excluded(test.path, f"url_for({endpoint!r})", through)
    return None


# --- reading source ----------------------------------------------------------------------------


def module_name(path: str, package: str) -> str:
    """The dotted name of a suite file at ``path`` (relative to the suite) in suite package ``package``.

    >>> module_name("unit/test_a.py", "tests"), module_name("conftest.py", "tests"), module_name("fixtures/__init__.py", "tests")
    ('tests.unit.test_a', 'tests.conftest', 'tests.fixtures')
    """
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(p for p in [package, *parts] if p)


def imports_of(source: str, name: str, *, is_package: bool) -> tuple[Imported, ...]:
    """Every import in ``source`` (module ``name``), absolute; ``pytest_plugins`` strings count as imports.

    A file that does not parse imports nothing here: pytest reports it when it collects it.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ()
    package = name if is_package else name.rpartition(".")[0]
    found: list[Imported] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Imported(alias.name, from_import=False) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
            if base is None:
                continue
            for alias in node.names:
                if alias.name == "*":
                    found.append(Imported(base, from_import=False, star=True))
                else:
                    found.append(
                        Imported(f"{base}.{alias.name}" if base else alias.name, from_import=bool(base))
                    )
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets
        ):
            found.extend(Imported(plugin, from_import=False) for plugin in _strings(node.value))
    return tuple(found)


def requests_of(source: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The ``(METHOD, path)`` requests ``source`` sends through a client, and the endpoints it ``url_for``s.

    A request is a call ``something.get("/path")`` (``post``, ``put``...) with a path
    that starts with ``/``; an f-string's values read as ``1`` (it matches ``<int:id>``
    and ``<name>`` alike). The query string is left out.

    >>> requests_of('c.get("/a?x=1"); c.post(f"/b/{n}"); url_for("bp.view")')
    ((('GET', '/a'), ('POST', '/b/1')), ('bp.view',))
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return (), ()
    requests: set[tuple[str, str]] = set()
    endpoints: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        first = node.args[0]
        if name == "url_for" and isinstance(first, ast.Constant) and isinstance(first.value, str):
            endpoints.add(first.value)
        elif name in _CLIENT_METHODS and isinstance(func, ast.Attribute):
            path = _path(first)
            if path is not None:
                requests.add((name.upper(), path.split("?", 1)[0]))
    return tuple(sorted(requests)), tuple(sorted(endpoints))


def _path(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(str(v.value) if isinstance(v, ast.Constant) else "1" for v in node.values)
    else:
        return None
    return text if text.startswith("/") else None


def _absolute(module: str | None, level: int, package: str) -> str | None:
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None  # beyond the top: an ImportError pytest will report
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def _strings(node: ast.expr) -> Iterable[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.List | ast.Tuple):
        for element in node.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                yield element.value


def bindings_of(source: str, name: str, *, is_package: bool) -> ModuleBindings | None:
    """What module ``name`` binds at its top level; None when ``source`` does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    package = name if is_package else name.rpartition(".")[0]
    names: dict[str, Binding] = {}
    stars: list[str] = []
    for node in _top_level(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = Binding(Kind.MODULE, alias.name)
                else:
                    top = alias.name.split(".", 1)[0]
                    names[top] = Binding(Kind.MODULE, top)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
            if base is None:
                continue
            for alias in node.names:
                if alias.name == "*":
                    stars.append(base)
                else:
                    names[alias.asname or alias.name] = Binding(Kind.FROM, f"{base}.{alias.name}")
        else:
            for bound in _bound_names(node):
                names[bound] = Binding(Kind.DEFINED)
    return ModuleBindings(names, tuple(stars))


def _top_level(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """Module-level statements, looking into ``if``, ``try`` and ``with`` blocks (not functions)."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try | ast.TryStar):
            yield from _top_level(node.body)
            for handler in node.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(node.orelse)
            yield from _top_level(node.finalbody)
        elif isinstance(node, ast.With | ast.AsyncWith):
            yield from _top_level(node.body)
            yield node
        else:
            yield node


def _bound_names(node: ast.stmt) -> Iterable[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name
        return
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For | ast.AsyncFor):
        targets = [node.target]
    elif isinstance(node, ast.With | ast.AsyncWith):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    elif hasattr(ast, "TypeAlias") and isinstance(node, ast.TypeAlias):  # Python 3.12
        targets = [node.name]
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                yield sub.id
