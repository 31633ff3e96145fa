"""SQLAlchemy (and Flask-SQLAlchemy) models, their relations, and the metadata they are declared on."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzer.facts import Attr, CallOf, Expr, ImportFact, Lit
from analyzer.frameworks.base import (
    DeclaredBy,
    Framework,
    Metadata,
    Relation,
    argument,
    literal_str,
    path_matches,
)
from analyzer.values import Def, ExtInst, Inherited

if TYPE_CHECKING:
    from analyzer.resolve import Resolver


_ORM_PACKAGES = ("sqlalchemy", "flask_sqlalchemy")
#: what calling these (matched by the last part of the path) declares, by package
_METADATA_MAKERS: dict[str, tuple[str, DeclaredBy]] = {
    "SQLAlchemy": ("flask_sqlalchemy", "flask-sqlalchemy"),
    "declarative_base": ("sqlalchemy", "declarative-base"),
    "MetaData": ("sqlalchemy", "metadata"),
}
#: base classes (and the class decorator) that make a class a declarative base
_DECLARATIVE_BASES = frozenset({"DeclarativeBase", "DeclarativeBaseNoMeta", "as_declarative"})


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1\2", name).lower()


class SqlAlchemy(Framework):
    name = "sqlalchemy"

    def models(self, resolver: Resolver) -> dict[str, str]:
        found: dict[str, str] = {}
        for cls, (_, definition) in sorted(resolver.definitions.items()):
            if definition.kind != "class":
                continue
            if any(e == Lit(True) for e in resolver.class_literal(cls, "__abstract__")):
                continue
            table = None
            for expr in resolver.class_literal(cls, "__tablename__"):
                table = literal_str(expr) or table
            for expr in resolver.class_literal(cls, "__table__"):
                if isinstance(expr, CallOf):
                    table = literal_str(argument(expr, 0, "name")) or table
            if table is None and any(
                path_matches(p, "SQLAlchemy.Model") for p in resolver.external_bases(cls)
            ):
                table = _snake(definition.name)  # Flask-SQLAlchemy's default name
            if table:
                found[cls] = table
        return found

    def metadata(self, resolver: Resolver, module: str) -> Iterable[Metadata]:
        """``db = SQLAlchemy()``, ``Base = declarative_base()``, ``meta = MetaData()`` and
        ``class Base(DeclarativeBase)`` written at the top level of ``module``."""
        found: set[Metadata] = set()
        for name, bound in resolver.scope_bindings(module).items():
            for expr in bound:
                if isinstance(expr, ImportFact):
                    continue
                for value in resolver.eval(module, "", expr):
                    declared_by = _declared_by(value)
                    if (
                        declared_by
                        and isinstance(value, ExtInst)
                        and (value.module, value.scope) == (module, "")
                    ):
                        found.add(Metadata(module, name, declared_by))
        for definition in resolver.modules[module].definitions:
            if definition.kind != "class" or definition.scope:
                continue
            cls = f"{module}.{definition.qualname}"
            if resolver.class_literal(cls, "__tablename__") or resolver.class_literal(cls, "__table__"):
                continue  # a mapped class, not a base
            marks = [*resolver.bases(cls)[1]]
            for decorator in definition.decorators:
                marks += [getattr(v, "path", "") for v in resolver.eval(module, "", decorator)]
            if any(
                p.startswith("sqlalchemy") and p.removesuffix("()").rsplit(".", 1)[-1] in _DECLARATIVE_BASES
                for p in marks
            ):
                found.add(Metadata(module, definition.qualname, "declarative-base"))
        return sorted(found)

    def relations(self, resolver: Resolver, module: str, models: dict[str, str]) -> Iterable[Relation]:
        by_name = {cls.rsplit(".", 1)[-1]: cls for cls in models}
        by_table = {table: cls for cls, table in models.items()}
        for call in resolver.modules[module].calls:
            source = f"{module}.{call.scope}" if call.scope else module
            if source not in models:
                continue
            paths = {
                p
                for v in resolver.eval(module, call.scope, call.func)
                if (p := getattr(v, "path", "")).startswith(_ORM_PACKAGES)
            }
            if any(path_matches(p, "relationship", "orm.relationship", "relation") for p in paths):
                target = literal_str(call.args[0]) if call.args else None
                if target and target.split(".")[-1] in by_name:
                    yield Relation(source, by_name[target.split(".")[-1]])
                elif call.args:
                    for v in resolver.eval(module, call.scope, call.args[0]):
                        if isinstance(v, Def) and v.id in models:
                            yield Relation(source, v.id)
            elif any(path_matches(p, "ForeignKey") for p in paths) and call.args:
                target = literal_str(call.args[0])
                if target and "." in target and target.split(".")[0] in by_table:
                    yield Relation(source, by_table[target.split(".")[0]])


def _declared_by(value: object) -> DeclaredBy | None:
    """How an object made by calling into SQLAlchemy or Flask-SQLAlchemy holds metadata, if it does."""
    if not isinstance(value, ExtInst):
        return None
    package, _, last = value.path.rpartition(".")
    maker = _METADATA_MAKERS.get(last)
    if maker is None or not (package == maker[0] or package.startswith(maker[0] + ".")):
        return None
    return maker[1]


def metadata_object(resolver: Resolver, module: str, scope: str, expr: Expr) -> str:
    """The object id of the declared metadata ``expr`` names, or "".

    ``db`` (a Flask-SQLAlchemy object), ``db.metadata``, ``Base``,
    ``Base.metadata`` and ``meta`` all name the object that declares it.
    """
    if isinstance(expr, Attr) and expr.attr == "metadata":
        expr = expr.base
    for value in sorted(resolver.eval(module, scope, expr), key=repr):
        if isinstance(value, Def) and resolver.kind(value.id) == "class":
            return value.id
        if isinstance(value, Inherited) and value.path == "metadata":
            return value.cls
        if isinstance(value, ExtInst) and _declared_by(value) and not value.scope:
            for name, bound in sorted(resolver.scope_bindings(value.module).items()):
                if any(
                    not isinstance(b, ImportFact) and value in resolver.eval(value.module, "", b)
                    for b in bound
                ):
                    return f"{value.module}.{name}"
    return ""
