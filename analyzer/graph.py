"""The dependency graph: one networkx MultiDiGraph, its node and edge kinds.

This module is the one place the graph's vocabulary is defined.

Nodes (``kind`` attribute):

============ ====================================================================
``module``   a Python file; id is its dotted module name (``shop.models``)
``class``    id ``module.Class`` (nested: ``module.Outer.Inner``)
``function`` id ``module.func`` (nested: ``module.outer.inner``)
``method``   id ``module.Class.method``
``table``    a database table; id ``table:<name>``
``route``    an HTTP route; id ``route:<METHOD> <path>``
``config``   a configuration key; id ``config:<KEY>``, ``secret`` flags secret-looking keys
``variable`` module-level state: a lower-case name bound at module level to a
             collection or an object (``_cache = {}``); id ``module.name``
``metadata`` a SQLAlchemy ``MetaData`` the app declares tables on; id
             ``metadata:<module.name>`` of the object holding it, ``declared_by``
             ``flask-sqlalchemy`` (``db = SQLAlchemy()``), ``declarative-base``
             (``class Base(DeclarativeBase)``, ``Base = declarative_base()``) or
             ``metadata`` (``meta = MetaData()``)
``migrations`` the app's schema migrations; id ``migrations:<directory>``, ``tool``
             ``flask-migrate`` or ``alembic``, ``directory`` (relative to where the
             app runs), ``metadata`` (the object id of the metadata it migrates, when known)
``schema_script`` an SQL script the app runs to create its tables (``executescript``
             of a ``.sql`` file); id ``schema_script:<file>``, ``file`` (relative to the
             analysed root), ``source`` (the function that runs it)
============ ====================================================================

A ``config`` node whose value the code opens as its SQLite file
(``sqlite3.connect(app.config["DATABASE"])``) has ``database`` = ``sqlite``.

Code nodes carry ``file`` (posix path relative to the analysed root),
``line``, ``end_line``, ``size`` (lines) and ``parent`` (the enclosing node).

Edges (``kind`` attribute, also the multigraph key; ``weight`` counts occurrences):

============= ===================================================================
``import``    module → project module it imports (``type_checking``: only under
              ``if TYPE_CHECKING``; ``conditional``: only inside if/try)
``call``      caller → callee (module-level code calls from the module node;
              calling a class goes to the ``__init__`` that runs); ``passes``
              lists arguments that are objects, functions, classes or the
              request's context locals (``flask_login.current_user context local``)
``inherit``   class → project base class
``reference`` symbol → class or function it names without calling it (its
              decorators included); model → model for foreign keys and relationships
``value``     symbol → function it hands over as a value (``filters["x"] = f``,
              ``to_dict(serialize)``), for whoever calls it later
``maps``      model class (or module-level variable holding a ``Table``) → the table it maps
``foreign_key`` model class or ``Table`` variable → table its foreign keys reference:
              ``columns`` (its attributes or columns holding them), ``helpers`` and
              ``types`` (``column=value`` for keys declared through a project function)
``read``      symbol → table it reads (ORM queries, raw SQL)
``write``     symbol → table it writes (creates, updates, deletes, raw SQL)
``route``     route → the function, method or class that handles it
``config``    symbol → configuration key it reads
``state``     symbol → module-level variable it reads or changes
============= ===================================================================

How it is built: each module *contributes* its own nodes and every edge
whose source is its code (:class:`Contribution`), computed from its facts
and what the resolver answers; what needs the whole program (models and
their tables, routes, module-level variables) is the :class:`ProgramPart`.
The resolver's answers depend on other modules only through their
interfaces (:func:`module_interface`), so when an edit leaves a module's
interface as it was, replacing that module's contribution and assembling
again (:func:`assemble`) gives exactly the graph a full build would.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from analyzer.facts import (
    DEF_MARKER,
    Attr,
    Binding,
    CallFact,
    CallOf,
    Definition,
    Expr,
    ImportFact,
    InstanceOf,
    Item,
    Items,
    Lit,
    ModuleFacts,
    Name,
    Nth,
)
from analyzer.frameworks.base import ForeignKey, Framework
from analyzer.frameworks.forwarding import callee_name, forwarding_functions, named_calls
from analyzer.passes import FLOW_ATTRIBUTES, call_attributes, flow
from analyzer.resolve import CallSite, Resolver, UnresolvedImport, node_id
from analyzer.values import Def, Inst

NODE_KINDS = (
    "module",
    "class",
    "function",
    "method",
    "table",
    "route",
    "config",
    "variable",
    "metadata",
    "migrations",
    "schema_script",
)
EDGE_KINDS = (
    "import",
    "call",
    "inherit",
    "reference",
    "value",
    "maps",
    "foreign_key",
    "read",
    "write",
    "column",
    "route",
    "config",
    "state",
)
CODE_KINDS = frozenset({"module", "class", "function", "method"})

#: The graph as plain data: ((node, attributes), ...), ((source, target, key, attributes), ...)
GraphData = tuple[tuple[tuple[str, dict[str, Any]], ...], tuple[tuple[str, str, str, dict[str, Any]], ...]]

_SECRET = re.compile(
    r"SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|_KEY$|^KEY$|DSN|DATABASE_URL",
    re.IGNORECASE,
)


def is_secret_key(key: str) -> bool:
    """Whether a configuration key looks like it holds a secret.

    >>> is_secret_key("SECRET_KEY"), is_secret_key("STRIPE_API_KEY"), is_secret_key("DEBUG")
    (True, True, False)
    """
    return bool(_SECRET.search(key))


def table_id(name: str) -> str:
    return f"table:{name}"


def route_id(method: str, path: str) -> str:
    return f"route:{method} {path}"


def config_id(key: str) -> str:
    return f"config:{key}"


def metadata_id(declared: str) -> str:
    """The node of the metadata the object ``declared`` (``module.name``) holds."""
    return f"metadata:{declared}"


def migrations_id(directory: str) -> str:
    return f"migrations:{directory}"


def schema_script_id(file: str) -> str:
    return f"schema_script:{file}"


@dataclass(frozen=True, slots=True)
class CallStats:
    """How many call sites resolved, and to what."""

    total: int
    internal: int
    external: int
    unresolved: int

    def __add__(self, other: CallStats) -> CallStats:
        return CallStats(
            self.total + other.total,
            self.internal + other.internal,
            self.external + other.external,
            self.unresolved + other.unresolved,
        )


NO_CALLS = CallStats(0, 0, 0, 0)

#: An edge as the graph holds it: (source, target, kind, attributes: kind, weight, more)
EdgePart = tuple[str, str, str, dict[str, Any]]
#: A table, route or configuration node before assembly: (phase, id, attributes);
#: the phase orders nodes as the passes that add them run (see :func:`assemble`)
DataNode = tuple[int, str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one module adds to the graph: its nodes, and the edges whose source is its code."""

    module: str
    #: the module's node, then its definitions', with their attributes
    nodes: tuple[tuple[str, dict[str, Any]], ...]
    #: tables and configuration keys its code reads or writes
    data_nodes: tuple[DataNode, ...]
    edges: tuple[EdgePart, ...]
    calls: CallStats
    unresolved_imports: tuple[UnresolvedImport, ...]
    lines: int
    #: imports of packages outside the project, by top-level name
    external_imports: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class ProgramPart:
    """What only the whole program tells, read from modules' interfaces alone."""

    #: model class id → table
    models: Mapping[str, str]
    #: module-level variables (nodes, in order); state edges of every module point to them
    variables: tuple[tuple[str, dict[str, Any]], ...]
    #: model tables and routes
    data_nodes: tuple[DataNode, ...]
    #: maps (model → table) and route (route → handler) edges
    edges: tuple[EdgePart, ...]


