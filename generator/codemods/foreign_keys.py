"""Cut the database links that would cross a service boundary.

With a database per service, a foreign key to a table that is not in the
service's database cannot exist, and neither can an ORM relationship to a
class that lives elsewhere. This transform removes both from the model
classes a service keeps, and reports each removal so it can be listed in
MIGRATION.md: the id column stays, the join becomes an API call.

A key to a table the unit holds, its own or a *replica* (a read-only copy
of another service's table), stays in the model, replicas' keys included,
and so do the relationships between classes and tables all held in the
unit: SQLAlchemy finds the joins the code leaves to the keys as in the
monolith (``query.join(User)``, ``post.author``, ``article.tagList``). No
key to or from a replica is created in the unit's database, so refreshing a
copy never depends on the order rows arrive in: the transform ends the
module with a call handing those keys to the unit's runtime
(``monosplit_runtime.schema.keys_left_to_the_orm``), before any of the
application's code may create its tables.

Module-level ``Table(...)`` objects (association tables) lose their keys to
tables the unit does not hold, like models do. Keys the analysis found
declared through a project helper (``author_id = reference_col("users")``)
are cut by declaring the column itself, with the type the analysis knows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import libcst as cst

from generator.codemods.names import called_name


@dataclass(frozen=True, slots=True)
class LinkRemoval:
    model: str  # class name
    attribute: str
    kind: str  # "foreign key" or "relationship"
    target: str  # table or class it pointed to


@dataclass(frozen=True, slots=True)
class KeyColumn:
    """A foreign key column the analysis found (a ``foreign_key`` edge of the graph)."""

    table: str  # the table it references
    helper: str = ""  # the project function declaring it, "" when written in place
    type: str = ""  # the SQLAlchemy type name the column holds without its key, "" when unknown


@dataclass(frozen=True, slots=True)
class ModuleSchema:
    """What the analysis knows of one module's schema."""

    #: module-level variable → the table its ``Table(...)`` declares
    tables: Mapping[str, str] = field(default_factory=dict)
    #: (class or variable name, column) → its key
    keys: Mapping[tuple[str, str], KeyColumn] = field(default_factory=dict)


#: a column keyword a helper building a ``Column`` passes on as it is
_COLUMN_KEYWORDS = frozenset(
    {"nullable", "index", "unique", "default", "server_default", "onupdate", "doc", "comment", "primary_key"}
)
#: what a cut column is declared with, imported under a name the app's code does not use
_SA = "_monosplit_sa"
#: what leaves the keys of replicas to the ORM (``monosplit_runtime.schema.keys_left_to_the_orm``)
_ORM_KEYS = "_monosplit_orm_keys"


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _class_names(node: cst.CSTNode) -> list[str]:
    """Capitalised names in an expression or annotation, strings included (``Mapped[list["Item"]]``)."""
    found: list[str] = []

    class Finder(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name.value)

        def visit_SimpleString(self, string: cst.SimpleString) -> None:
            value = string.evaluated_value
            if isinstance(value, str):
                found.extend(part for part in value.replace("[", " ").replace("]", " ").split() if part)

    node.visit(Finder())
    ignore = {"Mapped", "Optional", "List", "Set", "Dict", "WriteOnlyMapped", "DynamicMapped"}
    return [n.split(".")[-1] for n in found if n[:1].isupper() and n not in ignore]


def _foreign_key_table(call: cst.Call) -> str | None:
    if called_name(call) != "ForeignKey" or not call.args:
        return None
    first = call.args[0].value
    text = _string(first)
    if text is not None:
        return text.split(".")[0]
    if isinstance(first, cst.Attribute):  # ForeignKey(User.id) or ForeignKey(users.c.id)
        value = first.value
        while isinstance(value, cst.Attribute) and value.attr.value == "c":
            value = value.value
        if isinstance(value, cst.Attribute):
            return value.attr.value
        if isinstance(value, cst.Name):
            return value.value
    return None


