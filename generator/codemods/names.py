"""Reading names out of libcst nodes, shared by the codemods and the generator."""

from __future__ import annotations

import libcst as cst


def called_name(node: cst.BaseExpression | None) -> str | None:
    """The last name of what a call calls: ``f`` for ``f(...)`` and ``a.b.f(...)``; None for anything else."""
    if not isinstance(node, cst.Call):
        return None
    if isinstance(node.func, cst.Name):
        return node.func.value
    if isinstance(node.func, cst.Attribute):
        return node.func.attr.value
    return None
