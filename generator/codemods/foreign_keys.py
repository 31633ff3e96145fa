"""Cut the database links that would cross a service boundary.

With a database per service, a foreign key to a table another service owns
cannot exist (the table is not there), and neither can an ORM relationship
to a class that lives elsewhere. This transform removes both from the model
classes a service keeps, and reports each removal so it can be listed in
MIGRATION.md: the id column stays, the join becomes an API call.

A *replica* class (a read-only copy of another service's table) keeps its
columns only: no foreign keys and no relationships, so refreshing it never
depends on the order rows arrive in.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import libcst as cst

from generator.codemods.names import called_name


@dataclass(frozen=True, slots=True)
class LinkRemoval:
    model: str  # class name
    attribute: str
    kind: str  # "foreign key" or "relationship"
    target: str  # table or class it pointed to


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
        keep_classes: Collection[str],
        table_of_class: Mapping[str, str],
    ) -> None:
        self.model = model
        self.replica = replica
        self.keep_tables = set(keep_tables)
        self.keep_classes = set(keep_classes)
        self.table_of_class = table_of_class
        self.removed: list[LinkRemoval] = []
        self._attribute = ""

    def _keeps_table(self, table: str) -> bool:
        table = self.table_of_class.get(table, table)  # ForeignKey(User.id) names the class
        return not self.replica and table in self.keep_tables

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if called_name(updated_node) not in ("mapped_column", "Column"):
            return updated_node
        args = list(updated_node.args)
        kept = []
        for arg in args:
            value = arg.value
            if isinstance(value, cst.Call):
                table = _foreign_key_table(value)
                if table is not None and not self._keeps_table(table):
                    target = self.table_of_class.get(table, table)
                    self.removed.append(LinkRemoval(self.model, self._attribute, "foreign key", target))
                    continue
            kept.append(arg)
        if len(kept) == len(args):
            return updated_node
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


def strip_foreign_links(
    module: cst.Module,
    models: Mapping[str, bool],
    *,
    keep_tables: Collection[str],
    keep_classes: Collection[str],
    table_of_class: Mapping[str, str],
) -> tuple[cst.Module, tuple[LinkRemoval, ...]]:
    """Remove links leaving the service from the model classes named in ``models``.

    ``models`` maps a top-level class name to whether it is a replica;
    ``keep_tables``/``keep_classes`` are the tables and model class names the
    service owns. Foreign keys to other tables and relationships to other
    classes go; so does every link of a replica.
    """
    removed: list[LinkRemoval] = []
    body: list[cst.BaseStatement] = []
    for statement in module.body:
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
            if found is not None and called_name(found[2]) == "relationship":
                attribute, annotation, value = found
                assert isinstance(value, cst.Call)
                targets = (
                    _class_names(value.args[0].value) if value.args and not value.args[0].keyword else []
                )
                if not targets and annotation is not None:
                    targets = _class_names(annotation)
                if replica or not targets or any(t not in keep_classes for t in targets):
                    removed.append(LinkRemoval(name, attribute, "relationship", ", ".join(targets) or "?"))
                    continue
            if found is not None:
                transformer = _ModelLinks(
                    name,
                    replica=replica,
                    keep_tables=keep_tables,
                    keep_classes=keep_classes,
                    table_of_class=table_of_class,
                )
                transformer._attribute = found[0]
                member = member.visit(transformer)  # type: ignore[assignment]
                removed.extend(transformer.removed)
            members.append(member)
        if not members:
            members = [cst.SimpleStatementLine(body=[cst.Pass()])]
        body.append(statement.with_changes(body=block.with_changes(body=members)))
    return module.with_changes(body=body), tuple(removed)