class _Edges:
    def __init__(self) -> None:
        self.weights: Counter[tuple[str, str, str]] = Counter()
        self.attrs: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(self, source: str, target: str, kind: str, weight: int = 1) -> None:
        self.weights[(source, target, kind)] += weight

    def add_column(self, source: str, target: str, kind: str, column: str) -> None:
        """Name a column of the table an access edge reaches (``columns``: sorted, comma-separated)."""
        attrs = self.attrs.setdefault((source, target, kind), {})
        attrs["columns"] = ",".join(sorted({*filter(None, attrs.get("columns", "").split(",")), column}))

    def parts(self) -> tuple[EdgePart, ...]:
        """The edges sorted by source, target and kind."""
        return tuple(
            (
                source,
                target,
                kind,
                {"kind": kind, "weight": weight, **self.attrs.get((source, target, kind), {})},
            )
            for (source, target, kind), weight in sorted(self.weights.items())
        )


# --- the interface: what resolving other modules reads of a module -------------------------------


def interface_calls(frameworks: Sequence[Framework]) -> frozenset[str]:
    """Attributes whose calls program-wide framework passes read (``register_blueprint``, ...)."""
    return frozenset().union(*(fw.interface_calls for fw in frameworks))


def interface_helpers(facts: Iterable[ModuleFacts], calls: frozenset[str]) -> frozenset[str]:
    """Names of the project's functions that may forward their parameters to ``calls``."""
    return forwarding_functions(facts, calls)