class _ModelLinks(cst.CSTTransformer):
    def __init__(
        self,
        model: str,
        *,
        keep_tables: Collection[str],
        table_of_class: Mapping[str, str],
        schema: ModuleSchema,
        attribute: str = "",
    ) -> None:
        self.model = model
        self.keep_tables = set(keep_tables)
        self.table_of_class = table_of_class
        self.schema = schema
        self.removed: list[LinkRemoval] = []
        #: the tables the keys it keeps reference
        self.kept: set[str] = set()
        self._attribute = attribute

    def _keeps_table(self, table: str) -> bool:
        table = self.table_of_class.get(table, table)  # ForeignKey(User.id) names the class
        return table in self.keep_tables

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if called_name(updated_node) not in ("mapped_column", "Column"):
            return updated_node
        args = list(updated_node.args)
        # a Table's column is named by its first argument; a model's by its attribute
        name = _string(args[0].value) if args and not args[0].keyword else None
        column = name if name is not None else self._attribute
        kept = []
        for arg in args:
            value = arg.value
            if isinstance(value, cst.Call):
                table = _foreign_key_table(value)
                if table is not None and not self._keeps_table(table):
                    target = self.table_of_class.get(table, table)
                    self.removed.append(LinkRemoval(self.model, column, "foreign key", target))
                    continue
                if table is not None:
                    self.kept.add(self.table_of_class.get(table, table))
            kept.append(arg)
        if len(kept) == len(args):
            return updated_node
        key = self.schema.keys.get((self.model, column))
        if key is not None and key.type and not key.helper:
            # the column took its type from the key: it declares it now
            at = 1 if name is not None else 0
            kept.insert(at, cst.Arg(_sa(key.type)))
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(args=kept)


def _assignment(statement: cst.BaseStatement) -> tuple[str, cst.CSTNode | None, cst.BaseExpression] | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
        return small.target.value, small.annotation, small.value
    if (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
    ):
        return small.targets[0].target.value, None, small.value
    return None


def _sa(type_name: str) -> cst.Attribute:
    return cst.Attribute(cst.Name(_SA), cst.Name(type_name))


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    return next((a.value for a in call.args if a.keyword is not None and a.keyword.value == name), None)


@dataclass(frozen=True, slots=True)
class _Relationship:
    model: str
    attribute: str
    targets: tuple[str, ...]
    secondary: str | None  # the association table, by name (None: none, or not known here)
    back_populates: str | None


def _relationship(
    model: str, found: tuple[str, cst.CSTNode | None, cst.BaseExpression], schema: ModuleSchema
) -> _Relationship | None:
    attribute, annotation, value = found
    if called_name(value) != "relationship":
        return None
    assert isinstance(value, cst.Call)
    targets = _class_names(value.args[0].value) if value.args and not value.args[0].keyword else []
    if not targets and annotation is not None:
        targets = _class_names(annotation)
    secondary_node = _keyword(value, "secondary")
    secondary = None
    if secondary_node is not None:
        secondary = _string(secondary_node)
        if secondary is None and isinstance(secondary_node, cst.Name):
            # a table object of this module; one imported from elsewhere is not judged here
            secondary = schema.tables.get(secondary_node.value)
    back = _keyword(value, "back_populates")
    return _Relationship(
        model, attribute, tuple(targets), secondary, _string(back) if back is not None else None
    )


def _kept_relationships(
    relationships: list[_Relationship],
    *,
    present_classes: Collection[str],
    present_tables: Collection[str],
) -> set[tuple[str, str]]:
    """The (model, attribute) relationships the unit keeps.

    A relationship stays when every class and association table it reaches
    is here, the unit's own or replicas: the keys between them stay too, so
    its join is the monolith's. A relationship whose ``back_populates``
    partner goes, goes too.
    """
    kept: set[tuple[str, str]] = set()
    for rel in relationships:
        if (
            rel.targets
            and all(t in present_classes for t in rel.targets)
            and (rel.secondary is None or rel.secondary in present_tables)
        ):
            kept.add((rel.model, rel.attribute))
    by_key = {(r.model, r.attribute): r for r in relationships}
    changed = True
    while changed:
        changed = False
        for key in sorted(kept):
            rel = by_key[key]
            if rel.back_populates is None:
                continue
            partners = [(t, rel.back_populates) for t in rel.targets]
            # a partner in another module is not judged here: its module keeps what its unit keeps
            if any(p in by_key and p not in kept for p in partners):
                kept.discard(key)
                changed = True
    return kept


