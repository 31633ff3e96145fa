"""Reads and writes of model tables, for any ORM whose models another plugin found.

What counts (source is the symbol where the code is written):

* calling a model class (``Order(...)``) writes its table: the row is created;
* ``session.add(order)``, ``.add_all``, ``.delete``, ``.merge`` with a model
  instance, and ``insert/update/delete(Order)`` write;
* assigning an attribute of a model instance (``order.status = ...``) writes;
* a manager or query method reached through the model
  (``Order.objects.filter``, ``Order.query.get``) reads, or writes when it is
  one of ``create``, ``update``, ``delete``, ``save``, ``bulk_*``, ``*_or_create``;
* any other mention of a model class reads its table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from analyzer.facts import Attr
from analyzer.frameworks.base import Access, AccessKind, Framework
from analyzer.values import Coll, Def, Inherited, Inst, Value

if TYPE_CHECKING:
    from analyzer.resolve import CallSite, Resolver

_WRITE_METHODS = frozenset(
    {
        "create",
        "update",
        "delete",
        "save",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
        "insert",
        "add",
        "add_all",
        "merge",
    }
)
_SESSION_WRITES = frozenset({"add", "add_all", "delete", "merge"})
_STATEMENT_WRITES = frozenset({"insert", "update", "delete"})


def _instances(values: Iterable[Value]) -> Iterable[str]:
    for v in values:
        if isinstance(v, Inst):
            yield v.cls
        elif isinstance(v, Coll):
            yield from _instances(v.items)


def _inside(source: str, cls: str) -> bool:
    return source == cls or source.startswith(cls + ".")


class OrmAccess(Framework):
    name = "orm"

    def accesses(
        self, resolver: Resolver, module: str, sites: Sequence[CallSite], models: dict[str, str]
    ) -> Iterable[Access]:
        if not models:
            return
        for site in sites:
            source = site.caller
            method = site.fact.func.attr if isinstance(site.fact.func, Attr) else None
            for value in site.values:
                if isinstance(value, Def) and value.id in models and not _inside(source, value.id):
                    yield Access(source, models[value.id], "write")
                elif isinstance(value, Inherited) and value.cls in models:
                    last = value.path.rsplit(".", 1)[-1].rstrip("()")
                    kind: AccessKind = "write" if last in _WRITE_METHODS else "read"
                    yield Access(source, models[value.cls], kind)
            if method in _SESSION_WRITES or method in _STATEMENT_WRITES:
                for arg in site.fact.args:
                    arg_values = resolver.eval(site.module, site.scope, arg)
                    for cls in _instances(arg_values):
                        if cls in models:
                            yield Access(source, models[cls], "write")
                    if method in _STATEMENT_WRITES:
                        for v in arg_values:
                            if isinstance(v, Def) and v.id in models:
                                yield Access(source, models[v.id], "write")
            else:
                for arg in site.fact.args:
                    # select(Order) and select(Order.id): the model, or a column of it
                    base = arg.base if isinstance(arg, Attr) else arg
                    for v in resolver.eval(site.module, site.scope, base):
                        if isinstance(v, Def) and v.id in models and not _inside(source, v.id):
                            yield Access(source, models[v.id], "read")
        facts = resolver.modules[module]
        for ref in facts.references:
            source = f"{module}.{ref.scope}" if ref.scope else module
            for v in resolver.eval(module, ref.scope, ref.expr):
                if isinstance(v, Def) and v.id in models and not _inside(source, v.id):
                    yield Access(source, models[v.id], "read")
        for store in facts.stores:
            source = f"{module}.{store.scope}" if store.scope else module
            for cls in _instances(resolver.eval(module, store.scope, store.base)):
                if cls in models:
                    yield Access(source, models[cls], "write")
