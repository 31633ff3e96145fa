"""The interface a framework plugin implements.

A plugin reads the resolved program (through the :class:`Resolver`) and
contributes what only knowledge of its framework can tell: which classes are
models of which tables, which call sites read or write them, which functions
serve which HTTP routes, which names are configuration. Each method has a
neutral default, so a plugin implements only what its framework has.

Two kinds of methods, because incremental analysis recomputes one module at
a time:

* program-wide (:meth:`~Framework.models`, :meth:`~Framework.routes`) may
  look at every module, but only at what belongs to a module's *interface*
  (definitions, bindings, imports, returns; of calls, only those named in
  :attr:`~Framework.interface_calls`), so they are recomputed only when an
  interface changes;
* per-module (:meth:`~Framework.relations`, :meth:`~Framework.foreign_keys`,
  :meth:`~Framework.accesses`, :meth:`~Framework.config_reads`,
  :meth:`~Framework.metadata`, :meth:`~Framework.migrations`) read one module's facts and call sites
  and yield only what has that module's code as its source.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from analyzer.facts import CallOf, Expr, Items, Lit
from analyzer.values import Values

if TYPE_CHECKING:
    from analyzer.resolve import CallSite, Resolver


@dataclass(frozen=True, slots=True, order=True)
class Route:
    """``method path`` is served by ``handler`` (a function, method or class id).

    ``endpoint`` is the name the framework builds the route's URL from
    (Flask's ``url_for("blueprint.view")``, Starlette's ``url_path_for``),
    empty when it cannot be told statically; ``rank`` orders the rules of
    one endpoint as they are registered.
    """

    method: str
    path: str
    handler: str
    framework: str
    endpoint: str = ""
    #: registration order among the rules of one view (decorators apply from the bottom up):
    #: a framework builds an endpoint's URL from the first rule registered
    rank: int = 0
    #: what the path's prefix comes from when it is not statically known (a configuration
    #: key): the path then holds ``{KEY}`` where the prefix goes
    unknown_prefix: str = ""


AccessKind = Literal["read", "write"]


@dataclass(frozen=True, slots=True, order=True)
class Access:
    """``source`` (a symbol id) reads or writes ``table``; or, with ``column``, reads that column of it."""

    source: str
    table: str
    kind: AccessKind
    column: str = ""


@dataclass(frozen=True, slots=True, order=True)
class Relation:
    """Model ``source`` refers to model ``target`` (a foreign key, a relationship)."""

    source: str
    target: str


@dataclass(frozen=True, slots=True, order=True)
class ForeignKey:
    """``source`` (a model class or a module-level ``Table`` variable) declares ``column``
    referencing table ``table``.

    ``column`` is the model's attribute (the ``Table``'s column name); ``helper``
    is the project function whose returned column carries the key ("" when it
    is written in place); ``type`` is the name of the SQLAlchemy type the
    column holds when it is not written in place (the helper's, or the
    referenced column's when the column takes its type from the key), "" when
    unknown or written in place.
    """

    source: str
    column: str
    table: str
    helper: str = ""
    type: str = ""


@dataclass(frozen=True, slots=True, order=True)
class ConfigRead:
    """``source`` reads configuration key ``key``."""

    source: str
    key: str
    via: str  # "environment", "settings", "app.config", ...
    #: what the key's value is to the code, when it is its database: "sqlite" (the file sqlite3 opens)
    database: str = ""


DeclaredBy = Literal["flask-sqlalchemy", "declarative-base", "metadata"]


@dataclass(frozen=True, slots=True, order=True)
class Metadata:
    """``module.name`` holds a SQLAlchemy ``MetaData`` the application declares tables on.

    ``declared_by`` says how to reach it: a Flask-SQLAlchemy ``SQLAlchemy(...)``
    object (``db.metadata``, its engine ``db.engine``), a declarative base class
    (``Base.metadata``), or a ``MetaData(...)`` object itself.
    """

    module: str
    name: str
    declared_by: DeclaredBy

    @property
    def object(self) -> str:
        return f"{self.module}.{self.name}"


MigrationTool = Literal["flask-migrate", "alembic"]


@dataclass(frozen=True, slots=True, order=True)
class Migrations:
    """The application migrates its schema with ``tool``, from the scripts in ``directory``.

    ``directory`` is relative to where the application runs (Flask-Migrate's
    ``directory=``, ``migrations`` by default) or, for an Alembic environment
    the analysis read, the folder of its ``env.py``; ``metadata`` is the
    object id of the :class:`Metadata` it migrates ("" when unknown).
    """

    tool: MigrationTool
    directory: str
    metadata: str


@dataclass(frozen=True, slots=True, order=True)
class SchemaScript:
    """The application creates its tables by running the SQL script ``file`` (relative to the analysed root).

    ``source`` is the function that runs it (``init_db``: ``executescript`` of
    the file it opens), usually from a command a person must remember to call.
    """

    file: str
    source: str


class Framework:
    """Base class of framework plugins; see the module docstring."""

    name: ClassVar[str] = ""
    #: Calls :meth:`routes` reads, by the attribute called (``app.register_blueprint(...)``).
    interface_calls: ClassVar[frozenset[str]] = frozenset()

    def call_result(
        self, resolver: Resolver, path: str, call: CallOf, module: str, scope: str
    ) -> Values | None:
        """What calling the external ``path`` returns, if the framework knows better."""
        return None

    # --- program-wide: interfaces only ---------------------------------------------------

    def models(self, resolver: Resolver) -> dict[str, str]:
        """Model class id (or the id of a module-level variable holding a table object) → table name."""
        return {}

    def routes(self, resolver: Resolver, sites: Sequence[CallSite]) -> Iterable[Route]:
        """The routes of the program; of ``sites`` (all of them), read only :attr:`interface_calls`."""
        return ()

    # --- one module: sources in ``module`` -------------------------------------------------

    def relations(self, resolver: Resolver, module: str, models: dict[str, str]) -> Iterable[Relation]:
        """References from models of ``module`` to other models."""
        return ()

    def foreign_keys(self, resolver: Resolver, module: str, models: dict[str, str]) -> Iterable[ForeignKey]:
        """Foreign keys declared by the models and tables of ``module``."""
        return ()

    def accesses(
        self, resolver: Resolver, module: str, sites: Sequence[CallSite], models: dict[str, str]
    ) -> Iterable[Access]:
        """Table reads and writes by the code of ``module``; ``sites`` are its call sites."""
        return ()

    def config_reads(
        self, resolver: Resolver, module: str, sites: Sequence[CallSite]
    ) -> Iterable[ConfigRead]:
        """Configuration keys the code of ``module`` reads; ``sites`` are its call sites."""
        return ()

    def metadata(self, resolver: Resolver, module: str) -> Iterable[Metadata]:
        """The SQLAlchemy metadata ``module`` declares (module-level objects and classes)."""
        return ()

    def migrations(self, resolver: Resolver, module: str, sites: Sequence[CallSite]) -> Iterable[Migrations]:
        """Schema migrations the code of ``module`` sets up; ``sites`` are its call sites."""
        return ()

    def schema_scripts(
        self, resolver: Resolver, module: str, sites: Sequence[CallSite]
    ) -> Iterable[SchemaScript]:
        """SQL scripts the code of ``module`` runs to create its tables; ``sites`` are its call sites."""
        return ()


# --- small helpers plugins share ------------------------------------------------


def literal_str(expr: Expr | None) -> str | None:
    if isinstance(expr, Lit) and isinstance(expr.value, str):
        return expr.value
    return None


def literal_strs(expr: Expr | None) -> tuple[str, ...] | None:
    """A literal list/tuple of strings (``methods=["GET", "POST"]``)."""
    if isinstance(expr, Items):
        values = [literal_str(item) for item in expr.items]
        if all(v is not None for v in values):
            return tuple(v for v in values if v is not None)
    return None


def argument(call: CallOf, position: int, keyword: str) -> Expr | None:
    """The argument passed at ``position`` or as ``keyword``."""
    for name, value in call.kwargs:
        if name == keyword:
            return value
    if 0 <= position < len(call.args):
        return call.args[position]
    return None


def join_paths(prefix: str, path: str) -> str:
    if not prefix:
        return path if path.startswith("/") else "/" + path
    return prefix.rstrip("/") + "/" + path.lstrip("/") if path else prefix


def path_matches(path: str, *candidates: str) -> bool:
    """Whether an external path names one of ``candidates`` (by suffix after a dot)."""
    return any(path == c or path.endswith("." + c) for c in candidates)