def _helper_column(call: cst.Call, key: KeyColumn) -> cst.Call:
    """``reference_col("users", nullable=False)`` as the column it makes, without its key."""
    args = [cst.Arg(_sa(key.type or "Integer"))]
    args += [
        a.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        for a in call.args
        if a.keyword is not None and a.keyword.value in _COLUMN_KEYWORDS
    ]
    return cst.Call(cst.Attribute(cst.Name(_SA), cst.Name("Column")), args=args)


def _strip_member(
    member: cst.BaseStatement,
    owner: str,
    found: tuple[str, cst.CSTNode | None, cst.BaseExpression],
    *,
    keep_tables: Collection[str],
    table_of_class: Mapping[str, str],
    schema: ModuleSchema,
    removed: list[LinkRemoval],
    kept: set[str],
) -> tuple[cst.BaseStatement, bool]:
    """``member`` without its keys to tables not in ``keep_tables``; whether it declares a ``_SA`` column.

    The tables the keys it keeps reference are added to ``kept``.
    """
    attribute, _, value = found
    key = schema.keys.get((owner, attribute))
    if key is not None and key.helper and isinstance(value, cst.Call):
        keeps = table_of_class.get(key.table, key.table) in keep_tables
        if keeps:
            kept.add(table_of_class.get(key.table, key.table))
        else:
            assert isinstance(member, cst.SimpleStatementLine)  # as _assignment found it
            removed.append(LinkRemoval(owner, attribute, "foreign key", key.table))
            small = member.body[0]
            return member.with_changes(body=[small.with_changes(value=_helper_column(value, key))]), True
        return member, False
    transformer = _ModelLinks(
        owner,
        keep_tables=keep_tables,
        table_of_class=table_of_class,
        schema=schema,
        attribute=attribute,
    )
    before = len(removed)
    visited = member.visit(transformer)
    assert isinstance(visited, cst.BaseStatement)
    member = visited
    removed.extend(transformer.removed)
    kept |= transformer.kept
    typed = any(
        (owner, r.attribute) in schema.keys and schema.keys[(owner, r.attribute)].type
        for r in transformer.removed
    )
    return member, typed and len(removed) > before


