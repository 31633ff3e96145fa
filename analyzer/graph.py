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
============ ====================================================================

Code nodes carry ``file`` (posix path relative to the analysed root),
``line``, ``end_line``, ``size`` (lines) and ``parent`` (the enclosing node).

Edges (``kind`` attribute, also the multigraph key; ``weight`` counts occurrences):

============= ===================================================================
``import``    module → project module it imports (``type_checking``: only under
              ``if TYPE_CHECKING``; ``conditional``: only inside if/try)
``call``      caller → callee (module-level code calls from the module node;
              calling a class goes to the ``__init__`` that runs); ``passes``
              lists arguments that are objects, functions or classes
``inherit``   class → project base class
``reference`` symbol → class or function it names without calling it (its
              decorators included); model → model for foreign keys and relationships
``maps``      model class → the table it maps
``read``      symbol → table it reads (ORM queries, raw SQL)
``write``     symbol → table it writes (creates, updates, deletes, raw SQL)
``route``     route → the function, method or class that handles it
``config``    symbol → configuration key it reads
``state``     symbol → module-level variable it reads or changes
============= ===================================================================
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzer.facts import Attr, CallOf, ImportFact, Items, Lit, Name
from analyzer.frameworks.base import Framework
from analyzer.resolve import CallSite, Resolver, node_id
from analyzer.values import Coll, Def, ExtInst, Inst

if TYPE_CHECKING:
    import networkx as nx

NODE_KINDS = ("module", "class", "function", "method", "table", "route", "config", "variable")
EDGE_KINDS = ("import", "call", "inherit", "reference", "maps", "read", "write", "route", "config", "state")
CODE_KINDS = frozenset({"module", "class", "function", "method"})

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


@dataclass(frozen=True, slots=True)
class CallStats:
    """How many call sites resolved, and to what."""

    total: int
    internal: int
    external: int
    unresolved: int


class _Edges:
    def __init__(self) -> None:
        self.weights: Counter[tuple[str, str, str]] = Counter()
        self.attrs: dict[tuple[str, str, str], dict[str, object]] = {}

    def add(self, source: str, target: str, kind: str, weight: int = 1) -> None:
        self.weights[(source, target, kind)] += weight


def build_graph(resolver: Resolver, *, frameworks: Sequence[Framework]) -> tuple[nx.MultiDiGraph, CallStats]:
    """Build the dependency graph of a resolved program. Pure: reads, never mutates, the resolver's facts."""
    import networkx as nx  # here, not at import: a cached run never builds a graph

    graph = nx.MultiDiGraph()
    edges = _Edges()
    _add_code_nodes(graph, resolver)
    _add_imports(edges, resolver)
    _add_inheritance(edges, resolver)
    sites = list(resolver.call_sites())
    stats = _add_calls(edges, resolver, sites)
    _add_references(edges, resolver)

    models: dict[str, str] = {}
    for fw in frameworks:
        for cls, table in fw.models(resolver).items():
            models.setdefault(cls, table)
    for cls, table in sorted(models.items()):
        graph.add_node(table_id(table), kind="table", name=table)
        edges.add(cls, table_id(table), "maps")
    for fw in frameworks:
        for rel in fw.relations(resolver, models):
            if rel.source != rel.target:
                edges.add(rel.source, rel.target, "reference")
        for access in fw.accesses(resolver, sites, models):
            graph.add_node(table_id(access.table), kind="table", name=access.table)
            edges.add(access.source, table_id(access.table), access.kind)
        for route in fw.routes(resolver, sites):
            rid = route_id(route.method, route.path)
            graph.add_node(rid, kind="route", method=route.method, path=route.path, framework=route.framework)
            edges.add(rid, route.handler, "route")
        for read in fw.config_reads(resolver, sites):
            cid = config_id(read.key)
            graph.add_node(cid, kind="config", name=read.key, secret=is_secret_key(read.key))
            edges.add(read.source, cid, "config")
    _add_sql(graph, edges, resolver)
    _add_state(graph, edges, resolver)
    _add_signatures(graph, resolver)

    for (source, target, kind), weight in sorted(edges.weights.items()):
        if source not in graph or target not in graph:
            continue
        attrs = edges.attrs.get((source, target, kind), {})
        graph.add_edge(source, target, key=kind, kind=kind, weight=weight, **attrs)
    return graph, stats


def _add_code_nodes(graph: nx.MultiDiGraph, resolver: Resolver) -> None:
    for module in sorted(resolver.modules):
        facts = resolver.modules[module]
        parent = module.rpartition(".")[0]
        graph.add_node(
            module,
            kind="module",
            file=facts.path,
            line=1,
            end_line=facts.lines,
            size=facts.lines,
            parent=parent if parent in resolver.modules else "",
        )
        for d in facts.definitions:
            nid = node_id(module, d.qualname)
            graph.add_node(
                nid,
                kind=d.kind,
                file=facts.path,
                line=d.line,
                end_line=d.end_line,
                size=d.end_line - d.line + 1 if d.line else 0,
                parent=node_id(module, d.scope),
            )