def is_interface_call(call: CallFact, calls: frozenset[str], helpers: frozenset[str] = frozenset()) -> bool:
    """Whether program-wide passes read ``call``: a method named in ``calls``, or a helper by name."""
    if isinstance(call.func, Attr) and call.func.attr in calls:
        return True
    return bool(helpers) and callee_name(call.func) in helpers


def module_interface(
    facts: ModuleFacts, calls: frozenset[str], helpers: frozenset[str] = frozenset()
) -> tuple[object, ...]:
    """What resolving any *other* module, or a program-wide pass, may read of ``facts``.

    Definitions and imports (without line numbers), the bindings of module
    and class bodies, the function locals that code outside can see (see
    :func:`_visible_bindings`), attributes assigned on ``self``, returns,
    ``__all__``, globals, the calls named in ``calls`` and the calls of the
    ``helpers`` that may forward to them (:func:`forwarding_functions`, by
    name or the name they are imported as). Two versions of a
    module with equal interfaces differ only in code whose meaning is local:
    call sites, references, reads of configuration, tables and state, locals
    nothing exposes, line numbers.
    """
    named = named_calls(facts, helpers) if helpers else frozenset()
    read_calls = tuple(call for call in facts.calls if is_interface_call(call, calls, named))
    return (
        facts.module,
        facts.path,
        facts.is_package,
        tuple(
            (d.qualname, d.kind, d.decorators, d.bases, d.params, d.returns, d.is_async)
            for d in facts.definitions
        ),
        tuple(
            (i.scope, i.module, i.name, i.bound, i.level, i.type_checking, i.conditional)
            for i in facts.imports
        ),
        _visible_bindings(facts, read_calls),
        facts.attr_bindings,
        facts.returns,
        facts.all_names,
        facts.globals,
        read_calls,
    )


def _visible_bindings(facts: ModuleFacts, calls: tuple[CallFact, ...]) -> tuple[Binding, ...]:
    """The bindings whose meaning code outside the module can observe.

    Module and class bodies are read from anywhere. A function's locals are
    read from outside only through what the module exposes: what functions
    return, attributes set on ``self``, bases and decorators of definitions,
    class bodies, and the calls program-wide passes read. From those
    expressions, follow each name to the scope that binds it (Python's rules,
    as :meth:`Resolver.lookup` applies them) and on through its bindings.
    """
    kinds = {d.qualname: d.kind for d in facts.definitions}
    bound: dict[tuple[str, str], list[Expr]] = defaultdict(list)
    for binding in facts.bindings:
        bound[(binding.scope, binding.name)].append(binding.value)
    names = set(bound) | {(imp.scope, imp.bound) for imp in facts.imports if imp.name != "*"}

    def in_function(scope: str) -> bool:
        return scope != "" and kinds.get(scope) != "class"

    def binding_scope(scope: str, name: str) -> str | None:
        current, first = scope, True
        while True:
            if (first or kinds.get(current) != "class") and (current, name) in names:
                return current
            if not current:
                return None
            first, current = False, current.rpartition(".")[0]

    seen: list[tuple[str, Expr]] = [(r.scope, r.value) for r in facts.returns]
    seen += [(ab.scope, ab.value) for ab in facts.attr_bindings]
    seen += [(b.scope, b.value) for b in facts.bindings if not in_function(b.scope)]
    for d in facts.definitions:
        seen += [(d.scope, e) for e in (*d.bases, *d.decorators)]
        if d.returns is not None:
            seen.append((d.qualname, d.returns))
    for call in calls:
        seen += [(call.scope, e) for e in (call.func, *call.args, *(value for _, value in call.kwargs))]
    visible: set[tuple[str, str]] = set()
    while seen:
        scope, expr = seen.pop()
        for name in _names(expr):
            where = binding_scope(scope, name)
            if where is not None and in_function(where) and (where, name) not in visible:
                visible.add((where, name))
                seen += [(where, value) for value in bound[(where, name)]]
    return tuple(b for b in facts.bindings if not in_function(b.scope) or (b.scope, b.name) in visible)


