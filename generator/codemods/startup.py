"""Take other services' work out of a service's startup.

The application factory is shared: every service builds its app with it.
When the factory also calls into one capability (seeding the catalog,
warming a cache), the service that owns that capability still does it at
its own startup; every other service would make a network call at boot and
could not start while the owner is down, which defeats independent
deployment. So in those services the bare call statement is replaced by
``pass`` with a comment saying where the work went.
"""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst

from generator.codemods.names import called_name


class _DropCalls(cst.CSTTransformer):
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.dropped: list[str] = []

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.Expr):
            return updated_node
        name = called_name(updated_node.body[0].value)
        if name is None or name not in self.names:
            return updated_node
        self.dropped.append(name)
        comment = f"# monosplit: {name}() runs at the {self.names[name]} service's own startup, not here"
        return updated_node.with_changes(
            body=[cst.Pass()],
            trailing_whitespace=cst.TrailingWhitespace(
                whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(comment)
            ),
        )


def drop_startup_calls(
    module: cst.Module, function: str, names: dict[str, str] | Collection[str]
) -> tuple[cst.Module, tuple[str, ...]]:
    """In top-level ``function``, replace bare calls to ``names`` (name → owning service) by ``pass``."""
    owners = dict(names) if isinstance(names, dict) else dict.fromkeys(names, "owning")
    dropped: list[str] = []
    body: list[cst.BaseStatement] = []
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == function:
            transformer = _DropCalls(owners)
            statement = statement.visit(transformer)  # type: ignore[assignment]
            dropped.extend(transformer.dropped)
        body.append(statement)
    return module.with_changes(body=body), tuple(dropped)
