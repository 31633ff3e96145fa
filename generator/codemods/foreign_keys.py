"""Cut the database links that would cross a service boundary.

With a database per service, a foreign key to a table another service owns
cannot exist (the table is not there), and neither can an ORM relationship
to a class that lives elsewhere. This transform removes both from the model
classes a service keeps, and reports each removal so it can be listed in
MIGRATION.md: the id column stays, the join becomes an API call.

A *replica* class (a read-only copy of another service's table) keeps its
columns only: no foreign keys, so refreshing it never depends on the order
rows arrive in. Its relationships go too, except those between classes and
tables all kept in the unit whose join is known without a key: spelled out
by the code (``primaryjoin=``, and ``secondaryjoin=`` through an association
table), or implied by the one key column between the two classes of this
module, which the transform then spells out itself
(``primaryjoin="foreign(Post.user_id) == User.id"``). Reading through them
works on the copies, as in the monolith.

Module-level ``Table(...)`` objects (association tables) lose their keys to
tables the unit does not own, like models do, and all of them when the unit
does not own the table itself. Keys the analysis found
declared through a project helper (``author_id = reference_col("users")``)
are cut by declaring the column itself, with the type the analysis knows.
"""

from __future__ import annotations

import re
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
        replica: bool,
        keep_tables: Collection[str],
        table_of_class: Mapping[str, str],
        schema: ModuleSchema,
        attribute: str = "",
    ) -> None:
        self.model = model
        self.replica = replica
        self.keep_tables = set(keep_tables)
        self.table_of_class = table_of_class
        self.schema = schema
        self.removed: list[LinkRemoval] = []
        self._attribute = attribute

    def _keeps_table(self, table: str) -> bool:
        table = self.table_of_class.get(table, table)  # ForeignKey(User.id) names the class
        return not self.replica and table in self.keep_tables

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
    explicit_join: bool
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
    has_primary = _keyword(value, "primaryjoin") is not None
    explicit = has_primary and (secondary_node is None or _keyword(value, "secondaryjoin") is not None)
    back = _keyword(value, "back_populates")
    return _Relationship(
        model, attribute, tuple(targets), secondary, explicit, _string(back) if back is not None else None
    )


@dataclass(frozen=True, slots=True)
class _ClassKeys:
    """What one model class of the module declares: its primary key and its key columns."""

    primary: tuple[str, ...]
    #: attribute → the table (or class, for ``ForeignKey(User.id)``) it references
    references: Mapping[str, str]
    #: attribute → the column it references, where the key names it (``"user.id"``, ``User.id``)
    referenced_columns: Mapping[str, str] = field(default_factory=dict)


def _class_keys(definition: cst.ClassDef, schema: ModuleSchema) -> _ClassKeys:
    primary: list[str] = []
    references: dict[str, str] = {}
    columns: dict[str, str] = {}
    block = definition.body
    assert isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite))
    for member in block.body:
        found = _assignment(member)  # type: ignore[arg-type]
        if found is None or not isinstance(found[2], cst.Call):
            continue
        attribute, call = found[0], found[2]
        key = schema.keys.get((definition.name.value, attribute))
        if key is not None:
            references[attribute] = key.table
        if called_name(call) not in ("mapped_column", "Column"):
            continue
        for arg in call.args:
            if isinstance(arg.value, cst.Call) and _foreign_key_table(arg.value) is not None:
                references[attribute] = str(_foreign_key_table(arg.value))
                referenced = _foreign_key_column(arg.value)
                if referenced:
                    columns[attribute] = referenced
            if (
                arg.keyword is not None
                and arg.keyword.value == "primary_key"
                and isinstance(arg.value, cst.Name)
                and arg.value.value == "True"
            ):
                primary.append(attribute)
    return _ClassKeys(tuple(primary), references, columns)


def _foreign_key_column(call: cst.Call) -> str | None:
    """The column ``ForeignKey("user.id")`` or ``ForeignKey(User.id)`` references."""
    first = call.args[0].value if call.args else None
    text = _string(first) if first is not None else None
    if text is not None:
        return text.split(".")[-1] if "." in text else None
    return first.attr.value if isinstance(first, cst.Attribute) else None


