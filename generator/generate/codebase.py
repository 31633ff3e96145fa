"""What generation needs to know about the analysed codebase, read once.

The analyzer's graph says who calls whom and which tables each symbol
touches; the sources say what the code looks like. :func:`read_codebase`
is the one place that reads files; everything after it is pure.
"""

from __future__ import annotations

import configparser
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import libcst as cst

from analyzer.discovery import BUILD_DIRS, SKIPPED_DIRS, TEST_DIRS
from generator.codemods.foreign_keys import KeyColumn, ModuleSchema
from generator.codemods.names import called_name
from generator.generate.requirements import DECLARATION_FILES, included_files
from generator.runtime.secret_columns import is_secret_column

if TYPE_CHECKING:
    import networkx as nx

    from analyzer.analysis import Analysis

#: Flask-SQLAlchemy's setting of the database URL
_FLASK_SQLALCHEMY_DATABASE = "SQLALCHEMY_DATABASE_URI"
#: the settings that name a database, most specific first
_DATABASE_KEY = re.compile(r"(^|_)(DATABASE_URL|DATABASE_URI|DB_URL|DB_URI)$")
#: non-Python files that travel with the package (templates, static files, data)
_DATA_FILE_LIMIT = 1_000_000
#: requirement files read through includes, at most: bounds the reading of a pathological tree
_REQUIREMENT_FILE_LIMIT = 200
_SKIP_DIRS = {"__pycache__", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules"}

#: Flask decorators that register a function on the whole application (not a route)
_APP_HOOKS = frozenset(
    {
        "errorhandler",
        "teardown_appcontext",
        "teardown_request",
        "before_request",
        "after_request",
        "context_processor",
        "url_value_preprocessor",
        "url_defaults",
        "shell_context_processor",
        "template_filter",
        "template_global",
        "template_test",
    }
)

#: Context locals of the request being served, by the module they are imported from: a
#: function that reads one answers for that request only (its query string, cookie session,
#: ``g``, logged-in user), so run in another unit it would read that unit's internal call
#: (rendering a template counts: its context processors read them; so does flashing a message)
_FLASK_REQUEST_LOCALS = frozenset(
    {"request", "session", "g", "flash", "get_flashed_messages", "render_template", "render_template_string"}
)
_LOGIN_REQUEST_LOCALS = frozenset({"current_user", "login_user", "logout_user"})
_JWT_REQUEST_LOCALS = frozenset(
    {"current_user", "get_current_user", "get_jwt", "get_jwt_identity", "verify_jwt_in_request"}
)
_REQUEST_LOCALS = {
    "flask": _FLASK_REQUEST_LOCALS,
    "flask.globals": _FLASK_REQUEST_LOCALS,
    "flask_login": _LOGIN_REQUEST_LOCALS,
    "flask_login.utils": _LOGIN_REQUEST_LOCALS,
    "flask_jwt_extended": _JWT_REQUEST_LOCALS,
}

VALUE_TYPE_BASES = frozenset(
    {"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "NamedTuple", "TypedDict", "Exception", "BaseException"}
)


class _AttributeNames(cst.CSTVisitor):
    def __init__(self, names: set[str]) -> None:
        self.names = names

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.names.add(node.attr.value)


class _ImportsFrom(cst.CSTVisitor):
    """``(module, name)`` of every ``from module import name`` in a module, at any depth."""

    def __init__(self, package: str) -> None:
        self.package = package
        self.found: set[tuple[str, str]] = set()

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        source = cst.Module(body=[]).code_for_node(node.module) if node.module is not None else ""
        if node.relative:
            parts = self.package.split(".") if self.package else []
            parts = parts[: len(parts) - (len(node.relative) - 1)] if len(node.relative) > 1 else parts
            source = ".".join([*parts, source] if source else parts)
        for alias in node.names:
            if isinstance(alias.name, cst.Name):
                self.found.add((source, alias.name.value))


class _RequestLocals(cst.CSTVisitor):
    """The names a module binds to the request's context locals, and the modules offering them.

    ``from flask import request as req`` binds ``req``; ``import flask`` binds ``flask``,
    whose ``flask.request`` is one. Only module-level imports: they are what functions share.
    """

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.modules: dict[str, frozenset[str]] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        offered = _REQUEST_LOCALS.get(cst.Module(body=[]).code_for_node(node.module), frozenset())
        for alias in node.names:
            if isinstance(alias.name, cst.Name) and alias.name.value in offered:
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name):
                    self.names.add(bound.value)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = cst.Module(body=[]).code_for_node(alias.name)
            if module in _REQUEST_LOCALS and alias.asname is None and "." not in module:
                self.modules[module] = _REQUEST_LOCALS[module]
            elif module in _REQUEST_LOCALS and alias.asname is not None:
                bound = alias.asname.name
                if isinstance(bound, cst.Name):
                    self.modules[bound.value] = _REQUEST_LOCALS[module]


class _ReadsRequestLocals(cst.CSTVisitor):
    """Whether a function's code names one of the request's context locals the module binds."""

    def __init__(self, module: _RequestLocals, shadowed: frozenset[str]) -> None:
        self.names = module.names - shadowed
        self.modules = {name: offered for name, offered in module.modules.items() if name not in shadowed}
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names:
            self.found = True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.attr.value in self.modules.get(node.value.value, ()):
            self.found = True


def _parameter_names(function: cst.FunctionDef) -> frozenset[str]:
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return frozenset(p.name.value for p in every)


@dataclass(frozen=True, slots=True)
class Module:
    name: str
    #: where the module lives inside a generated unit (package layout, never ``src/``)
    path: str
    source: str


@dataclass(frozen=True, slots=True)
class Symbol:
    """A top-level class or function: the unit the plan assigns."""

    id: str
    module: str
    name: str
    kind: str  # "class" or "function"


@dataclass(frozen=True, slots=True)
class AppEntry:
    """How the web application is built: a factory function or a module-level object."""

    module: str
    name: str
    factory: bool
    framework: str = "flask"

    @property
    def symbol(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True, slots=True)
class SessionProvider:
    """``module.name`` (or its ``attribute``) returns the request's SQLAlchemy session when called."""

    module: str
    name: str
    attribute: str = ""

    @property
    def expression(self) -> str:
        """The provider in an entry point that imports ``name`` as ``session_source``."""
        return f"session_source.{self.attribute}" if self.attribute else "session_source"


@dataclass(frozen=True, slots=True)
class MetadataHolder:
    """``module.name`` declares SQLAlchemy metadata (a ``metadata`` node of the graph).

    ``declared_by``: ``flask-sqlalchemy``, ``declarative-base`` or ``metadata``.
    """

    module: str
    name: str
    declared_by: str

    @property
    def object(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True, slots=True)
class MigrationsFolder:
    """The application's Alembic migrations, as files every unit with tables carries.

    ``directory`` (the scripts) and ``config`` (a plain Alembic ``alembic.ini``;
    "" with Flask-Migrate, which keeps it in the folder) are relative to the
    project's root, and keep that place in a unit. ``files`` are every file
    of both, by that relative path.
    """

    tool: str  # "flask-migrate" or "alembic"
    directory: str
    config: str
    files: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    annotation: str | None
    required: bool
    kind: str  # "positional", "keyword", "var_positional", "var_keyword"


@dataclass
class Codebase:
    """The analysed project as generation sees it."""

    root: Path
    modules: dict[str, Module]
    data_files: dict[str, bytes]
    #: the project's requirement declarations and the files they include: path relative to ``root`` → text
    requirement_files: dict[str, str]
    graph: nx.MultiDiGraph
    #: the migrations folder found on disk, for the setup the analysis found (or an alembic.ini)
    migrations: MigrationsFolder | None = None
    _parsed: dict[str, cst.Module] = field(default_factory=dict, repr=False)
    _attribute_names: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    #: carve results by (module, names kept, stubs): see generator.generate.unit
    carvings: dict[tuple[str, frozenset[str], tuple[tuple[str, str], ...]], Any] = field(
        default_factory=dict, repr=False
    )

    # -- sources -------------------------------------------------------------------------------
    def attribute_names(self, symbol: str) -> frozenset[str]:
        """The attributes a top-level symbol's code names (``user.check_password`` → ``check_password``)."""
        found = self._attribute_names.get(symbol)
        if found is None:
            definition = self.definition(symbol)
            names: set[str] = set()
            if definition is not None:
                definition.visit(_AttributeNames(names))
            found = self._attribute_names[symbol] = frozenset(names)
        return found

    def parsed(self, module: str) -> cst.Module:
        tree = self._parsed.get(module)
        if tree is None:
            tree = self._parsed[module] = cst.parse_module(self.modules[module].source)
        return tree

    @cached_property
    def names_imported_from(self) -> dict[str, frozenset[str]]:
        """Module → the names the project's other modules import from it (``from M import name``).

        A module may import a name only for others to import it from there (CTFd's
        ``constants.config`` still offers the option types that moved to ``constants.options``);
        carving keeps such an import while some module imports the name from it.
        """
        found: dict[str, set[str]] = defaultdict(set)
        for name, module in sorted(self.modules.items()):
            if "import" not in module.source:
                continue
            package = name if module.path.endswith("__init__.py") else name.rpartition(".")[0]
            visitor = _ImportsFrom(package)
            self.parsed(name).visit(visitor)
            for source, imported in visitor.found:
                if source != name and source in self.modules:
                    found[source].add(imported)
        return {module: frozenset(names) for module, names in sorted(found.items())}

    def definition(self, symbol: str) -> cst.FunctionDef | cst.ClassDef | None:
        info = self.symbols.get(symbol)
        if info is None or info.module not in self.modules:
            return None
        for statement in self.parsed(info.module).body:
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and statement.name.value == info.name:
                return statement
        return None

    # -- symbols -------------------------------------------------------------------------------
    @cached_property
    def symbols(self) -> dict[str, Symbol]:
        found: dict[str, Symbol] = {}
        for node, data in self.graph.nodes(data=True):
            if data.get("kind") in ("class", "function"):
                parent = data.get("parent")
                if parent in self.modules and self.graph.nodes[parent].get("kind") == "module":
                    found[node] = Symbol(node, parent, node[len(parent) + 1 :], data["kind"])
        return dict(sorted(found.items()))

    def top_level(self, node: str) -> str | None:
        """The top-level symbol a node belongs to (a method's class); None for modules and the rest."""
        seen = 0
        while node not in self.symbols:
            data = self.graph.nodes.get(node)
            if data is None or data.get("kind") not in ("class", "function", "method") or seen > 50:
                return None
            node = data.get("parent", "")
            seen += 1
        return node

    @cached_property
    def dependencies(self) -> dict[str, frozenset[str]]:
        """Top-level symbol (or module, for module-level code) → top-level symbols it uses."""
        return self._top_level_edges(("call", "reference", "inherit"))

    def _top_level_edges(self, kinds: tuple[str, ...]) -> dict[str, frozenset[str]]:
        """Edges of ``kinds`` between top-level symbols: from a symbol (or module) to another."""
        found: dict[str, set[str]] = defaultdict(set)
        for source, target, kind in self.graph.edges(keys=True):
            if kind not in kinds:
                continue
            to = self.top_level(target)
            if to is None:
                continue
            origin = source if source in self.modules else self.top_level(source)
            if origin is not None and origin != to:
                found[origin].add(to)
        return {key: frozenset(value) for key, value in sorted(found.items())}

    @cached_property
    def class_body_calls(self) -> frozenset[str]:
        """Top-level functions that class bodies call: they run when the class's module is imported.

        ``class ServerConfig: SECRET_KEY = empty_str_cast(config_ini["server"]["SECRET_KEY"])``
        (CTFd) calls its helper while a unit imports its settings, as module-level code does.
        """
        found: set[str] = set()
        for source, target, kind in self.graph.edges(keys=True):
            if kind == "call" and self.graph.nodes[source].get("kind") == "class":
                to = self.top_level(target)
                if to is not None and self.symbols[to].kind == "function":
                    found.add(to)
        return frozenset(found)

    @cached_property
    def function_values(self) -> dict[str, frozenset[str]]:
        """Top-level symbol (or module) → the top-level functions it names as values, not calling them.

        ``filters["forum_is_unread"] = forum_is_unread``: whoever is handed the
        function (Jinja, a signal, a sort) calls it later, with what it has — a
        template hands it ``current_user`` — out of the analysis's sight.
        """
        return self._top_level_edges(("value",))

    def handed_over(self, symbol: str) -> frozenset[str]:
        """The functions ``symbol`` hands over as values to be called later where it runs.

        Set-up code hands them to the framework (a Jinja filter, a signal handler), which
        calls them with what it has (a template hands its filter ``current_user``). Code
        serving a request (a route's handler) hands its own helpers the rows it holds
        (``page.to_dict(serialize_order)``): those may be called where they live.
        """
        return frozenset() if symbol in self.routes else self.function_values.get(symbol, frozenset())

    @cached_property
    def table_access(self) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        """Top-level symbol (or module, for module-level code such as SQL constants) → (tables read, written)."""
        reads: dict[str, set[str]] = defaultdict(set)
        writes: dict[str, set[str]] = defaultdict(set)
        for source, target, kind in self.graph.edges(keys=True):
            if kind in ("read", "write"):
                top = self.top_level(source) or (source if source in self.modules else None)
                if top is not None:
                    table = self.graph.nodes[target].get("name", target)
                    (reads if kind == "read" else writes)[top].add(table)
        return {s: (frozenset(reads[s]), frozenset(writes[s])) for s in sorted(set(reads) | set(writes))}

    @cached_property
    def secret_column_reads(self) -> dict[str, tuple[tuple[str, frozenset[str]], ...]]:
        """Table → (code node, the secret columns it reads by attribute), from ``column`` edges.

        Secret by the runtime's rule (:func:`generator.runtime.secret_columns.is_secret_column`): what a
        replica of the table carries only for a unit whose code reads it (``self.password_hash``
        in ``User.check_password``).
        """
        found: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
        for source, target, kind, data in self.graph.edges(keys=True, data=True):
            if kind != "column":
                continue
            secret = frozenset(c for c in str(data.get("columns", "")).split(",") if is_secret_column(c))
            if secret:
                found[self.graph.nodes[target].get("name", target)].append((source, secret))
        return {table: tuple(sorted(reads)) for table, reads in sorted(found.items())}

    @cached_property
    def touches_tables_itself(self) -> frozenset[str]:
        """Top-level symbols whose own body reads or writes a table, not counting nested functions.

        A function that returns a closure over a query (``def can_edit(request): def check(...)``)
        touches no table when it is called, only when what it returns is.
        """
        return frozenset(
            source
            for source, _, kind in self.graph.edges(keys=True)
            if kind in ("read", "write") and source in self.symbols
        )

    @cached_property
    def request_bound(self) -> frozenset[str]:
        """Functions whose result depends on the request being served (:data:`_REQUEST_LOCALS`).

        Those that read a context local, and those that call one of them (``list_books``'s
        ``flag("available")`` reads ``request.args``). Called in another unit, such a function
        would read that unit's internal call instead, so a unit carries its own copy
        (:func:`generator.generate.partition.unit_contents`).
        """
        direct: set[str] = set()
        bindings: dict[str, _RequestLocals] = {}
        for symbol, info in self.symbols.items():
            module = self.modules.get(info.module)
            if (
                info.kind != "function"
                or module is None
                or not any(m in module.source for m in _REQUEST_LOCALS)
            ):
                continue
            binding = bindings.get(info.module)
            if binding is None:
                binding = bindings[info.module] = _RequestLocals()
                self.parsed(info.module).visit(binding)
            if not binding.names and not binding.modules:
                continue
            definition = self.definition(symbol)
            if isinstance(definition, cst.FunctionDef):
                reads = _ReadsRequestLocals(binding, _parameter_names(definition))
                definition.body.visit(reads)
                if reads.found:
                    direct.add(symbol)
        callers: dict[str, set[str]] = defaultdict(set)
        for user, uses in self.dependencies.items():
            if user in self.symbols and self.symbols[user].kind == "function":
                for used in uses:
                    callers[used].add(user)
        found = set(direct)
        pending = sorted(direct)
        while pending:  # to a fixed point: what calls a request-bound function is request-bound
            for user in sorted(callers.get(pending.pop(), ())):
                if user not in found:
                    found.add(user)
                    pending.append(user)
        return frozenset(found)

    @cached_property
    def request_readers(self) -> frozenset[str]:
        """The :attr:`request_bound` functions that query no table themselves: each unit calling one runs its own.

        One that queries a table stays with the table's owner.
        """
        return self.request_bound - self.touches_tables_itself

    @cached_property
    def model_tables(self) -> dict[str, str]:
        """ORM model class → the table it maps."""
        return {
            source: self.graph.nodes[target].get("name", target)
            for source, target, kind in self.graph.edges(keys=True)
            if kind == "maps" and source in self.symbols
        }

    @cached_property
    def table_variables(self) -> dict[str, str]:
        """Module-level variable holding a ``Table`` no class maps (an association table) → its table."""
        return {
            source: self.graph.nodes[target].get("name", target)
            for source, target, kind in self.graph.edges(keys=True)
            if kind == "maps" and self.graph.nodes[source].get("kind") == "variable"
        }

    def module_schema(self, module: str) -> ModuleSchema:
        """The Table variables of ``module`` and the key columns its models and tables declare."""
        tables = {
            variable[len(module) + 1 :]: table
            for variable, table in self.table_variables.items()
            if self.graph.nodes[variable].get("parent") == module
        }
        keys: dict[tuple[str, str], KeyColumn] = {}
        for source, target, kind, data in self.graph.edges(keys=True, data=True):
            if kind != "foreign_key" or self.graph.nodes[source].get("parent") != module:
                continue
            owner = source[len(module) + 1 :]
            helpers = dict(item.split("=", 1) for item in str(data.get("helpers", "")).split(",") if item)
            types = dict(item.split("=", 1) for item in str(data.get("types", "")).split(",") if item)
            table = self.graph.nodes[target].get("name", target)
            for column in str(data.get("columns", "")).split(","):
                if column:
                    keys[(owner, column)] = KeyColumn(table, helpers.get(column, ""), types.get(column, ""))
        return ModuleSchema(tables, dict(sorted(keys.items())))

    @cached_property
    def metadata_holders(self) -> tuple[MetadataHolder, ...]:
        """The objects the application declares its SQLAlchemy metadata on, as the analysis found them."""
        return tuple(
            MetadataHolder(
                data["module"], data["name"].removeprefix(data["module"] + "."), data["declared_by"]
            )
            for _, data in sorted(self.graph.nodes(data=True))
            if data.get("kind") == "metadata"
        )

    @cached_property
    def routes(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """Top-level symbol → its HTTP routes as (method, rule)."""
        found: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for source, target, kind in self.graph.edges(keys=True):
            if kind == "route":
                top = self.top_level(target)
                data = self.graph.nodes[source]
                if top is not None:
                    found[top].add((str(data.get("method", "GET")).upper(), str(data.get("path", "/"))))
        return {s: tuple(sorted(r)) for s, r in sorted(found.items())}

    @cached_property
    def route_endpoints(self) -> dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]]:
        """Top-level symbol → the URLs its routes are built from: (endpoint, rule, methods).

        Only routes whose endpoint the analysis could name (``url_for`` targets).
        """
        found: dict[str, dict[tuple[str, int, str], set[str]]] = defaultdict(lambda: defaultdict(set))
        for source, target, kind in self.graph.edges(keys=True):
            if kind != "route":
                continue
            top = self.top_level(target)
            data = self.graph.nodes[source]
            endpoint = data.get("endpoint")
            if top is not None and endpoint:
                key = (str(endpoint), int(data.get("endpoint_rank", 0)), str(data.get("path", "/")))
                found[top][key].add(str(data.get("method", "GET")).upper())
        # in registration order per endpoint: the framework builds its URL from the first rule
        return {
            symbol: tuple(
                (endpoint, rule, tuple(sorted(methods)))
                for (endpoint, _, rule), methods in sorted(rules.items())
            )
            for symbol, rules in sorted(found.items())
        }

    @cached_property
    def config_keys(self) -> dict[str, bool]:
        """Every configuration key the code reads → whether it looks secret."""
        return {
            data["name"]: bool(data.get("secret"))
            for _, data in sorted(self.graph.nodes(data=True))
            if data.get("kind") == "config"
        }

    @cached_property
    def symbol_config(self) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for source, target, kind in self.graph.edges(keys=True):
            if kind == "config":
                top = self.top_level(source) or (source if source in self.modules else None)
                if top is not None:
                    found[top].add(self.graph.nodes[target]["name"])
        return {s: frozenset(keys) for s, keys in sorted(found.items())}

    @cached_property
    def database_key(self) -> str | None:
        """The setting holding the database URL: what the code reads, else Flask-SQLAlchemy's own.

        An app may fix its database in a configuration class (FlaskBB's
        ``SQLALCHEMY_DATABASE_URI`` under its own folder) and read no setting for it;
        each unit still needs its own, so the unit sets Flask-SQLAlchemy's setting
        itself (:attr:`database_setting`).
        """
        keys = sorted((k for k in self.config_keys if _DATABASE_KEY.search(k)), key=lambda k: (len(k), k))
        if keys:
            return keys[0]
        if any(h.declared_by == "flask-sqlalchemy" for h in self.metadata_holders):
            return _FLASK_SQLALCHEMY_DATABASE
        return None

    @cached_property
    def writable_folders(self) -> tuple[str, ...]:
        """Folders at the project's root the app writes into as it runs, so a container must let it.

        Flask's instance folder (the tutorial's ``os.makedirs(app.instance_path)``; never
        carried: it is one deployment's own), and a folder the project keeps empty but for
        dotfiles (a ``logs/`` its logging writes into). A unit's image is read-only, so
        each gets an empty writable mount there (a tmpfs, an ``emptyDir``).
        """
        found: set[str] = set()
        entry = self.app_entry
        if entry is not None and entry.framework == "flask":
            found.add("instance")
        packages = {module.split(".", 1)[0] for module in self.modules}
        contents: dict[str, list[str]] = defaultdict(list)
        for path in self.data_files:
            folder, slash, rest = path.partition("/")
            if slash:
                contents[folder].append(rest)
        for folder, files in contents.items():
            if folder not in packages and all(f.rsplit("/", 1)[-1].startswith(".") for f in files):
                found.add(folder)
        return tuple(sorted(found))

    @property
    def database_setting(self) -> str:
        """:attr:`database_key` when the unit, not the app's code, puts it into the app's configuration, else ""."""
        key = self.database_key
        return key if key is not None and key not in self.config_keys else ""

    @cached_property
    def _passes(self) -> dict[tuple[str, str], frozenset[str]]:
        found: dict[tuple[str, str], set[str]] = defaultdict(set)
        for source, target, kind, data in self.graph.edges(keys=True, data=True):
            callee = self.top_level(target) if kind == "call" and data.get("passes") else None
            if callee is not None:
                found[(self.top_level(source) or source, callee)].update(str(data["passes"]).split("; "))
        return {key: frozenset(value) for key, value in found.items()}

    def passes(self, caller: str, callee: str) -> str | None:
        """What cannot travel as JSON in calls from ``caller`` (and its methods) to ``callee``."""
        return "; ".join(sorted(self._passes.get((caller, callee), ()))) or None

    # -- classes ------------------------------------------------------------------------------
    def class_bases(self, symbol: str) -> tuple[str, ...]:
        """The last component of each base and decorator name (``Enum``, ``dataclass``)."""
        definition = self.definition(symbol)
        if not isinstance(definition, cst.ClassDef):
            return ()
        names: list[str] = []
        for expression in [arg.value for arg in definition.bases] + [
            d.decorator for d in definition.decorators
        ]:
            if isinstance(expression, cst.Call):
                expression = expression.func
            if isinstance(expression, cst.Subscript):
                expression = expression.value
            if isinstance(expression, cst.Attribute):
                names.append(expression.attr.value)
            elif isinstance(expression, cst.Name):
                names.append(expression.value)
        return tuple(names)

    @cached_property
    def class_parents(self) -> dict[str, frozenset[str]]:
        """Top-level class → the project's top-level classes it inherits from directly."""
        parents: dict[str, set[str]] = defaultdict(set)
        for source, target, kind in self.graph.edges(keys=True):
            if kind == "inherit" and source in self.symbols and target in self.symbols:
                parents[source].add(target)
        return {symbol: frozenset(bases) for symbol, bases in sorted(parents.items())}

    @cached_property
    def value_types(self) -> frozenset[str]:
        """Classes that are plain values: enums, exceptions, dataclasses, named tuples, typed dicts.

        They are part of a service's API (arguments, results, errors), so a
        service that uses another's value type gets its own copy of it.
        """
        parents = self.class_parents
        result: set[str] = set()
        changed = True
        classes = [
            s for s, info in self.symbols.items() if info.kind == "class" and s not in self.model_tables
        ]
        while changed:
            changed = False
            for symbol in classes:
                if symbol in result:
                    continue
                bases = self.class_bases(symbol)
                if (
                    any(b in VALUE_TYPE_BASES or b.endswith(("Error", "Exception")) for b in bases)
                    or "dataclass" in bases
                    or parents.get(symbol, frozenset()) & result
                ):
                    result.add(symbol)
                    changed = True
        return frozenset(result)

    def parameters(self, symbol: str) -> tuple[Parameter, ...]:
        definition = self.definition(symbol)
        if not isinstance(definition, cst.FunctionDef):
            return ()
        empty = cst.Module(body=[])
        params = definition.params
        result: list[Parameter] = []

        def annotation(param: cst.Param) -> str | None:
            return empty.code_for_node(param.annotation.annotation) if param.annotation else None

        for param in (*params.posonly_params, *params.params):
            result.append(Parameter(param.name.value, annotation(param), param.default is None, "positional"))
        if isinstance(params.star_arg, cst.Param):
            result.append(
                Parameter(params.star_arg.name.value, annotation(params.star_arg), False, "var_positional")
            )
        for param in params.kwonly_params:
            result.append(Parameter(param.name.value, annotation(param), param.default is None, "keyword"))
        if params.star_kwarg is not None:
            result.append(
                Parameter(params.star_kwarg.name.value, annotation(params.star_kwarg), False, "var_keyword")
            )
        return tuple(result)

    def annotation_value_types(self, symbol: str) -> frozenset[str]:
        """Value types a function's annotations name: what its callers receive or pass as whole objects."""
        texts = [p.annotation for p in self.parameters(symbol) if p.annotation] + [self.returns(symbol) or ""]
        names = {n for text in texts for n in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)}
        module = self.symbols[symbol].module
        by_name: dict[str, list[str]] = defaultdict(list)
        for value_type in self.value_types:
            by_name[self.symbols[value_type].name].append(value_type)
        found: set[str] = set()
        for name in names:
            if f"{module}.{name}" in self.value_types:
                found.add(f"{module}.{name}")
            elif len(by_name.get(name, ())) == 1:
                found.add(by_name[name][0])
        return frozenset(found)

    def returns(self, symbol: str) -> str | None:
        definition = self.definition(symbol)
        if isinstance(definition, cst.FunctionDef) and definition.returns is not None:
            return cst.Module(body=[]).code_for_node(definition.returns.annotation)
        return None

    # -- the application ---------------------------------------------------------------------
    @cached_property
    def app_entry(self) -> AppEntry | None:
        """The Flask application: a factory that builds ``Flask(...)``, else a module-level object."""
        factories: list[AppEntry] = []
        objects: list[AppEntry] = []
        flask_classes = self.flask_classes
        for name, module in sorted(self.modules.items()):
            if not any(c in module.source for c in flask_classes):
                continue
            for statement in self.parsed(name).body:
                if isinstance(statement, cst.FunctionDef) and _builds_flask(statement, flask_classes):
                    factories.append(AppEntry(name, statement.name.value, factory=True))
                elif isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        if (
                            isinstance(small, cst.Assign)
                            and len(small.targets) == 1
                            and isinstance(small.targets[0].target, cst.Name)
                            and _is_flask_call(small.value, flask_classes)
                        ):
                            objects.append(AppEntry(name, small.targets[0].target.value, factory=False))
        # a factory inside a package beats a script's module-level app
        ranked = sorted(factories, key=lambda e: ("." not in e.module, e.module)) + sorted(
            objects, key=lambda e: ("." not in e.module, e.module)
        )
        return ranked[0] if ranked else None

    @cached_property
    def flask_classes(self) -> frozenset[str]:
        """Names of the classes whose call builds a Flask application: ``Flask`` and its subclasses here.

        An app may build its own subclass (``class CTFdFlask(Flask)``, with its own
        request class and Jinja environment); a factory that calls one is the app factory.
        """
        bases = {
            info.name: {
                *self.class_bases(symbol),
                *(self.symbols[p].name for p in self.class_parents.get(symbol, ())),
            }
            for symbol, info in sorted(self.symbols.items())
            if info.kind == "class"
        }
        found = {"Flask"}
        grown = True
        while grown:  # to a fixed point: a subclass of a subclass, in any order of modules
            grown = False
            for name, named in bases.items():
                if name not in found and named & found:
                    found.add(name)
                    grown = True
        return frozenset(found)

    @cached_property
    def app_hooks(self) -> frozenset[str]:
        """Functions the framework calls: the app's hooks, and callbacks registered on extensions.

        They are plumbing every unit's app needs (``@app.errorhandler``,
        ``@app.teardown_appcontext``, a blueprint's ``@bp.app_errorhandler``,
        ``@login.user_loader``), not a capability's code.
        """
        entry = self.app_entry
        app_name = entry.name if entry is not None and not entry.factory else None
        called = self._called_by_project
        found: set[str] = set()
        for symbol, info in self.symbols.items():
            if info.kind != "function" or "@" not in self.modules[info.module].source:
                continue
            definition = self.definition(symbol)
            if not isinstance(definition, cst.FunctionDef):
                continue
            for decorator in definition.decorators:
                expression = decorator.decorator
                if isinstance(expression, cst.Call):
                    expression = expression.func
                if isinstance(expression, cst.Name) and expression.value in self._hook_markers:
                    # a plugin hook's implementation (pluggy's ``@impl``): the plugin manager
                    # calls it in whichever unit calls the hook, so every unit carries it
                    if symbol not in called:
                        found.add(symbol)
                    continue
                if not (isinstance(expression, cst.Attribute) and isinstance(expression.value, cst.Name)):
                    continue
                hook = expression.attr.value
                on_app = expression.value.value == app_name and hook in _APP_HOOKS
                if on_app or (hook.startswith("app_") and hook[4:] in _APP_HOOKS):
                    found.add(symbol)
                elif symbol not in called and symbol not in self.routes:
                    # Registered on an object (``@login.user_loader``, ``@token_auth.verify_token``,
                    # ``@event.listens_for(...)``) and never called by the project's own code:
                    # the framework calls it, in whichever unit uses that object, so every unit
                    # carries it. A decorated function the project calls (``@cache.memoize``)
                    # is ordinary code and stays where the plan puts it.
                    found.add(symbol)
        return frozenset(found)

    @cached_property
    def _hook_markers(self) -> frozenset[str]:
        """Names a module binds to pluggy's ``HookimplMarker(...)``: what marks a hook's implementations."""
        found: set[str] = set()
        for name, module in sorted(self.modules.items()):
            if "HookimplMarker" not in module.source:
                continue
            for statement in self.parsed(name).body:
                if not isinstance(statement, cst.SimpleStatementLine):
                    continue
                for small in statement.body:
                    if isinstance(small, cst.Assign) and called_name(small.value) == "HookimplMarker":
                        found.update(t.target.value for t in small.targets if isinstance(t.target, cst.Name))
        return frozenset(found)

    @cached_property
    def _called_by_project(self) -> frozenset[str]:
        """Top-level symbols some function or class of the project calls or names.

        Module-level code does not count: applying a decorator passes it the function.
        """
        return frozenset(
            callee for user, uses in self.dependencies.items() if user not in self.modules for callee in uses
        )

    @cached_property
    def session_provider(self) -> SessionProvider | None:
        """What hands out the request's SQLAlchemy session.

        A function annotated to return ``Session`` that needs no arguments, a
        module-level ``scoped_session``, or the ``session`` (a scoped session)
        of a module-level Flask-SQLAlchemy ``SQLAlchemy(...)`` object; the
        first found in module order.
        """
        for name, module in sorted(self.modules.items()):
            if not any(word in module.source for word in ("Session", "scoped_session", "SQLAlchemy")):
                continue
            for statement in self.parsed(name).body:
                if isinstance(statement, cst.FunctionDef) and statement.returns is not None:
                    returned = cst.Module(body=[]).code_for_node(statement.returns.annotation).strip("\"'")
                    params = statement.params
                    required = [p for p in (*params.posonly_params, *params.params) if p.default is None]
                    if returned.split(".")[-1] in ("Session", "scoped_session") and not required:
                        return SessionProvider(name, statement.name.value)
                elif isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        if not (
                            isinstance(small, (cst.Assign, cst.AnnAssign))
                            and isinstance(small.value, cst.Call)
                        ):
                            continue
                        maker = called_name(small.value)
                        if maker not in ("scoped_session", "SQLAlchemy"):
                            continue
                        target = small.targets[0].target if isinstance(small, cst.Assign) else small.target
                        if isinstance(target, cst.Name):
                            return SessionProvider(
                                name, target.value, "session" if maker == "SQLAlchemy" else ""
                            )
        return None


