"""What a call hands over that could not cross a network boundary: a ``call`` edge's ``passes``.

An argument is described when it is an object, a function, a class or one of
the request's context locals rather than plain data (:func:`describe_value`).
Real code rarely hands such a value straight to the function that would be
split away; it hands it down through its own layers::

    categories = Category.get_all(user=real(current_user))   # a view
    def get_all(cls, user): ... get_categories_and_forums(forums, user)

so two facts are recorded beside ``passes`` at each call, both local to the
caller's module (a module's contribution stays its own):

- ``passes_at``: each described argument with the callee parameter it binds
  (``user: flask_login.current_user context local``), seen through helpers
  that return one of their parameters (``real(obj)``: ``return obj``);
- ``forwards``: each callee parameter bound to one of the caller's own
  parameters, as it is written (``user<user``).

:func:`flow` follows them over the whole program when the graph is assembled:
what a function's parameter receives, every call forwarding that parameter
passes too. The two facts are consumed there; the graph keeps ``passes``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from analyzer.facts import CallOf, Expr, Name
from analyzer.frameworks.forwarding import bind
from analyzer.resolve import CallSite, Resolver
from analyzer.values import Coll, Def, Ext, ExtInst, Inst

#: values of these modules travel as data (a ``datetime``, a ``Decimal``, a ``deque``)
_JSON_MODULES = ("builtins.", "datetime.", "decimal.", "uuid.", "typing.", "collections.")
#: the request's context locals, by where they are imported from: ``real(current_user)`` hands
#: over a proxy of the app, ``g``, the cookie session, the request or the user, not data
CONTEXT_LOCALS = frozenset(
    {
        "flask.current_app",
        "flask.g",
        "flask.request",
        "flask.session",
        "flask.globals.current_app",
        "flask.globals.g",
        "flask.globals.request",
        "flask.globals.session",
        "flask_login.current_user",
        "flask_login.utils.current_user",
        "flask_jwt_extended.current_user",
    }
)
#: the edge attributes :func:`flow` consumes
FLOW_ATTRIBUTES = ("passes_at", "forwards")
#: identity helpers calling identity helpers: how deep an argument is followed
_MAX_DEPTH = 4


def describe_value(resolver: Resolver, value: object) -> str | None:
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
    if isinstance(value, Ext) and value.path in CONTEXT_LOCALS:
        return f"{value.path} context local"
    if isinstance(value, Coll):
        for item in sorted(value.items, key=repr):
            found = describe_value(resolver, item)
            if found:
                return found
    return None


def call_attributes(resolver: Resolver, site: CallSite, targets: Iterable[str]) -> dict[str, dict[str, str]]:
    """Target → the ``passes``, ``passes_at`` and ``forwards`` of its edge from this call (when any)."""
    arguments = (*site.fact.args, *(value for _, value in site.fact.kwargs))
    # by identity: bind() hands back these very expressions, for each target
    descriptions = {id(arg): _describe(resolver, site.module, site.scope, arg, 0) for arg in arguments}
    described = set().union(*descriptions.values())
    own = _parameters(resolver, site.caller)
    found: dict[str, dict[str, str]] = {}
    for target in sorted(targets):
        at: set[str] = set()
        forwards: set[str] = set()
        for param, arg in bind(resolver, target, site.fact):
            at.update(f"{param}: {d}" for d in descriptions[id(arg)])
            forwards.update(
                f"{param}<{name}" for name in _origins(resolver, site.module, site.scope, arg, own, 0)
            )
        attrs = {
            key: "; ".join(sorted(values))
            for key, values in (("passes", described), ("passes_at", at), ("forwards", forwards))
            if values
        }
        if attrs:
            found[target] = attrs
    return found


def _parameters(resolver: Resolver, function: str) -> frozenset[str]:
    found = resolver.definition(function)
    if found is None or found[1].kind == "class":
        return frozenset()
    return frozenset(p.name for p in found[1].params)


def _describe(resolver: Resolver, module: str, scope: str, arg: Expr, depth: int) -> set[str]:
    """How ``arg`` could not travel: its own values, and what an identity helper it goes through returns."""
    values = resolver.eval(module, scope, arg)
    if any(not isinstance(v, Coll) for v in values):
        # what ``session.add(order)`` put into an object is not what is handed over: the object is
        values = frozenset(v for v in values if not isinstance(v, Coll))
    found = {d for v in values if (d := describe_value(resolver, v))}
    for inner in _through_identity(resolver, module, scope, arg, depth):
        found |= _describe(resolver, module, scope, inner, depth + 1)
    return found


def _origins(
    resolver: Resolver, module: str, scope: str, arg: Expr, own: frozenset[str], depth: int
) -> set[str]:
    """The caller's own parameters ``arg`` is, as written or through an identity helper."""
    if isinstance(arg, Name):
        return {arg.id} if arg.id in own else set()
    found: set[str] = set()
    for inner in _through_identity(resolver, module, scope, arg, depth):
        found |= _origins(resolver, module, scope, inner, own, depth + 1)
    return found


def _through_identity(resolver: Resolver, module: str, scope: str, arg: Expr, depth: int) -> Iterator[Expr]:
    """The arguments of ``helper(...)`` that it may return as they are (``def real(obj): ... return obj``)."""
    if depth >= _MAX_DEPTH or not isinstance(arg, CallOf):
        return
    for value in sorted(resolver.eval(module, scope, arg.func), key=repr):
        if isinstance(value, Def) and resolver.kind(value.id) == "function":
            returned = resolver.returned_parameters(value.id)
            for param, inner in bind(resolver, value.id, arg):
                if param in returned:
                    yield inner


def flow(edges: Sequence[tuple[str, str, str, dict[str, Any]]]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The edges with ``passes`` grown by what forwarded parameters receive, the flow attributes consumed."""
    received: dict[tuple[str, str], set[str]] = defaultdict(set)
    forwards: list[tuple[int, str, str, str, str]] = []
    for index, (source, target, kind, attrs) in enumerate(edges):
        if kind != "call":
            continue
        for entry in _entries(attrs.get("passes_at")):
            param, _, description = entry.partition(": ")
            received[(target, param)].add(description)
        for entry in _entries(attrs.get("forwards")):
            param, _, own = entry.partition("<")
            forwards.append((index, source, own, target, param))
    changed = True
    while changed:
        changed = False
        for _, source, own, target, param in forwards:
            coming = received.get((source, own))
            if coming and not coming <= received[(target, param)]:
                received[(target, param)] |= coming
                changed = True
    grown: dict[int, set[str]] = defaultdict(set)
    for index, source, own, _, _ in forwards:
        grown[index] |= received.get((source, own), set())
    result = []
    for index, (source, target, kind, attrs) in enumerate(edges):
        if any(key in attrs for key in FLOW_ATTRIBUTES) or grown.get(index):
            attrs = {k: v for k, v in attrs.items() if k not in FLOW_ATTRIBUTES}
            passes = set(_entries(attrs.get("passes"))) | grown.get(index, set())
            if passes:
                attrs["passes"] = "; ".join(sorted(passes))
        result.append((source, target, kind, attrs))
    return result


def _entries(text: object) -> list[str]:
    return [entry for entry in str(text or "").split("; ") if entry]
