"""Framework calls made through the application's own helpers.

Applications wrap registration calls in small functions of their own::

    def register_view(bp_or_app, routes, view_func, **kwargs):
        for route in routes:
            bp_or_app.add_url_rule(route, view_func=view_func, **kwargs)

    register_view(forum, routes=["/", "/index"], view_func=Index.as_view("index"))

The ``add_url_rule`` written in the helper means nothing on its own (its
router and rule are parameters); the call of the helper says what they are.
:func:`calls_through_helpers` gives each such call as it runs, every part
:class:`Placed` where it is written: a parameter stands for the argument the
caller passed, evaluated in the caller's scope; ``for x in param`` stands for
one element of it.

Program-wide passes may read only interface calls (see
:mod:`analyzer.frameworks.base`), so the calls of helpers are part of a
module's interface too: :func:`forwarding_functions` names the helpers from
the facts alone, and :func:`analyzer.graph.module_interface` keeps the calls
made by those names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzer.facts import (
    Attr,
    CallFact,
    CallOf,
    Definition,
    Expr,
    ImportFact,
    Item,
    Items,
    Lit,
    ModuleFacts,
    Name,
    Opaque,
)
from analyzer.values import Def

if TYPE_CHECKING:
    from analyzer.resolve import CallSite, Resolver

#: helpers calling helpers: how deep a chain is followed
MAX_DEPTH = 4


@dataclass(frozen=True, slots=True)
class Placed:
    """An expression and where it is written (``module``, ``scope``): where to evaluate it."""

    expr: Expr
    module: str
    scope: str


@dataclass(frozen=True, slots=True)
class ForwardedCall:
    """A call of ``base.method(...)`` as it runs, each part placed where it is written.

    ``site`` is the call site in the code the analysis attributes it to: the
    framework call itself or the outermost helper call leading to it.
    """

    base: Placed
    args: tuple[Placed, ...]
    kwargs: tuple[tuple[str, Placed], ...]
    site: CallSite

    def argument(self, position: int, keyword: str) -> Placed | None:
        """The argument passed at ``position`` or as ``keyword`` (None when absent or after a ``*``)."""
        for name, value in self.kwargs:
            if name == keyword:
                return value
        if 0 <= position < len(self.args) and not isinstance(self.args[position].expr, Opaque):
            return self.args[position]
        return None

    def strings(self, resolver: Resolver, position: int, keyword: str) -> tuple[str, ...]:
        """The literal strings the argument can be (several for one element of a literal list)."""
        placed = self.argument(position, keyword)
        if placed is None:
            return ()
        return static_strings(resolver, placed) or ()


def calls_through_helpers(
    resolver: Resolver, sites: Sequence[CallSite], method: str
) -> Iterator[ForwardedCall]:
    """Every ``x.method(...)`` of the program: written in place, or in a helper, once per call of it."""
    helpers = _helper_ids(resolver, method)
    for site in sites:
        func = site.fact.func
        if isinstance(func, Attr) and func.attr == method:
            yield ForwardedCall(
                Placed(func.base, site.module, site.scope),
                tuple(Placed(a, site.module, site.scope) for a in site.fact.args),
                tuple((k, Placed(v, site.module, site.scope)) for k, v in site.fact.kwargs),
                site,
            )
        for value in sorted(site.values, key=repr):
            if isinstance(value, Def) and value.id in helpers:
                bound = _bind(resolver, value.id, site.fact, site.module, site.scope)
                yield from _through(resolver, value.id, bound, method, helpers, site, 1)


def _through(
    resolver: Resolver,
    helper: str,
    bound: Mapping[str, Placed],
    method: str,
    helpers: frozenset[str],
    site: CallSite,
    depth: int,
) -> Iterator[ForwardedCall]:
    found = resolver.definition(helper)
    if found is None or depth > MAX_DEPTH:
        return
    module, definition = found
    scope = definition.qualname
    for call in resolver.modules[module].calls:
        if call.scope != scope:
            continue
        func = call.func
        if isinstance(func, Attr) and func.attr == method:
            yield ForwardedCall(
                _place(resolver, module, scope, func.base, bound),
                tuple(_place(resolver, module, scope, a, bound) for a in call.args),
                tuple((k, _place(resolver, module, scope, v, bound)) for k, v in call.kwargs),
                site,
            )
            continue
        for value in sorted(resolver.eval(module, scope, func), key=repr):
            if isinstance(value, Def) and value.id in helpers:
                inner = _bind(resolver, value.id, call, module, scope)
                # what the inner helper was passed may itself be one of this helper's parameters
                resolved = {
                    name: (
                        _place(resolver, placed.module, placed.scope, placed.expr, bound)
                        if placed.module == module and placed.scope == scope
                        else placed
                    )
                    for name, placed in inner.items()
                }
                yield from _through(resolver, value.id, resolved, method, helpers, site, depth + 1)


def _bind(resolver: Resolver, helper: str, call: CallFact, module: str, scope: str) -> dict[str, Placed]:
    """The helper's parameters → the arguments ``call`` passes them, placed at the call."""
    return {name: Placed(arg, module, scope) for name, arg in bind(resolver, helper, call)}