def _names(expr: Expr) -> Iterator[str]:
    """The names an expression looks up (not the module's own definitions it points at)."""
    if isinstance(expr, Name):
        if not expr.id.startswith(DEF_MARKER):
            yield expr.id
    elif isinstance(expr, (Attr, Item, Nth)):
        yield from _names(expr.base)
    elif isinstance(expr, CallOf):
        for part in (expr.func, *expr.args, *(value for _, value in expr.kwargs)):
            yield from _names(part)
    elif isinstance(expr, Items):
        for item in expr.items:
            yield from _names(item)
    elif isinstance(expr, InstanceOf):
        yield from _names(expr.cls)


# --- building -----------------------------------------------------------------------------------


def program_part(resolver: Resolver, *, frameworks: Sequence[Framework]) -> ProgramPart:
    """Models and their tables, and module-level variables, for the whole program.

    Routes need every module's call sites: :func:`build_parts` adds them.
    """
    models: dict[str, str] = {}
    for fw in frameworks:
        for cls, table in fw.models(resolver).items():
            models.setdefault(cls, table)
    nodes: list[DataNode] = []
    edges = _Edges()
    for cls, table in sorted(models.items()):
        nodes.append((0, table_id(table), {"kind": "table", "name": table}))
        edges.add(cls, table_id(table), "maps")
    return ProgramPart(models, _variables(resolver), tuple(nodes), edges.parts())


def build_parts(
    resolver: Resolver, *, frameworks: Sequence[Framework]
) -> tuple[ProgramPart, list[Contribution]]:
    """The program part and every module's contribution. Pure: reads, never mutates, the facts."""
    program = program_part(resolver, frameworks=frameworks)
    variables = frozenset(vid for vid, _ in program.variables)
    contributions: list[Contribution] = []
    sites: list[CallSite] = []
    for module in sorted(resolver.modules):
        contribution, module_sites = module_contribution(
            resolver, module, frameworks=frameworks, models=program.models, variables=variables
        )
        contributions.append(contribution)
        sites.extend(module_sites)
    nodes = list(program.data_nodes)
    edges = _Edges()
    for index, fw in enumerate(frameworks):
        for route in fw.routes(resolver, sites):
            rid = route_id(route.method, route.path)
            attrs: dict[str, Any] = {
                "kind": "route",
                "method": route.method,
                "path": route.path,
                "framework": route.framework,
            }
            if route.endpoint:
                attrs["endpoint"] = route.endpoint
                attrs["endpoint_rank"] = route.rank
            if route.unknown_prefix:
                attrs["unknown_prefix"] = route.unknown_prefix
            nodes.append((_phase(index, _ROUTES), rid, attrs))
            edges.add(rid, route.handler, "route")
    program = replace(program, data_nodes=tuple(nodes), edges=program.edges + edges.parts())
    return program, contributions


# Tables, routes, configuration keys, metadata and migrations come in the order
# of the passes that add them: model tables (phase 0), then per framework its
# accesses, routes, configuration reads and schema declarations, then tables
# named in SQL strings.
_ACCESSES, _ROUTES, _CONFIG, _SCHEMA = 1, 2, 3, 4


def _phase(framework_index: int, step: int) -> int:
    return framework_index * 4 + step


