"""SQLAlchemy (and Flask-SQLAlchemy) models, their relations, and the metadata they are declared on."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzer.facts import Attr, CallFact, CallOf, Expr, ImportFact, Item, Items, Lit, ModuleFacts, Name, Nth
from analyzer.frameworks.base import (
    Access,
    AccessKind,
    DeclaredBy,
    ForeignKey,
    Framework,
    Metadata,
    Relation,
    argument,
    literal_str,
    path_matches,
)
from analyzer.values import Def, Ext, ExtInst, Inherited, Inst, Value

if TYPE_CHECKING:
    from analyzer.resolve import CallSite, Resolver


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


#: relationship collection methods that change rows (of the association table, or the related one)
_COLLECTION_WRITES = frozenset({"append", "add", "remove", "extend", "clear", "discard", "pop", "insert"})
#: methods of a table object that make a statement changing it
_TABLE_WRITES = frozenset({"insert", "update", "delete"})
#: query methods that return the query, still of the model's rows (``Model.query.filter(...)``)
_QUERY_STEPS = frozenset(
    {
        "autoflush",
        "correlate",
        "distinct",
        "enable_eagerloads",
        "execution_options",
        "filter",
        "filter_by",
        "group_by",
        "having",
        "join",
        "limit",
        "offset",
        "options",
        "order_by",
        "outerjoin",
        "params",
        "populate_existing",
        "select_from",
        "where",
        "with_for_update",
    }
)
#: query methods that return one of its rows (Flask-SQLAlchemy's ``*_or_404`` included)
_QUERY_ROW = frozenset({"first", "first_or_404", "get", "get_or_404", "one", "one_or_404", "one_or_none"})


@dataclass(frozen=True, slots=True)
class _Link:
    """What following a relationship attribute reaches: the related model and the association table."""

    related: str  # model class id, "" when the relationship does not say
    secondary: str  # table name, "" when there is none


class SqlAlchemy(Framework):
    name = "sqlalchemy"

    def __init__(self) -> None:
        #: per run: (model, backref name) → what it reaches (built on first use, from class bodies)
        self._backrefs: dict[tuple[str, str], _Link] | None = None
        #: per run: class → {model: {attribute: column name}} of the models it is or is a base of,
        #: and every column attribute any model has
        self._columns: tuple[dict[str, dict[str, dict[str, str]]], frozenset[str]] | None = None

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
        found.update(table_variables(resolver))
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

    def foreign_keys(self, resolver: Resolver, module: str, models: dict[str, str]) -> Iterable[ForeignKey]:
        """Keys of the module's models (class attributes) and of its ``Table`` variables (columns).

        A column is ``Column``/``mapped_column`` with a ``ForeignKey`` argument,
        written in place or returned by a project function (``reference_col("users")``),
        whose target names a table by string (``"users.id"``), through a model
        (``User.id``) or through a table object (``users.c.id``).
        """
        tables = set(models.values())
        for source in sorted(models):
            found = resolver.definition(source)
            if (found[0] if found else source.rpartition(".")[0]) != module:
                continue  # another module's (a package's name prefixes its modules' ids)
            qualname = source[len(module) + 1 :]
            if resolver.kind(source) == "class":
                for attr, (where, scope, bound) in sorted(_columns_of(resolver, source, models).items()):
                    for expr in bound:
                        if not isinstance(expr, ImportFact):
                            yield from _column_keys(resolver, models, source, attr, where, scope, expr)
            elif "." not in qualname:
                for expr in resolver.scope_bindings(module).get(qualname, []):
                    if not isinstance(expr, CallOf):
                        continue
                    for column in expr.args[1:]:
                        name = (
                            literal_str(column.args[0])
                            if isinstance(column, CallOf) and column.args
                            else None
                        )
                        if name is not None:
                            for key in _column_keys(resolver, models, source, name, module, "", column):
                                if key.table in tables:
                                    yield key

    def accesses(
        self, resolver: Resolver, module: str, sites: Sequence[CallSite], models: dict[str, str]
    ) -> Iterable[Access]:
        """What relationships and table objects stand for (models themselves are the ORM plugin's).

        * ``relationship(..., secondary=followers)`` in a model's body reads the
          association table (``followers`` may be written before the class
          attribute of the same name: a class body runs in order, so a name it
          binds later is the module's);
        * following a relationship (``user.following``, a backref such as
          ``tag.posts``, on a row a query returns: ``Article.query.get(id).comments``)
          reads the related table and the association table;
          changing its collection (``.append``, ``.add``, ``.remove``...) writes
          the association table, or the related one when there is none;
        * naming a table object (``followers.c.follower_id``) reads it;
          ``followers.insert()``, ``insert(followers)``... write it.
        """
        tables = set(models.values())
        if not tables:
            return
        facts = resolver.modules[module]
        classes = {cls: table for cls, table in models.items() if resolver.kind(cls) == "class"}
        backrefs = self._backref_index(resolver, classes)
        names = {attr for _, attr in backrefs} | _relationship_names(resolver, classes)
        for site in sites:
            call = site.fact
            if _orm_path_any(site.values, "relationship", "relation") and site.caller in classes:
                secondary = _secondary_table(
                    resolver, module, site.scope, argument(call_of(call), 1, "secondary")
                )
                if secondary in tables:
                    yield Access(site.caller, secondary, "read")
            method = call.func.attr if isinstance(call.func, Attr) else ""
            if isinstance(call.func, Attr):
                for table in _tables_named(resolver, module, site.scope, call.func.base, tables):
                    kind: AccessKind = "write" if method in _TABLE_WRITES else "read"
                    yield Access(site.caller, table, kind)
            statement = _orm_path_any(site.values, *_TABLE_WRITES)
            for arg in call.args:
                for table in _tables_named(resolver, module, site.scope, arg, tables):
                    yield Access(site.caller, table, "write" if statement else "read")
        for ref in facts.references:
            source = f"{module}.{ref.scope}" if ref.scope else module
            for table in _tables_named(resolver, module, ref.scope, ref.expr, tables):
                yield Access(source, table, "read")
        for scope, expr, method in _attribute_uses(facts, names):
            source = f"{module}.{scope}" if scope else module
            for link in _links(resolver, module, scope, expr, classes, backrefs):
                yield from _follow(source, link, classes, write=method in _COLLECTION_WRITES)
        yield from self._column_reads(resolver, module, classes)

    def _column_reads(self, resolver: Resolver, module: str, classes: dict[str, str]) -> Iterator[Access]:
        """``x.column`` read where ``x`` is a model or one of its instances (``self`` in its methods,
        a query's row): a read of the model's table naming the column, so a split knows which
        columns code needs.

        A mixin's or base's method reads the column of every model inheriting it that has one.
        """
        by_class, names = self._column_index(resolver, classes)
        for scope, expr, _ in _attribute_uses(resolver.modules[module], names):
            source = f"{module}.{scope}" if scope else module
            for value in resolver.eval(module, scope, expr.base):
                cls = (
                    value.cls
                    if isinstance(value, Inst)
                    else value.id
                    if isinstance(value, Def)
                    else _queried_row(value)
                )
                for model, columns in sorted(by_class.get(cls, {}).items()):
                    if expr.attr in columns:
                        yield Access(source, classes[model], "read", columns[expr.attr])

    def _column_index(
        self, resolver: Resolver, classes: dict[str, str]
    ) -> tuple[dict[str, dict[str, dict[str, str]]], frozenset[str]]:
        if self._columns is None:
            found: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
            names: set[str] = set()
            for model in sorted(classes):
                columns = _column_names(resolver, model, classes)
                names.update(columns)
                if columns:
                    for klass in resolver.mro(model):
                        found[klass][model] = columns
            self._columns = (dict(found), frozenset(names))
        return self._columns

    def _backref_index(self, resolver: Resolver, classes: dict[str, str]) -> dict[tuple[str, str], _Link]:
        if self._backrefs is None:
            found: dict[tuple[str, str], _Link] = {}
            for cls in sorted(classes):
                for relationship, call in _relationship_calls(resolver, cls):
                    name = _backref_name(argument(call, -1, "backref"))
                    related = _related_class(resolver, relationship, classes)
                    if name and related:
                        secondary = _secondary_table(
                            resolver,
                            relationship.module,
                            relationship.scope,
                            argument(call, 1, "secondary"),
                        )
                        found[(related, name)] = _Link(cls, secondary or "")
            self._backrefs = found
        return self._backrefs

    def relations(self, resolver: Resolver, module: str, models: dict[str, str]) -> Iterable[Relation]:
        models = {cls: table for cls, table in models.items() if resolver.kind(cls) == "class"}
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


def _orm_path(value: Value, *names: str) -> bool:
    """Whether ``value`` is one of SQLAlchemy's (or Flask-SQLAlchemy's) ``names``, or made by calling it."""
    path = value.path if isinstance(value, (Ext, ExtInst)) else ""
    return path.startswith(_ORM_PACKAGES) and path_matches(path, *names)


def _table_name(value: Value) -> str | None:
    """The name of the table a ``Table("name", ...)`` object holds."""
    if isinstance(value, ExtInst) and value.call is not None and _orm_path(value, "Table"):
        return literal_str(argument(value.call, 0, "name"))
    return None


def table_variables(resolver: Resolver) -> dict[str, str]:
    """Module-level variables holding a ``Table`` made where they are bound → the table's name.

    ``followers = db.Table("followers", ...)``, ``sa.Table(..., db.metadata, ...)``
    and ``Table(..., Base.metadata, ...)``: association tables no class maps.
    """
    found: dict[str, str] = {}
    for module in sorted(resolver.modules):
        for name, bound in sorted(resolver.scope_bindings(module).items()):
            for expr in bound:
                if isinstance(expr, ImportFact):
                    continue
                for value in resolver.eval(module, "", expr):
                    table = _table_name(value)
                    if table and isinstance(value, ExtInst) and (value.module, value.scope) == (module, ""):
                        found[f"{module}.{name}"] = table
    return found


def call_of(fact: CallFact) -> CallOf:
    """A call fact as the expression of the call (they carry the same arguments)."""
    return CallOf(fact.func, fact.args, fact.kwargs)


def _orm_path_any(values: Iterable[Value], *names: str) -> bool:
    return any(_orm_path(v, *names) for v in values)


def _relationship_calls(resolver: Resolver, cls: str) -> Iterator[tuple[ExtInst, CallOf]]:
    """The ``relationship(...)`` objects bound in the body of ``cls``, with their calls."""
    found = resolver.definition(cls)
    if found is None:
        return
    module, definition = found
    for bound in resolver.scope_bindings(module, definition.qualname).values():
        for expr in bound:
            if isinstance(expr, CallOf):
                for value in resolver.eval(module, definition.qualname, expr):
                    if (
                        isinstance(value, ExtInst)
                        and value.call is not None
                        and _orm_path(value, "relationship", "relation")
                    ):
                        yield value, value.call


def _relationship_names(resolver: Resolver, classes: dict[str, str]) -> set[str]:
    names: set[str] = set()
    for cls in classes:
        found = resolver.definition(cls)
        if found is None:
            continue
        for name, bound in resolver.scope_bindings(found[0], found[1].qualname).items():
            if any(isinstance(e, CallOf) and _last(e.func) in ("relationship", "relation") for e in bound):
                names.add(name)
    return names


def _last(expr: Expr) -> str:
    return expr.attr if isinstance(expr, Attr) else expr.id if isinstance(expr, Name) else ""


def _backref_name(expr: Expr | None) -> str | None:
    """``backref="posts"`` or ``backref=db.backref("posts", lazy="dynamic")``."""
    if isinstance(expr, CallOf) and expr.args:
        return literal_str(expr.args[0])
    return literal_str(expr)


def _related_class(resolver: Resolver, relationship: ExtInst, classes: dict[str, str]) -> str:
    """The model a relationship names first (``"User"``, ``"app.models.User"``, ``User``), or ""."""
    assert relationship.call is not None
    target = argument(relationship.call, 0, "argument")
    text = literal_str(target)
    if text is not None:
        matches = sorted(c for c in classes if c.rsplit(".", 1)[-1] == text.rsplit(".", 1)[-1])
        return matches[0] if len(matches) == 1 else ""
    if target is not None:
        for value in resolver.eval(relationship.module, relationship.scope, target):
            if isinstance(value, Def) and value.id in classes:
                return value.id
    return ""


def _secondary_table(resolver: Resolver, module: str, scope: str, expr: Expr | None) -> str | None:
    """The association table ``secondary=`` names: a table object, or its name."""
    if expr is None:
        return None
    text = literal_str(expr)
    if text is not None:
        return text
    for where in (scope, ""):  # see SqlAlchemy.accesses: a later class attribute is not yet bound
        for value in resolver.eval(module, where, expr):
            table = _table_name(value)
            if table is not None:
                return table
        if not isinstance(expr, Name):
            break
    return None


def _tables_named(resolver: Resolver, module: str, scope: str, expr: Expr, tables: set[str]) -> set[str]:
    """Table objects ``expr`` names, itself or as the base of ``followers.c.id``."""
    found: set[str] = set()
    while True:
        if isinstance(expr, (Name, Attr)):
            for value in resolver.eval(module, scope, expr):
                table = _table_name(value)
                if table is not None and table in tables:
                    found.add(table)
        if not isinstance(expr, Attr) or found:
            return found
        expr = expr.base


def _attribute_uses(facts: ModuleFacts, names: AbstractSet[str]) -> Iterator[tuple[str, Attr, str]]:
    """``(scope, x.name, method)`` for each ``x.name`` the module's code reads, with one of ``names``;
    ``method`` is what is called on it (``x.name.append(...)``), or ""."""
    seen: set[tuple[str, Attr, str]] = set()

    def walk(scope: str, expr: Expr, method: str = "") -> Iterator[tuple[str, Attr, str]]:
        if isinstance(expr, Attr):
            if expr.attr in names and (scope, expr, method) not in seen:
                seen.add((scope, expr, method))
                yield scope, expr, method
            yield from walk(scope, expr.base)
        elif isinstance(expr, CallOf):
            if isinstance(expr.func, Attr):
                yield from walk(scope, expr.func.base, expr.func.attr)
            for part in (*expr.args, *(value for _, value in expr.kwargs)):
                yield from walk(scope, part)
        elif isinstance(expr, (Item, Nth)):
            yield from walk(scope, expr.base)
        elif isinstance(expr, Items):
            for item in expr.items:
                yield from walk(scope, item)

    for call in facts.calls:
        yield from walk(call.scope, call_of(call))
    for binding in facts.bindings:
        yield from walk(binding.scope, binding.value)
    for returned in facts.returns:
        yield from walk(returned.scope, returned.value)
    for ref in facts.references:
        yield from walk(ref.scope, ref.expr)
    for store in facts.stores:
        yield from walk(store.scope, store.base)
    for load in facts.attribute_loads:
        yield from walk(load.scope, load.expr)


def _links(
    resolver: Resolver,
    module: str,
    scope: str,
    expr: Attr,
    classes: dict[str, str],
    backrefs: dict[tuple[str, str], _Link],
) -> Iterator[_Link]:
    """What the relationship attribute ``expr`` (``user.following``, ``tag.posts``) reaches.

    ``expr``'s base may be a row a query of a model returns
    (``Article.query.filter_by(slug=slug).first().comments``): the attribute
    is the model's.
    """
    values = set(resolver.eval(module, scope, expr))
    for base in resolver.eval(module, scope, expr.base):
        row = _queried_row(base)
        if row in classes:
            values |= resolver.member(Inst(row), expr.attr)
    for value in sorted(values, key=repr):
        if (
            isinstance(value, ExtInst)
            and value.call is not None
            and _orm_path(value, "relationship", "relation")
        ):
            secondary = _secondary_table(
                resolver, value.module, value.scope, argument(value.call, 1, "secondary")
            )
            yield _Link(_related_class(resolver, value, classes), secondary or "")
        elif isinstance(value, Inherited) and value.path == expr.attr and (value.cls, expr.attr) in backrefs:
            yield backrefs[(value.cls, expr.attr)]


def _queried_row(value: Value) -> str:
    """The class whose row ``value`` is, when it is what a query of a model returns; else "".

    ``Article.query.filter_by(slug=slug).first()`` (and ``self.query...`` in
    its methods) is a row of ``Article``: Flask-SQLAlchemy's ``Model.query``
    queries the model, the :data:`_QUERY_STEPS` keep it so, and one of
    :data:`_QUERY_ROW` returns a row. Any other step (``with_entities``,
    ``add_columns``, ``values``) may make rows of something else.
    """
    if not isinstance(value, Inherited):
        return ""
    first, *chain = value.path.split(".")
    if first != "query" or not chain:
        return ""
    *steps, last = chain
    if last.removesuffix("()") not in _QUERY_ROW or not last.endswith("()"):
        return ""
    if all(step.endswith("()") and step.removesuffix("()") in _QUERY_STEPS for step in steps):
        return value.cls
    return ""


def _follow(source: str, link: _Link, classes: dict[str, str], *, write: bool) -> Iterator[Access]:
    related = classes.get(link.related)
    if link.secondary:
        yield Access(source, link.secondary, "write" if write else "read")
    if related:
        yield Access(source, related, "write" if write and not link.secondary else "read")


def _columns_of(
    resolver: Resolver, cls: str, models: dict[str, str]
) -> dict[str, tuple[str, str, list[Expr | ImportFact]]]:
    """Attribute → (module, scope, bindings) of the model's body and of the mixins it inherits
    columns from (``@declared_attr`` methods included); a mapped base keeps its own."""
    found: dict[str, tuple[str, str, list[Expr | ImportFact]]] = {}
    for klass in resolver.mro(cls):
        if klass != cls and klass in models:
            break
        definition = resolver.definition(klass)
        if definition is None:
            continue
        module, qualname = definition[0], definition[1].qualname
        for attr, bound in resolver.scope_bindings(module, qualname).items():
            found.setdefault(attr, (module, qualname, bound))
    return found


def _column_names(resolver: Resolver, cls: str, models: dict[str, str]) -> dict[str, str]:
    """The model's column attributes → the column's name in its table (``sa.Column("key", ...)``)."""
    found: dict[str, str] = {}
    for attr, (module, scope, bound) in sorted(_columns_of(resolver, cls, models).items()):
        for expr in bound:
            if isinstance(expr, ImportFact):
                continue
            for value in _column_values(resolver, module, scope, expr):
                if not isinstance(value, ExtInst):
                    continue
                if value.call is None and _orm_path(value, "Mapped"):
                    found[attr] = attr  # ``token_expiration: Mapped[datetime | None]``
                elif value.call is not None and _orm_path(value, "Column", "mapped_column"):
                    named = literal_str(value.call.args[0]) if value.call.args else None
                    found[attr] = named or attr
    return found


def _column_values(resolver: Resolver, module: str, scope: str, expr: Expr) -> list[Value]:
    """What ``expr`` makes, a ``@declared_attr`` method standing for what it returns."""
    values: list[Value] = []
    for value in sorted(resolver.eval(module, scope, expr), key=repr):
        found = resolver.definition(value.id) if isinstance(value, Def) else None
        if (
            found is not None
            and found[1].kind == "method"
            and any(
                _orm_path(v, "declared_attr")
                for decorator in found[1].decorators
                for v in resolver.eval(found[0], found[1].scope, decorator)
            )
        ):
            values.extend(sorted(resolver.function_returns(found[0] + "." + found[1].qualname), key=repr))
        else:
            values.append(value)
    return values


def _column_keys(
    resolver: Resolver, models: dict[str, str], source: str, column: str, module: str, scope: str, expr: Expr
) -> Iterable[ForeignKey]:
    """The foreign keys of the column ``expr`` (written in ``scope``) declares, if it is one."""
    for value in _column_values(resolver, module, scope, expr):
        if not (
            isinstance(value, ExtInst)
            and value.call is not None
            and _orm_path(value, "Column", "mapped_column")
        ):
            continue
        call, where = value.call, (value.module, value.scope)
        helper = "" if where == (module, scope) else f"{value.module}.{value.scope}"
        if helper and resolver.kind(helper) not in ("function", "method"):
            continue
        positional = [a for a in call.args if literal_str(a) is None]
        keys = [a for a in positional if isinstance(a, CallOf) and _calls(resolver, *where, a, "ForeignKey")]
        own_type = next((_type_name(resolver, *where, a) for a in positional if a not in keys), None)
        for key in keys:
            table = _referenced_table(resolver, models, *where, key)
            if table is None and helper and isinstance(expr, CallOf):
                # the helper builds the target from its argument: reference_col("users")
                named = literal_str(argument(expr, 0, _first_parameter(resolver, helper)))
                table = named.split(".")[0] if named else None
            if table is None or table not in models.values():
                continue
            kind = ""
            if helper or own_type is None:
                kind = own_type or _key_type(resolver, models, table)
            yield ForeignKey(source, column, table, helper, kind)


def _calls(resolver: Resolver, module: str, scope: str, call: CallOf, *names: str) -> bool:
    return any(_orm_path(v, *names) for v in resolver.eval(module, scope, call.func))


def _referenced_table(
    resolver: Resolver, models: dict[str, str], module: str, scope: str, key: CallOf
) -> str | None:
    """The table ``ForeignKey(target)`` references: ``"users.id"``, ``User.id``, ``users.c.id``."""
    target = argument(key, 0, "column")
    text = literal_str(target)
    if text is not None:
        parts = text.split(".")
        return parts[-2] if len(parts) >= 2 else None
    if isinstance(target, Attr):
        base = target.base.base if isinstance(target.base, Attr) and target.base.attr == "c" else target.base
        for value in resolver.eval(module, scope, base):
            if isinstance(value, Def) and value.id in models:
                return models[value.id]
            table = _table_name(value)
            if table is not None:
                return table
    return None


def _first_parameter(resolver: Resolver, function: str) -> str:
    found = resolver.definition(function)
    params = found[1].params if found else ()
    return params[0].name if params else ""


#: SQLAlchemy's generic type names a column may be declared with
_TYPE_NAME = re.compile(r"[A-Z][A-Za-z]*")


def _type_name(resolver: Resolver, module: str, scope: str, expr: Expr) -> str | None:
    """``Integer`` for ``sa.Integer``/``db.Integer`` (a type class, not an instance with arguments)."""
    if isinstance(expr, CallOf):  # Integer() is Integer; String(64) says more than a name
        if expr.args or expr.kwargs:
            return None
        expr = expr.func
    for value in resolver.eval(module, scope, expr):
        if isinstance(value, Ext) and value.path.startswith(_ORM_PACKAGES):
            last = value.path.rsplit(".", 1)[-1]
            if _TYPE_NAME.fullmatch(last) and last not in ("ForeignKey", "Column", "Sequence"):
                return last
    return None


def _key_type(resolver: Resolver, models: dict[str, str], table: str) -> str:
    """The type of ``table``'s primary key, when a model declares it with a bare type class."""
    for cls in sorted(c for c, t in models.items() if t == table and resolver.kind(c) == "class"):
        for klass in resolver.mro(cls):
            found = resolver.definition(klass)
            if found is None:
                continue
            for bound in resolver.scope_bindings(found[0], found[1].qualname).values():
                for expr in bound:
                    if not isinstance(expr, CallOf) or argument(expr, -1, "primary_key") != Lit(True):
                        continue
                    for arg in expr.args:
                        kind = _type_name(resolver, found[0], found[1].qualname, arg)
                        if kind:
                            return kind
    return ""


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