def bind(resolver: Resolver, callee: str, call: CallFact | CallOf) -> Iterator[tuple[str, Expr]]:
    """The callee's parameters and the arguments ``call`` binds them to (by position, then by name).

    A method's ``self`` or ``cls`` is bound by the call's receiver, not by an
    argument (a static method has none); arguments after a ``*`` are unknown.
    """
    found = resolver.definition(callee)
    if found is None:
        return
    _, definition = found
    positional = [p.name for p in definition.params if p.kind == "positional"]
    if definition.kind == "method" and not _static(definition):
        positional = positional[1:]
    for name, arg in zip(positional, call.args, strict=False):
        if isinstance(arg, Opaque):
            break
        yield name, arg
    names = {p.name for p in definition.params if p.kind in ("positional", "keyword")}
    for name, arg in call.kwargs:
        if name in names:
            yield name, arg


def _static(definition: Definition) -> bool:
    return any(isinstance(d, Name) and d.id == "staticmethod" for d in definition.decorators)


def _place(resolver: Resolver, module: str, scope: str, expr: Expr, bound: Mapping[str, Placed]) -> Placed:
    """``expr`` written in the helper: a parameter is what the caller passed; ``for x in param``, one element."""
    if isinstance(expr, Name):
        if expr.id in bound:
            return bound[expr.id]
        local = resolver.scope_bindings(module, scope).get(expr.id, [])
        if len(local) == 1:
            (value,) = local
            if isinstance(value, Item) and isinstance(value.base, Name) and value.base.id in bound:
                outer = bound[value.base.id]
                return Placed(Item(outer.expr), outer.module, outer.scope)
    return Placed(expr, module, scope)


def _helper_ids(resolver: Resolver, method: str) -> frozenset[str]:
    """Project functions that call ``param.method(...)`` on a parameter, or call such a function."""
    names = forwarding_functions(resolver.modules.values(), frozenset({method}))
    return frozenset(
        node
        for node, (_, definition) in resolver.definitions.items()
        if definition.kind == "function" and definition.name in names
    )


def forwarding_functions(facts: Iterable[ModuleFacts], methods: frozenset[str]) -> frozenset[str]:
    """Names of functions that may hand their parameters to ``param.<one of methods>(...)``.

    Read from the facts alone (no resolution), so that a module's interface can
    name the calls of them: a function calling a method of one of its
    parameters, or calling (by name) such a function with a parameter.
    """
    modules = list(facts)
    calls = frozenset(methods)
    found: set[str] = set()
    while True:
        more = set(found)
        for f in modules:
            params = {d.qualname: {p.name for p in d.params} for d in f.definitions if d.kind == "function"}
            for call in f.calls:
                own = params.get(call.scope)
                if not own:
                    continue
                name = callee_name(call.func)
                if isinstance(call.func, Attr) and call.func.attr in calls:
                    if isinstance(call.func.base, Name) and call.func.base.id in own:
                        more.add(call.scope.rpartition(".")[2])
                elif name in found and _passes(call, own):
                    more.add(call.scope.rpartition(".")[2])
        if more == found:
            return frozenset(found)
        found = more