def module_contribution(
    resolver: Resolver,
    module: str,
    *,
    frameworks: Sequence[Framework],
    models: Mapping[str, str],
    variables: frozenset[str],
) -> tuple[Contribution, list[CallSite]]:
    """What ``module`` adds to the graph (and its resolved call sites)."""
    facts = resolver.modules[module]
    edges = _Edges()
    data_nodes: list[DataNode] = []
    nodes = _code_nodes(resolver, module, facts)
    _add_imports(edges, resolver, module, facts)
    _add_inheritance(edges, resolver, module, facts)
    sites = list(resolver.call_sites(module))
    stats = _add_calls(edges, resolver, sites)
    _add_references(edges, resolver, module, facts)
    model_map = dict(models)
    for index, fw in enumerate(frameworks):
        for rel in fw.relations(resolver, module, model_map):
            if rel.source != rel.target:
                edges.add(rel.source, rel.target, "reference")
        _add_foreign_keys(edges, fw.foreign_keys(resolver, module, model_map))
        for access in fw.accesses(resolver, module, sites, model_map):
            data_nodes.append(
                (_phase(index, _ACCESSES), table_id(access.table), {"kind": "table", "name": access.table})
            )
            if access.column:
                # its own kind: which columns code names is for the generator (what a replica
                # must carry), not more evidence of which capability the code belongs to
                edges.add(access.source, table_id(access.table), "column")
                edges.add_column(access.source, table_id(access.table), "column", access.column)
            else:
                edges.add(access.source, table_id(access.table), access.kind)
        for read in fw.config_reads(resolver, module, sites):
            cid = config_id(read.key)
            attrs = {"kind": "config", "name": read.key, "secret": is_secret_key(read.key)}
            if read.database:
                attrs["database"] = read.database
            data_nodes.append((_phase(index, _CONFIG), cid, attrs))
            edges.add(read.source, cid, "config")
        for declared in fw.metadata(resolver, module):
            attrs = {
                "kind": "metadata",
                "name": declared.object,
                "module": declared.module,
                "declared_by": declared.declared_by,
            }
            data_nodes.append((_phase(index, _SCHEMA), metadata_id(declared.object), attrs))
        for setup in fw.migrations(resolver, module, sites):
            attrs = {"kind": "migrations", "tool": setup.tool, "directory": setup.directory}
            if setup.metadata:  # unknown in one module (an env.py), maybe known in another
                attrs["metadata"] = setup.metadata
            data_nodes.append((_phase(index, _SCHEMA), migrations_id(setup.directory), attrs))
        for script in fw.schema_scripts(resolver, module, sites):
            attrs = {"kind": "schema_script", "file": script.file, "source": script.source}
            data_nodes.append((_phase(index, _SCHEMA), schema_script_id(script.file), attrs))
    sql_phase = _phase(len(frameworks), _ACCESSES)
    statements = _add_sql(data_nodes, edges, module, facts, sql_phase)
    _add_state(edges, resolver, module, facts, variables)
    signatures = _signatures(resolver, module, facts)
    nodes = [(nid, _with_extras(attrs, statements.get(nid), signatures.get(nid))) for nid, attrs in nodes]
    externals: Counter[str] = Counter()
    for imp in facts.imports:
        top = imp.module.split(".")[0]
        if imp.level == 0 and top not in resolver.top_level:
            externals[top] += 1
    first: dict[str, DataNode] = {}
    for node in data_nodes:  # in phase order: only a node's first mention can place it
        known = first.get(node[1])
        if known is None:
            first[node[1]] = node
        elif not node[2].items() <= known[2].items():  # a later mention may only add attributes
            first[node[1]] = (known[0], known[1], {**node[2], **known[2]})
    contribution = Contribution(
        module=module,
        nodes=tuple(nodes),
        data_nodes=tuple(first.values()),
        edges=edges.parts(),
        calls=stats,
        unresolved_imports=tuple(resolver.unresolved_imports(module)),
        lines=facts.lines,
        external_imports=tuple(sorted(externals.items())),
    )
    return contribution, sites


def _add_foreign_keys(edges: _Edges, keys: Iterable[ForeignKey]) -> None:
    """One ``foreign_key`` edge per declaring symbol and referenced table, its columns as attributes."""
    grouped: dict[tuple[str, str], list[ForeignKey]] = defaultdict(list)
    for key in keys:
        grouped[(key.source, table_id(key.table))].append(key)
    for (source, target), found in grouped.items():
        found = sorted(set(found))
        edges.add(source, target, "foreign_key", len(found))
        attrs = {"columns": ",".join(sorted({k.column for k in found}))}
        helpers = sorted({f"{k.column}={k.helper}" for k in found if k.helper})
        types = sorted({f"{k.column}={k.type}" for k in found if k.type})
        if helpers:
            attrs["helpers"] = ",".join(helpers)
        if types:
            attrs["types"] = ",".join(types)
        edges.attrs[(source, target, "foreign_key")] = attrs


def _with_extras(attrs: dict[str, Any], sql: str | None, params: str | None) -> dict[str, Any]:
    if sql is None and params is None:
        return attrs
    attrs = dict(attrs)
    if sql is not None:
        attrs["sql"] = sql
    if params is not None:
        attrs["object_params"] = params
    return attrs