def _implied_joins(
    rel: _Relationship,
    call: cst.Call,
    keys: Mapping[str, _ClassKeys],
    table_of_class: Mapping[str, str],
    schema: ModuleSchema,
) -> dict[str, str] | None:
    """The join keywords a relationship's keys imply (see :func:`_implied_join`, :func:`_implied_secondary_join`)."""
    if _keyword(call, "secondary") is not None:
        return _implied_secondary_join(rel, call, keys, table_of_class, schema)
    join = _implied_join(rel, call, keys, table_of_class)
    return None if join is None else {"primaryjoin": join}


def _implied_secondary_join(
    rel: _Relationship,
    call: cst.Call,
    keys: Mapping[str, _ClassKeys],
    table_of_class: Mapping[str, str],
    schema: ModuleSchema,
) -> dict[str, str] | None:
    """``primaryjoin``/``secondaryjoin`` through an association table of this module, from its two keys.

    Each side is the class's one primary-key column (``id`` for a class of
    another module) against the association column keyed to its table.
    Self-referential and ambiguous tables are left to the code.
    """
    secondary = _keyword(call, "secondary")
    if not isinstance(secondary, cst.Name) or secondary.value not in schema.tables or len(rel.targets) != 1:
        return None
    variable, model, target = secondary.value, rel.model, rel.targets[0]
    if model == target:
        return None
    columns: dict[str, list[str]] = {}
    for (owner, column), key in schema.keys.items():
        if owner == variable:
            columns.setdefault(table_of_class.get(key.table, key.table), []).append(column)
    mine = columns.get(table_of_class.get(model, model), [])
    theirs = columns.get(table_of_class.get(target, target), [])
    if len(mine) != 1 or len(theirs) != 1:
        return None

    def primary(cls: str) -> str:
        found = keys[cls].primary if cls in keys else ()
        return found[0] if len(found) == 1 else "id"

    table = schema.tables[variable]
    return {
        "primaryjoin": f"{model}.{primary(model)} == foreign({table}.c.{mine[0]})",
        "secondaryjoin": f"{target}.{primary(target)} == foreign({table}.c.{theirs[0]})",
    }


def _implied_join(
    rel: _Relationship,
    call: cst.Call,
    keys: Mapping[str, _ClassKeys],
    table_of_class: Mapping[str, str],
) -> str | None:
    """``primaryjoin`` for a relationship whose join its one key column implies, or None.

    Many-to-one when the model holds the key to the target's table, one-to-many
    when the target holds the key to the model's: the join is the key column
    (marked ``foreign()``, as no database key backs it) against the other
    class's one primary-key column. ``foreign_keys=`` picks among several.
    """
    if rel.secondary is not None or len(rel.targets) != 1 or _keyword(call, "secondary") is not None:
        return None
    model, target = rel.model, rel.targets[0]
    if model not in keys:
        return None

    def pointing(holder: str, to: str) -> list[str]:
        if holder not in keys:
            return []  # a class of another module: its keys are not seen here
        return sorted(
            attribute
            for attribute, table in keys[holder].references.items()
            if table_of_class.get(table, table) == table_of_class.get(to, to)
        )

    chosen = _keyword(call, "foreign_keys")
    named = _string(chosen) if chosen is not None else None
    if chosen is not None and named is None:
        return None  # a list or an expression: not judged here
    many_to_one = [a for a in pointing(model, target) if named in (None, f"{model}.{a}")]
    one_to_many = [a for a in pointing(target, model) if named in (None, f"{target}.{a}")]
    written = _keyword(call, "primaryjoin")
    if written is not None:
        # the join the code wrote names the key column it goes through: pick it among several
        text = cst.Module([]).code_for_node(written)

        def named_in(cls: str, attribute: str) -> bool:
            return re.search(rf"\b{re.escape(cls)}\.{re.escape(attribute)}\b", text) is not None

        many_to_one = [a for a in many_to_one if named_in(model, a)]
        one_to_many = [a for a in one_to_many if named_in(target, a)]
    if model == target or len(many_to_one) + len(one_to_many) != 1:
        # self-referential or ambiguous, or the other class's keys are not seen here: a
        # written join whose one side is a primary key is marked on its other side
        return _marked_join(_string(written) if written is not None else None, model, target, keys)
    if many_to_one:
        column = many_to_one[0]
        # the key names the column it references; a helper's key references the target's key,
        # which is read from the class here, else taken to be "id" (SQLAlchemy says so if not)
        referenced = keys[model].referenced_columns.get(column)
        if referenced is None and target in keys and len(keys[target].primary) == 1:
            referenced = keys[target].primary[0]
        return f"foreign({model}.{column}) == {target}.{referenced or 'id'}"
    if one_to_many and len(keys[model].primary) == 1:
        return f"{model}.{keys[model].primary[0]} == foreign({target}.{one_to_many[0]})"
    return None


