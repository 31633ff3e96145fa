"""Rendering the jinja2 templates under ``generator/templates`` (grouped by what they produce)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jinja2


def python_literal(value: Any) -> str:
    """A string or tuple of strings as Python source, double-quoted as ruff formats it."""
    if isinstance(value, tuple):
        items = ", ".join(python_literal(item) for item in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, str):
        return json.dumps(value)
    raise TypeError(f"no literal for {type(value).__name__}")


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # the output is code and Markdown, not HTML
    )
    environment.filters["py"] = python_literal
    return environment


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)
