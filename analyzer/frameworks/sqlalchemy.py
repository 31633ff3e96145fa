"""SQLAlchemy (and Flask-SQLAlchemy) models and their relations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzer.facts import CallOf, Lit
from analyzer.frameworks.base import Framework, Relation, argument, literal_str, path_matches
from analyzer.values import Def

if TYPE_CHECKING:
    from analyzer.resolve import Resolver


_ORM_PACKAGES = ("sqlalchemy", "flask_sqlalchemy")


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