_SIMPLE_JOIN = re.compile(r"^\s*(\w+)\.(\w+)\s*==\s*(\w+)\.(\w+)\s*$")


def _marked_join(written: str | None, model: str, target: str, keys: Mapping[str, _ClassKeys]) -> str | None:
    """``"User.id == Post.user_id"`` as ``"User.id == foreign(Post.user_id)"``: the side not a primary key."""
    found = _SIMPLE_JOIN.match(written or "")
    if found is None:
        return None
    left, right = (found.group(1), found.group(2)), (found.group(3), found.group(4))
    if {left[0], right[0]} != {model, target} or model == target:
        return None

    def primary(side: tuple[str, str]) -> bool:
        return side[0] in keys and keys[side[0]].primary == (side[1],)

    if primary(left) and not primary(right):
        return f"{left[0]}.{left[1]} == foreign({right[0]}.{right[1]})"
    if primary(right) and not primary(left):
        return f"foreign({left[0]}.{left[1]}) == {right[0]}.{right[1]}"
    return None


def _join_needs_keys(call: cst.Call) -> bool:
    """Whether the join the code wrote finds its key columns through foreign keys.

    ``primaryjoin="Post.topic_id == Topic.id"`` does: with the key cut,
    SQLAlchemy cannot tell which side is foreign, unless ``foreign()`` or
    ``foreign_keys=`` says.
    """
    written = _keyword(call, "primaryjoin")
    if written is None or _keyword(call, "foreign_keys") is not None:
        return False
    return "foreign(" not in cst.Module([]).code_for_node(written)