def assemble(program: ProgramPart, contributions: Sequence[Contribution]) -> GraphData:
    """The graph as plain data, from the program part and every module's contribution.

    Nodes come in this order: code nodes (by module), then tables, routes and
    configuration keys in the order the passes that add them run (by module
    within a pass), then variables; an edge comes with its source, sorted by
    target and kind, as networkx lists a graph built in that order. Edges
    whose ends are not nodes of the graph are dropped.
    """
    ordered = sorted(contributions, key=lambda c: c.module)
    nodes: dict[str, dict[str, Any]] = {}
    for contribution in ordered:
        before = len(nodes)
        nodes.update(contribution.nodes)
        if len(nodes) - before != len(contribution.nodes):  # an id another module has too
            for nid, attrs in contribution.nodes:
                _add_node(nodes, nid, attrs)
    data: list[tuple[int, int, int, str, dict[str, Any]]] = [
        (phase, -1, seq, nid, attrs) for seq, (phase, nid, attrs) in enumerate(program.data_nodes)
    ]
    for rank, contribution in enumerate(ordered):
        data.extend(
            (phase, rank, seq, nid, attrs) for seq, (phase, nid, attrs) in enumerate(contribution.data_nodes)
        )
    data.sort(key=lambda item: item[:3])
    for _, _, _, nid, attrs in data:
        _add_node(nodes, nid, attrs)
    for nid, attrs in program.variables:
        _add_node(nodes, nid, attrs)

    # Each part's edges are sorted; a source whose edges come from two parts is merged and sorted again.
    by_source: dict[str, list[EdgePart]] = {}
    first_part: dict[str, int] = {}
    mixed: set[str] = set()
    for index, part in enumerate((program.edges, *(c.edges for c in ordered))):
        for edge in part:
            source = edge[0]
            found = by_source.get(source)
            if found is None:
                by_source[source] = [edge]
                first_part[source] = index
            else:
                found.append(edge)
                if first_part[source] != index:
                    mixed.add(source)
    for source in mixed:
        by_source[source] = _merge_edges(by_source[source])
    edges: list[EdgePart] = []
    for source in nodes:
        for edge in by_source.get(source, ()):
            if edge[1] in nodes:
                edges.append(edge)
    return tuple(nodes.items()), tuple(flow(edges))


def _add_node(nodes: dict[str, dict[str, Any]], nid: str, attrs: dict[str, Any]) -> None:
    known = nodes.get(nid)
    if known is None:
        nodes[nid] = attrs
    elif known != attrs:
        nodes[nid] = {**known, **attrs}  # never changes a part's own attributes


def _merge_edges(edges: list[EdgePart]) -> list[EdgePart]:
    """One edge per target and kind, weights summed, ``passes`` joined; sorted."""
    merged: dict[tuple[str, str], EdgePart] = {}
    for edge in edges:
        key = (edge[1], edge[2])
        known = merged.get(key)
        if known is None:
            merged[key] = edge
            continue
        attrs = {**known[3], **edge[3], "weight": known[3]["weight"] + edge[3]["weight"]}
        for name in ("passes", *FLOW_ATTRIBUTES):
            if name in known[3] and name in edge[3]:
                attrs[name] = "; ".join(
                    sorted(set(known[3][name].split("; ")) | set(edge[3][name].split("; ")))
                )
        merged[key] = (edge[0], edge[1], edge[2], attrs)
    return [merged[key] for key in sorted(merged)]