def strip_foreign_links(
    module: cst.Module,
    models: Mapping[str, bool],
    *,
    keep_tables: Collection[str],
    keep_classes: Collection[str],
    table_of_class: Mapping[str, str],
    schema: ModuleSchema | None = None,
    present_classes: Collection[str] = (),
    present_tables: Collection[str] = (),
) -> tuple[cst.Module, tuple[LinkRemoval, ...]]:
    """Remove links leaving the service from the model classes named in ``models`` and the tables.

    ``models`` maps a top-level class name to whether it is a replica;
    ``keep_tables``/``keep_classes`` are the tables and model class names the
    service owns; ``present_classes``/``present_tables`` add the replicas it
    keeps. ``schema`` is what the analysis found in this module: its
    ``Table`` variables, whose keys to other tables go, and keys declared
    through helpers. Foreign keys to tables the unit does not hold and
    relationships to classes it does not hold go (see :func:`_kept_relationships`).
    """
    schema = schema or ModuleSchema()
    present_classes = set(present_classes) | set(keep_classes)
    replicas = set(present_tables) - set(keep_tables)
    present_tables = set(present_tables) | set(keep_tables)
    relationships: list[_Relationship] = []
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value in models:
            for member in statement.body.body:
                found = _assignment(member)  # type: ignore[arg-type]
                rel = _relationship(statement.name.value, found, schema) if found else None
                if rel is not None:
                    relationships.append(rel)
    kept_relationships = _kept_relationships(
        relationships, present_classes=present_classes, present_tables=present_tables
    )
    removed: list[LinkRemoval] = []
    body: list[cst.BaseStatement] = []
    needs_sa = False
    #: holder (class or table variable) → the tables its kept keys reference
    kept: dict[str, set[str]] = {}
    for statement in module.body:
        found = _assignment(statement)
        if found is not None and found[0] in schema.tables and called_name(found[2]) == "Table":
            stripped, typed = _strip_member(
                statement,
                found[0],
                found,
                removed=removed,
                keep_tables=present_tables,
                table_of_class=table_of_class,
                schema=schema,
                kept=kept.setdefault(found[0], set()),
            )
            needs_sa |= typed
            body.append(stripped)
            continue
        if not (isinstance(statement, cst.ClassDef) and statement.name.value in models):
            body.append(statement)
            continue
        name = statement.name.value
        members: list[cst.BaseStatement] = []
        block = statement.body
        assert isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite))
        for member in block.body:
            assert isinstance(member, cst.BaseStatement)
            found = _assignment(member)
            rel = _relationship(name, found, schema) if found is not None else None
            if rel is not None:
                if (name, rel.attribute) not in kept_relationships:
                    removed.append(
                        LinkRemoval(name, rel.attribute, "relationship", ", ".join(rel.targets) or "?")
                    )
                    continue
            elif found is not None:
                member, typed = _strip_member(
                    member,
                    name,
                    found,
                    removed=removed,
                    keep_tables=present_tables,
                    table_of_class=table_of_class,
                    schema=schema,
                    kept=kept.setdefault(name, set()),
                )
                needs_sa |= typed
            members.append(member)
        if not members:
            members = [cst.SimpleStatementLine(body=[cst.Pass()])]
        body.append(statement.with_changes(body=block.with_changes(body=members)))
    # keys declared where the class body does not show them (a mixin's) are the analysis's
    for (owner, _), key in schema.keys.items():
        if owner in kept and table_of_class.get(key.table, key.table) in present_tables:
            kept[owner].add(table_of_class.get(key.table, key.table))
    own_table = {**{name: table_of_class.get(name, name) for name in models}, **schema.tables}
    orm_keys = {
        holder: touched
        for holder, references in sorted(kept.items())
        if references and (touched := (references | {own_table.get(holder, "")}) & replicas)
    }
    if orm_keys:
        body.append(_orm_keys_call(orm_keys))
        body = _with_import(
            body,
            f"from monosplit_runtime.schema import keys_left_to_the_orm as {_ORM_KEYS}"
            "  # keys of copies: the module's end\n",
        )
    if needs_sa:
        body = _with_import(body, f"import sqlalchemy as {_SA}  # columns whose key this unit cut\n")
    return module.with_changes(body=body), tuple(removed)


def _orm_keys_call(orm_keys: Mapping[str, set[str]]) -> cst.BaseStatement:
    """The call leaving the keys to or from replicas to the ORM, once the module's classes are defined."""
    holders = "".join(f"    {holder},\n" for holder in orm_keys)
    replicas = repr(tuple(sorted(set().union(*orm_keys.values())))).replace("'", '"')
    statement = cst.parse_statement(
        "# the ORM joins through the keys to or from copies of other units' tables; no database holds them\n"
        f"{_ORM_KEYS}(\n{holders}    replicas={replicas},\n)\n"
    )
    assert isinstance(statement, cst.SimpleStatementLine)
    return statement.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *statement.leading_lines])


def _with_import(body: list[cst.BaseStatement], line: str) -> list[cst.BaseStatement]:
    """The import ``line`` after the docstring and ``__future__`` imports."""
    statement = cst.parse_statement(line)
    at = 0
    for index, existing in enumerate(body):
        if not isinstance(existing, cst.SimpleStatementLine):
            break
        small = existing.body[0] if existing.body else None
        docstring = index == 0 and isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)
        future = (
            isinstance(small, cst.ImportFrom)
            and isinstance(small.module, cst.Name)
            and (small.module.value == "__future__")
        )
        if not (docstring or future):
            break
        at = index + 1
    return [*body[:at], statement, *body[at:]]