def _with_join(member: cst.BaseStatement, joins: Mapping[str, str]) -> cst.BaseStatement:
    """The relationship assignment ``member`` with the ``joins`` keywords added (``primaryjoin=...``)."""

    class AddJoin(cst.CSTTransformer):
        def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
            if called_name(original_node) != "relationship":
                return updated_node
            # a join the code wrote itself is replaced: it names the key columns without the
            # foreign() the cut keys now need (``primaryjoin=(links.c.user_id == id)``)
            args = [a for a in updated_node.args if a.keyword is None or a.keyword.value not in joins]
            if args:
                args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            added = [
                cst.Arg(
                    cst.SimpleString(repr(join).replace("'", '"')),
                    keyword=cst.Name(keyword),
                    equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
                )
                for keyword, join in joins.items()
            ]
            added[-1] = added[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return updated_node.with_changes(args=[*args, *added])

    visited = member.visit(AddJoin())
    assert isinstance(visited, cst.BaseStatement)
    return visited


def _kept_relationships(
    relationships: list[_Relationship],
    models: Mapping[str, bool],
    *,
    keep_tables: Collection[str],
    keep_classes: Collection[str],
    present_classes: Collection[str],
    present_tables: Collection[str],
    implied: Collection[tuple[str, str]] = (),
) -> set[tuple[str, str]]:
    """The (model, attribute) relationships the unit keeps.

    Between the unit's own classes, a relationship stays (its keys stay
    too). One that involves a replica stays only when its join is known
    (spelled out by the code, or in ``implied``: see :func:`_implied_join`)
    and every class and association table it reaches is here. A
    relationship whose ``back_populates`` partner goes, goes too.
    """
    kept: set[tuple[str, str]] = set()
    for rel in relationships:
        if not rel.targets:
            continue
        owned = not models.get(rel.model, False) and all(t in keep_classes for t in rel.targets)
        if (owned and (rel.secondary is None or rel.secondary in keep_tables)) or (
            (rel.explicit_join or (rel.model, rel.attribute) in implied)
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
    replica: bool,
    keep_tables: Collection[str],
    table_of_class: Mapping[str, str],
    schema: ModuleSchema,
    removed: list[LinkRemoval],
) -> tuple[cst.BaseStatement, bool]:
    """``member`` without the keys it may not keep; whether it now declares a column with ``_SA``."""
    attribute, _, value = found
    key = schema.keys.get((owner, attribute))
    if key is not None and key.helper and isinstance(value, cst.Call):
        keeps = not replica and table_of_class.get(key.table, key.table) in keep_tables
        if not keeps:
            assert isinstance(member, cst.SimpleStatementLine)  # as _assignment found it
            removed.append(LinkRemoval(owner, attribute, "foreign key", key.table))
            small = member.body[0]
            return member.with_changes(body=[small.with_changes(value=_helper_column(value, key))]), True
        return member, False
    transformer = _ModelLinks(
        owner,
        replica=replica,
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
    through helpers. Foreign keys to other tables and relationships to other
    classes go; so does every key of a replica, and every relationship of
    one whose join needs a key (see :func:`_kept_relationships`).
    """
    schema = schema or ModuleSchema()
    present_classes = set(present_classes) | set(keep_classes)
    present_tables = set(present_tables) | set(keep_tables)
    relationships: list[_Relationship] = []
    keys = {
        statement.name.value: _class_keys(statement, schema)
        for statement in module.body
        if isinstance(statement, cst.ClassDef) and statement.name.value in models
    }
    #: (model, attribute) → the join a relationship's key column implies, where a cut key hides it
    joins: dict[tuple[str, str], dict[str, str]] = {}
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value in models:
            block = statement.body
            assert isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite))
            for member in block.body:
                found = _assignment(member)  # type: ignore[arg-type]
                rel = _relationship(statement.name.value, found, schema) if found else None
                if rel is not None:
                    relationships.append(rel)
                    assert found is not None and isinstance(found[2], cst.Call)
                    join = (
                        None
                        if rel.explicit_join and not _join_needs_keys(found[2])
                        else _implied_joins(rel, found[2], keys, table_of_class, schema)
                    )
                    if join is not None:
                        joins[(rel.model, rel.attribute)] = join
    kept_relationships = _kept_relationships(
        relationships,
        models,
        keep_tables=keep_tables,
        keep_classes=keep_classes,
        present_classes=present_classes,
        present_tables=present_tables,
        implied=joins,
    )
    # a kept relationship whose key this unit cuts needs its join spelled out
    cut = {
        key
        for key in joins
        if models.get(key[0], False)
        or any(models.get(t, False) or t not in keep_classes for t in _targets_of(relationships, key))
    }
    removed: list[LinkRemoval] = []
    body: list[cst.BaseStatement] = []
    needs_sa = False
    for statement in module.body:
        found = _assignment(statement)
        if found is not None and found[0] in schema.tables and called_name(found[2]) == "Table":
            stripped, typed = _strip_member(
                statement,
                found[0],
                found,
                # a table the unit does not own is a replica here, or not created at all
                replica=schema.tables[found[0]] not in keep_tables,
                removed=removed,
                keep_tables=keep_tables,
                table_of_class=table_of_class,
                schema=schema,
            )
            needs_sa |= typed
            body.append(stripped)
            continue
        if not (isinstance(statement, cst.ClassDef) and statement.name.value in models):
            body.append(statement)
            continue
        name = statement.name.value
        replica = models[name]
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
                if (name, rel.attribute) in cut:
                    member = _with_join(member, joins[(name, rel.attribute)])
            elif found is not None:
                member, typed = _strip_member(
                    member,
                    name,
                    found,
                    replica=replica,
                    removed=removed,
                    keep_tables=keep_tables,
                    table_of_class=table_of_class,
                    schema=schema,
                )
                needs_sa |= typed
            members.append(member)
        condition = _inherit_condition(statement, removed, table_of_class)
        if condition is not None:
            members.append(condition)
        if not members:
            members = [cst.SimpleStatementLine(body=[cst.Pass()])]
        body.append(statement.with_changes(body=block.with_changes(body=members)))
    if needs_sa:
        body = _with_import(body)
    return module.with_changes(body=body), tuple(removed)


def _inherit_condition(
    statement: cst.ClassDef, removed: Collection[LinkRemoval], table_of_class: Mapping[str, str]
) -> cst.BaseStatement | None:
    """``__mapper_args__`` with the join to the parent's table, when the key that implied it was cut.

    A subclass with a table of its own (joined-table inheritance) joins its parent's
    table through its primary key's foreign key; without it SQLAlchemy cannot tell
    the join (``NoForeignKeysError``), so it is spelled out, with what the class's
    ``__mapper_args__`` said (or those it inherited) kept.
    """
    name = statement.name.value
    own_table = table_of_class.get(name)
    parents = [
        base
        for arg in statement.bases
        if (base := _dotted_name(arg.value)) is not None
        and table_of_class.get(base.rpartition(".")[2]) not in (None, own_table)
    ]
    if own_table is None or len(parents) != 1:
        return None
    parent = parents[0]
    parent_table = table_of_class[parent.rpartition(".")[2]]
    block = statement.body
    assert isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite))
    for member in block.body:
        found = _assignment(member)  # type: ignore[arg-type]
        if found is None or not isinstance(found[2], cst.Call):
            continue
        cut = any(
            r.model == name
            and r.attribute == found[0]
            and r.kind == "foreign key"
            and r.target == parent_table
            for r in removed
        )
        referenced = _referenced_column(found[2], parent, parent_table) if cut else None
        if referenced is None:
            continue
        declared = any((a := _assignment(m)) is not None and a[0] == "__mapper_args__" for m in block.body)  # type: ignore[arg-type]
        inherited = "__mapper_args__" if declared else f'getattr({parent}, "__mapper_args__", {{}})'
        return cst.parse_statement(
            f'__mapper_args__ = {{**{inherited}, "inherit_condition": {found[0]} == {referenced}}}'
            "  # the parent's key this unit cut joined the tables\n"
        )
    return None


def _dotted_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    return None


def _referenced_column(column: cst.Call, parent: str, parent_table: str) -> str | None:
    """What a column's ``ForeignKey`` to the parent's table referenced, as code in the class body."""
    for call in _calls_in(column):
        if called_name(call) != "ForeignKey" or not call.args or call.args[0].keyword is not None:
            continue
        target = call.args[0].value
        text = _string(target)
        if text is not None:
            table, _, referenced = text.rpartition(".")
            return f"{parent}.__table__.c.{referenced}" if table == parent_table and referenced else None
        return cst.Module(body=[]).code_for_node(target)  # ForeignKey(Submission.id)
    return None


def _calls_in(node: cst.CSTNode) -> list[cst.Call]:
    found: list[cst.Call] = []

    class _Calls(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            found.append(call)

    node.visit(_Calls())
    return found


def _targets_of(relationships: list[_Relationship], key: tuple[str, str]) -> tuple[str, ...]:
    return next((r.targets for r in relationships if (r.model, r.attribute) == key), ())


def _with_import(body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """``import sqlalchemy as _monosplit_sa`` after the docstring and ``__future__`` imports."""
    statement = cst.parse_statement(f"import sqlalchemy as {_SA}  # columns whose key this unit cut\n")
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