def _add_imports(edges: _Edges, resolver: Resolver) -> None:
    flags: dict[tuple[str, str, str], list[tuple[bool, bool]]] = defaultdict(list)
    for module in sorted(resolver.modules):
        for imp in resolver.modules[module].imports:
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


def _add_inheritance(edges: _Edges, resolver: Resolver) -> None:
    for cls in sorted(resolver.definitions):
        if resolver.definitions[cls][1].kind != "class":
            continue
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
        passes = _non_json_arguments(resolver, site) if targets else set()
        for target in targets:
            edges.add(site.caller, target, "call")
            if passes:
                key = (site.caller, target, "call")
                known = set(str(edges.attrs.get(key, {}).get("passes", "")).split("; ")) - {""}
                edges.attrs[key] = {"passes": "; ".join(sorted(known | passes))}
        if targets:
            internal += 1
        elif site.values:
            external += 1
        else:
            unresolved += 1
    return CallStats(len(sites), internal, external, unresolved)


_JSON_MODULES = ("builtins.", "datetime.", "decimal.", "uuid.", "typing.", "collections.")


def _describe_value(resolver: Resolver, value: object) -> str | None:
    """How an argument value could not travel as JSON, or None when it could."""
    if isinstance(value, Inst):
        return f"{value.cls} instance"
    if isinstance(value, Def):
        kind = resolver.kind(value.id)
        return f"{kind} {value.id}" if kind in ("function", "method", "class") else None
    if isinstance(value, ExtInst):
        last = value.path.rsplit(".", 1)[-1]
        if last[:1].isupper() and not value.path.startswith(_JSON_MODULES):
            return f"{value.path} object"
    if isinstance(value, Coll):
        for item in sorted(value.items, key=repr):
            found = _describe_value(resolver, item)
            if found:
                return found
    return None


def _non_json_arguments(resolver: Resolver, site: CallSite) -> set[str]:
    """Arguments of a call that are objects, functions or classes rather than plain data."""
    found: set[str] = set()
    for arg in (*site.fact.args, *(value for _, value in site.fact.kwargs)):
        for value in resolver.eval(site.module, site.scope, arg):
            description = _describe_value(resolver, value)
            if description:
                found.add(description)
    return found


def _add_signatures(graph: nx.MultiDiGraph, resolver: Resolver) -> None:
    """``object_params`` on functions whose parameters are annotated with project classes."""
    for nid, (module, definition) in sorted(resolver.definitions.items()):
        if definition.kind == "class":
            continue
        params = []
        for param in definition.params:
            if param.annotation is None:
                continue
            for value in resolver.eval(module, definition.scope, param.annotation):
                if isinstance(value, Inst):
                    params.append(f"{param.name}: {value.cls}")
        if params and nid in graph:
            graph.nodes[nid]["object_params"] = "; ".join(sorted(set(params)))


def _add_references(edges: _Edges, resolver: Resolver) -> None:
    for module in sorted(resolver.modules):
        facts = resolver.modules[module]
        named = [(ref.scope, node_id(module, ref.scope), ref.expr) for ref in facts.references]
        # A decorated definition refers to its decorators: ``@login_required`` on a
        # view ties the view to it (applying it is a call from the enclosing scope).
        for definition in facts.definitions:
            source = node_id(module, definition.qualname)
            for decorator in definition.decorators:
                target = decorator.func if isinstance(decorator, CallOf) else decorator
                named.append((definition.scope, source, target))
        for scope, source, expr in named:
            for value in resolver.eval(module, scope, expr):
                if not isinstance(value, Def) or value.id == source:
                    continue
                if resolver.kind(value.id) in ("class", "function", "method"):
                    edges.add(source, value.id, "reference")


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


def _add_state(graph: nx.MultiDiGraph, edges: _Edges, resolver: Resolver) -> None:
    variables: set[str] = set()
    for module in sorted(resolver.modules):
        for name, bound in sorted(resolver.bindings.get((module, ""), {}).items()):
            if _is_state(name, list(bound)):
                vid = node_id(module, name)
                if vid not in graph:
                    variables.add(vid)
                    graph.add_node(
                        vid, kind="variable", name=name, file=resolver.modules[module].path, parent=module
                    )
    if not variables:
        return
    for module in sorted(resolver.modules):
        facts = resolver.modules[module]
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


def _add_sql(graph: nx.MultiDiGraph, edges: _Edges, resolver: Resolver) -> None:
    statements: dict[str, set[str]] = defaultdict(set)
    for module in sorted(resolver.modules):
        for sql in resolver.modules[module].sql:
            source = node_id(module, sql.scope)
            tables = sorted(set(sql.reads) | set(sql.writes))
            if len(tables) > 1:
                statements[source].add(",".join(tables))
            for table in sql.reads:
                graph.add_node(table_id(table), kind="table", name=table)
                edges.add(source, table_id(table), "read")
            for table in sql.writes:
                graph.add_node(table_id(table), kind="table", name=table)
                edges.add(source, table_id(table), "write")
    for source, joined in statements.items():
        if source in graph:
            # statements naming several tables, for finding joins a split would cut
            graph.nodes[source]["sql"] = ";".join(sorted(joined))