def callee_name(func: Expr) -> str | None:
    """The name a call is made by: ``f`` of ``f(...)`` and of ``mod.f(...)``."""
    if isinstance(func, Name):
        return func.id
    if isinstance(func, Attr):
        return func.attr
    return None


def named_calls(facts: ModuleFacts, names: frozenset[str]) -> frozenset[str]:
    """``names`` and the names ``facts`` imports them as (``from helpers import register as add``)."""
    return names | {i.bound for i in facts.imports if isinstance(i, ImportFact) and i.name in names}


def _passes(call: CallFact, params: set[str]) -> bool:
    values = [*call.args, *(v for _, v in call.kwargs)]
    return any(isinstance(v, Name) and v.id in params for v in values)


# --- static values -----------------------------------------------------------------------------


def static_strings(resolver: Resolver, placed: Placed, depth: int = 0) -> tuple[str, ...] | None:
    """The literal strings ``placed`` can be, in order; None when one of them is not literal.

    A literal, one element of a literal list or tuple (``for route in
    ["/a", "/b"]``), or a name every binding of which is one of those.
    """
    expr = placed.expr
    if isinstance(expr, Lit):
        return (expr.value,) if isinstance(expr.value, str) else None
    if depth > 8:
        return None
    if isinstance(expr, Item) and expr.key is None:
        items = _literal_items(resolver, Placed(expr.base, placed.module, placed.scope), depth + 1)
        if items is None:
            return None
        found: list[str] = []
        for item in items:
            strings = static_strings(resolver, Placed(item, placed.module, placed.scope), depth + 1)
            if strings is None:
                return None
            found.extend(strings)
        return tuple(dict.fromkeys(found))
    if isinstance(expr, Name):
        bindings = _bindings(resolver, placed)
        if not bindings:
            return None
        found = []
        for binding in bindings:
            strings = static_strings(resolver, binding, depth + 1)
            if strings is None:
                return None
            found.extend(strings)
        return tuple(dict.fromkeys(found))
    return None


def _literal_items(resolver: Resolver, placed: Placed, depth: int) -> tuple[Expr, ...] | None:
    if isinstance(placed.expr, Items):
        return placed.expr.items
    if isinstance(placed.expr, Name) and depth <= 8:
        bindings = _bindings(resolver, placed)
        if len(bindings) == 1:
            return _literal_items(resolver, bindings[0], depth + 1)
    return None


def follow(resolver: Resolver, placed: Placed) -> Placed:
    """A name bound once (in its own module) stands for what it is bound to; anything else, itself."""
    for _ in range(8):
        if not isinstance(placed.expr, Name):
            break
        bindings = _bindings(resolver, placed)
        if len(bindings) != 1:
            break
        placed = bindings[0]
    return placed


def _bindings(resolver: Resolver, placed: Placed) -> list[Placed]:
    """What the name ``placed`` is bound to where it is bound (empty for imports and the unknown)."""
    assert isinstance(placed.expr, Name)
    where = resolver.defining_scope(placed.module, placed.scope, placed.expr.id)
    if where is None:
        return []
    module, scope = where
    bound = resolver.scope_bindings(module, scope).get(placed.expr.id, [])
    if any(isinstance(b, ImportFact) for b in bound):
        return []
    return [Placed(b, module, scope) for b in bound if not isinstance(b, ImportFact)]


def call_of(resolver: Resolver, placed: Placed, attr: str) -> tuple[CallOf, Placed] | None:
    """``placed`` as a call of a method named ``attr`` (``X.as_view("name")``), following a name."""
    placed = follow(resolver, placed)
    expr = placed.expr
    if isinstance(expr, CallOf) and isinstance(expr.func, Attr) and expr.func.attr == attr:
        return expr, placed
    return None
