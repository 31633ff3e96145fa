"""Rendering the jinja2 templates under ``generator/templates`` (grouped by what they produce)."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # the output is code and Markdown, not HTML
    )


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)