def _is_flask_call(node: cst.BaseExpression | None, flask_classes: frozenset[str]) -> bool:
    return isinstance(node, cst.Call) and called_name(node) in flask_classes


class _FlaskFinder(cst.CSTVisitor):
    def __init__(self, flask_classes: frozenset[str]) -> None:
        self.flask_classes = flask_classes
        self.found = False

    def visit_Call(self, node: cst.Call) -> None:
        if _is_flask_call(node, self.flask_classes):
            self.found = True


def _builds_flask(function: cst.FunctionDef, flask_classes: frozenset[str]) -> bool:
    finder = _FlaskFinder(flask_classes)
    function.body.visit(finder)
    return finder.found


def module_path(name: str, file: str) -> str:
    """Where a module goes in a unit: its dotted name as a path (``src/`` layouts flattened)."""
    parts = name.split(".")
    if file.endswith("__init__.py"):
        return "/".join(parts) + "/__init__.py"
    return "/".join(parts) + ".py"


def _data_files(root: Path, packages: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    """Non-Python files inside each top-level package directory, placed under the package's name."""
    for directory, package in sorted(packages.items()):
        base = root / directory
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(base)
            if any(part in _SKIP_DIRS or part.startswith(".") for part in relative.parts):
                continue
            if path.is_file() and path.suffix not in (".py", ".pyc", ".pyo"):
                try:
                    if path.stat().st_size <= _DATA_FILE_LIMIT:
                        yield f"{package}/{relative.as_posix()}", path.read_bytes()
                except OSError:
                    continue


#: folders at the project's root that hold no data to carry: docs, tests, build output, and
#: Flask's instance folder (one deployment's database and secrets, not the app's)
_NOT_DATA_DIRS = frozenset({"docs", "doc", "instance"}) | BUILD_DIRS | TEST_DIRS
#: files carried from one root data folder, at most
_ROOT_DATA_FILES_LIMIT = 5000


def _root_data_files(root: Path, code_dirs: frozenset[str]) -> Iterator[tuple[str, bytes]]:
    """Files of the folders at the project's root that hold no analysed code, by their relative path.

    Apps read such folders at run time, relative to the project (``templates/``,
    ``static/``, ``translations/``, a ``logs/`` their logging writes into,
    Alembic scripts). A folder with no file in it gets a ``.gitkeep``, so it
    exists in the unit; ``.gitkeep`` and other dotfiles in a folder are kept.
    """
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return
    for folder in entries:
        name = folder.name
        if (
            not folder.is_dir()
            or folder.is_symlink()
            or name.startswith(".")
            or name in SKIPPED_DIRS
            or name in _SKIP_DIRS
            or name in _NOT_DATA_DIRS
            or name.endswith(".egg-info")
            or name in code_dirs
            or (folder / "pyvenv.cfg").exists()
        ):
            continue
        found = 0
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(root)
            if any(part in _SKIP_DIRS or part in SKIPPED_DIRS for part in relative.parts):
                continue
            if any(part.startswith(".") for part in relative.parts[1:-1]):
                continue  # a hidden folder inside: a tool's, not the app's
            if not path.is_file() or path.is_symlink() or path.suffix in (".pyc", ".pyo"):
                continue
            try:
                if path.stat().st_size > _DATA_FILE_LIMIT:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            yield relative.as_posix(), data
            found += 1
            if found >= _ROOT_DATA_FILES_LIMIT:
                break
        if not found:
            yield f"{name}/.gitkeep", b""


def read_requirement_files(root: Path) -> dict[str, str]:
    """The project's requirement declarations and every file they include, by path relative to ``root``.

    Which files to read next is the pure core's answer
    (:func:`generator.generate.requirements.included_files`); an include that
    is missing or leaves the project is not read here, and the core says so.
    """
    found: dict[str, str] = {}
    tried: set[str] = set()
    wanted = set(DECLARATION_FILES)
    while wanted - tried and len(tried) < _REQUIREMENT_FILE_LIMIT:
        for relative in sorted(wanted - tried):
            tried.add(relative)
            text = _read_declaration(root, relative)
            if text is not None:
                found[relative] = text
        wanted |= included_files(found)
    return dict(sorted(found.items()))


def _read_declaration(root: Path, relative: str) -> str | None:
    path = root / relative
    try:
        if not path.resolve().is_relative_to(root.resolve()) or not path.is_file():
            return None
        if path.stat().st_size > _DATA_FILE_LIMIT:
            return None
        return path.read_text(encoding="utf-8-sig")  # pip and setuptools accept a byte-order mark
    except (OSError, RuntimeError, UnicodeDecodeError):  # RuntimeError: a symlink loop (Python 3.11)
        return None  # reported as missing by whoever includes it


def read_codebase(analysis: Analysis, root: Path) -> Codebase:
    """Read the analysed modules' sources (and package data files) under ``root``."""
    graph = analysis.graph
    modules: dict[str, Module] = {}
    for node, data in sorted(graph.nodes(data=True)):
        if data.get("kind") != "module" or not data.get("file"):
            continue
        try:
            source = (root / data["file"]).read_text(encoding="utf-8")
            cst.parse_module(source)
        except (OSError, UnicodeDecodeError, cst.ParserSyntaxError):
            continue  # the analyzer already reported it; a unit cannot carry what it cannot parse
        modules[node] = Module(node, module_path(node, data["file"]), source)
    # package data sits beside the package's files, wherever the package lives (src/ or not)
    package_dirs = {
        str(Path(graph.nodes[name]["file"]).parent): name
        for name in modules
        if "." not in name and graph.nodes[name]["file"].endswith("__init__.py")
    }
    data_files = dict(_data_files(root, package_dirs))
    # the root folders analysed code lives in (packages, src/ layouts, top-level modules' folders)
    code_dirs = frozenset(
        Path(data["file"]).parts[0]
        for _, data in graph.nodes(data=True)
        if data.get("kind") == "module" and data.get("file") and len(Path(data["file"]).parts) > 1
    )
    data_files.update(_root_data_files(root, code_dirs))
    requirement_files = read_requirement_files(root)
    migrations = _migrations_folder(root, graph)
    return Codebase(root, modules, data_files, requirement_files, graph, migrations=migrations)


def _migrations_folder(root: Path, graph: nx.MultiDiGraph) -> MigrationsFolder | None:
    """The migrations the analysis found set up (or an ``alembic.ini`` names), if the folder is there.

    The analysis skips ``migrations/`` folders, so their files are read here,
    as data: a folder is one when it holds Alembic's ``env.py``.
    """
    setups = [
        (str(data["tool"]), str(data["directory"]))
        for _, data in sorted(graph.nodes(data=True))
        if data.get("kind") == "migrations"
    ]
    config = ""
    ini = root / "alembic.ini"
    if ini.is_file() and not any(tool == "flask-migrate" for tool, _ in setups):
        parser = configparser.ConfigParser()
        try:
            parser.read(ini, encoding="utf-8")
            location = parser.get("alembic", "script_location", raw=True, fallback="")
        except (configparser.Error, UnicodeDecodeError):
            location = ""
        if location.strip():
            config = "alembic.ini"
            setups = [("alembic", location.replace("%(here)s", ".").strip())]
    for tool, directory in setups:
        folder = root / directory
        if not (folder / "env.py").is_file() or not folder.resolve().is_relative_to(root.resolve()):
            continue
        files = [
            (path.relative_to(root).as_posix(), path.read_bytes())
            for path in sorted(folder.rglob("*"))
            if path.is_file()
            and path.suffix not in (".pyc", ".pyo")
            and not any(part in _SKIP_DIRS or part.startswith(".") for part in path.relative_to(folder).parts)
        ]
        if config:
            files.append((config, ini.read_bytes()))
        return MigrationsFolder(tool, folder.relative_to(root).as_posix(), config, tuple(sorted(files)))
    return None