def to_networkx(data: GraphData) -> Any:
    """A networkx MultiDiGraph of the plain data (networkx is imported only here)."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.add_nodes_from(data[0])
    graph.add_edges_from(data[1])
    return graph


# --- one module's nodes and edges ------------------------------------------------------------------


def _code_nodes(resolver: Resolver, module: str, facts: ModuleFacts) -> list[tuple[str, dict[str, Any]]]:
    parent = module.rpartition(".")[0]
    nodes: list[tuple[str, dict[str, Any]]] = [
        (
            module,
            {
                "kind": "module",
                "file": facts.path,
                "line": 1,
                "end_line": facts.lines,
                "size": facts.lines,
                "parent": parent if parent in resolver.modules else "",
            },
        )
    ]
    for d in facts.definitions:  # a name defined twice is one node: first place, last definition
        nodes.append(
            (
                node_id(module, d.qualname),
                {
                    "kind": d.kind,
                    "file": facts.path,
                    "line": d.line,
                    "end_line": d.end_line,
                    "size": d.end_line - d.line + 1 if d.line else 0,
                    "parent": node_id(module, d.scope),
                },
            )
        )
    merged: dict[str, dict[str, Any]] = {}
    for nid, attrs in nodes:
        merged.setdefault(nid, {}).update(attrs)
    return list(merged.items())


def _add_imports(edges: _Edges, resolver: Resolver, module: str, facts: ModuleFacts) -> None:
    flags: dict[tuple[str, str, str], list[tuple[bool, bool]]] = defaultdict(list)
    for imp in facts.imports:
        target = resolver.imported_module(module, imp)
        if target is None or target == module:
            continue
        key = (module, target, "import")
        edges.add(*key)
        flags[key].append((imp.type_checking, imp.conditional))
    for key, seen in flags.items():
        edges.attrs[key] = {
            "type_checking": all(tc for tc, _ in seen),
            "conditional": all(cond for _, cond in seen),
        }


def _last_definitions(facts: ModuleFacts) -> list[Definition]:
    """The definitions of a module, one per name (the last, as the resolver sees them)."""
    return list({d.qualname: d for d in facts.definitions}.values())


def _add_inheritance(edges: _Edges, resolver: Resolver, module: str, facts: ModuleFacts) -> None:
    for d in _last_definitions(facts):
        if d.kind != "class":
            continue
        cls = node_id(module, d.qualname)
        project, _ = resolver.bases(cls)
        for base in project:
            edges.add(cls, base, "inherit")


def _add_calls(edges: _Edges, resolver: Resolver, sites: list[CallSite]) -> CallStats:
    internal = external = unresolved = 0
    for site in sites:
        targets: set[str] = set()
        for value in site.values:
            if isinstance(value, Def):
                kind = resolver.kind(value.id)
                if kind in ("function", "method"):
                    targets.add(value.id)
                elif kind == "class":
                    targets.add(resolver.init_target(value.id))
            elif isinstance(value, Inst):
                for call in resolver.class_member(value.cls, "__call__", instance=False):
                    if isinstance(call, Def) and resolver.kind(call.id) == "method":
                        targets.add(call.id)
        attributes = call_attributes(resolver, site, targets) if targets else {}
        for target in targets:
            edges.add(site.caller, target, "call")
            for name, text in attributes.get(target, {}).items():
                key = (site.caller, target, "call")
                known = set(str(edges.attrs.get(key, {}).get(name, "")).split("; ")) - {""}
                edges.attrs.setdefault(key, {})[name] = "; ".join(sorted(known | set(text.split("; "))))
        if targets:
            internal += 1
        elif site.values:
            external += 1
        else:
            unresolved += 1
    return CallStats(len(sites), internal, external, unresolved)


def _signatures(resolver: Resolver, module: str, facts: ModuleFacts) -> dict[str, str]:
    """``object_params`` of functions whose parameters are annotated with project classes."""
    found: dict[str, str] = {}
    for definition in _last_definitions(facts):
        if definition.kind == "class":
            continue
        params = []
        for param in definition.params:
            if param.annotation is None:
                continue
            for value in resolver.eval(module, definition.scope, param.annotation):
                if isinstance(value, Inst):
                    params.append(f"{param.name}: {value.cls}")
        if params:
            found[node_id(module, definition.qualname)] = "; ".join(sorted(set(params)))
    return found


def _add_references(edges: _Edges, resolver: Resolver, module: str, facts: ModuleFacts) -> None:
    named = [(ref.scope, node_id(module, ref.scope), ref.expr) for ref in facts.references]
    # A decorated definition refers to its decorators: ``@login_required`` on a
    # view ties the view to it (applying it is a call from the enclosing scope).
    for definition in facts.definitions:
        source = node_id(module, definition.qualname)
        for decorator in definition.decorators:
            target = decorator.func if isinstance(decorator, CallOf) else decorator
            named.append((definition.scope, source, target))
    for scope, source, expr in named:
        targets = [
            value.id
            for value in resolver.eval(module, scope, expr)
            if isinstance(value, Def) and resolver.kind(value.id) in ("class", "function", "method")
        ]
        if not targets and isinstance(expr, Attr):
            # ``PaymentStatus.CAPTURED``: the member is a value, not a definition;
            # the code still depends on the class that holds it.
            targets = [
                value.id
                for value in resolver.eval(module, scope, expr.base)
                if isinstance(value, Def) and resolver.kind(value.id) == "class"
            ]
        for referenced in targets:
            if referenced != source:
                edges.add(source, referenced, "reference")
    # A function named as a value (``filters["is_unread"] = is_unread``, ``sorted(key=rank)``)
    # is called later by whoever is handed it, out of sight, with what that caller has.
    loaded: list[tuple[str, Expr]] = [(scope, Name(name)) for scope, name in facts.value_loads]
    loaded += [(ref.scope, ref.expr) for ref in facts.attribute_loads]
    for scope, expr in loaded:
        source = node_id(module, scope)
        for value in resolver.eval(module, scope, expr):
            if isinstance(value, Def) and value.id != source and resolver.kind(value.id) == "function":
                edges.add(source, value.id, "value")


#: Module-level objects that are configuration or framework plumbing, not state.
_NOT_STATE_CALLS = frozenset(
    {
        "getLogger",
        "TypeVar",
        "ParamSpec",
        "NewType",
        "namedtuple",
        "compile",
        "Blueprint",
        "APIRouter",
        "Flask",
        "FastAPI",
        "frozenset",
        "tuple",
        "object",
        "declarative_base",
        "MetaData",
        "field",
        "partial",
        "Enum",
        "Path",
        "timedelta",
        "Decimal",
    }
)


def _is_state(name: str, bound: list[object]) -> bool:
    """Whether a module-level name holds state: a cache, a registry, a client object.

    Collections count when empty (``_CACHE = {}``) or holding objects; a
    collection of literals is a constant table. Objects created by a call
    count for lower-case names, bar the configuration and plumbing kinds in
    :data:`_NOT_STATE_CALLS`; upper-case names bound to calls are constants
    by convention.
    """
    if name.startswith("__") or not bound or any(isinstance(b, ImportFact) for b in bound):
        return False
    for value in bound:
        if isinstance(value, Items):
            if value.items and all(isinstance(item, Lit) for item in value.items):
                return False
        elif isinstance(value, CallOf):
            func = value.func
            last = func.attr if isinstance(func, Attr) else getattr(func, "id", "")
            if last in _NOT_STATE_CALLS or name.lstrip("_")[:1].isupper():
                return False
        else:
            return False
    return True


def _variables(resolver: Resolver) -> tuple[tuple[str, dict[str, Any]], ...]:
    """Module-level state of every module, as variable nodes (a name that is also a code node is not one)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for module in sorted(resolver.modules):
        facts = resolver.modules[module]
        for name, bound in sorted(resolver.scope_bindings(module).items()):
            if _is_state(name, list(bound)):
                vid = node_id(module, name)
                if vid in resolver.modules or resolver.definition(vid) is not None:
                    continue
                found.append((vid, {"kind": "variable", "name": name, "file": facts.path, "parent": module}))
    return tuple(found)


def _add_state(
    edges: _Edges, resolver: Resolver, module: str, facts: ModuleFacts, variables: frozenset[str]
) -> None:
    if not variables:
        return
    capitalised = [(r.scope, r.expr.id) for r in facts.references if isinstance(r.expr, Name) and r.scope]
    for scope, name in (*facts.loads, *capitalised):
        found = resolver.defining_scope(module, scope, name)
        if found is not None and found[1] == "":
            vid = node_id(found[0], name)
            if vid in variables:
                edges.add(node_id(module, scope), vid, "state")
    for ref in facts.references:  # ``cache._REGISTRY`` through the module
        if ref.scope and isinstance(ref.expr, Attr):
            for value in resolver.eval(module, ref.scope, ref.expr.base):
                if isinstance(value, Def) and node_id(value.id, ref.expr.attr) in variables:
                    edges.add(node_id(module, ref.scope), node_id(value.id, ref.expr.attr), "state")


def _add_sql(
    data_nodes: list[DataNode], edges: _Edges, module: str, facts: ModuleFacts, phase: int
) -> dict[str, str]:
    """Table reads and writes of SQL strings; returns the ``sql`` attribute of their sources."""
    statements: dict[str, set[str]] = defaultdict(set)
    for sql in facts.sql:
        source = node_id(module, sql.scope)
        tables = sorted(set(sql.reads) | set(sql.writes))
        if len(tables) > 1:
            statements[source].add(",".join(tables))
        for table in sql.reads:
            data_nodes.append((phase, table_id(table), {"kind": "table", "name": table}))
            edges.add(source, table_id(table), "read")
        for table in sql.writes:
            data_nodes.append((phase, table_id(table), {"kind": "table", "name": table}))
            edges.add(source, table_id(table), "write")
    # statements naming several tables, for finding joins a split would cut
    return {source: ";".join(sorted(joined)) for source, joined in statements.items()}


def unique_ids(contributions: Iterable[Contribution]) -> bool:
    """Whether no node id is contributed by two modules (so each id has one owner)."""
    seen: set[str] = set()
    for contribution in contributions:
        for nid, _ in contribution.nodes:
            if nid in seen:
                return False
            seen.add(nid)
    return True
