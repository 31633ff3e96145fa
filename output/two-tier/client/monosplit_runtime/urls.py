"""URLs of routes this unit does not serve.

A view carved into another unit takes its URL rule with it, so
``url_for("main.index")`` in the code this unit kept would raise
``BuildError``. The rule is added back *build-only*: Flask builds the URL, it
never matches a request here, and the gateway (or Ingress) sends the request
to the unit that serves it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def add_routes_served_elsewhere(app: Any, rules: Iterable[tuple[str, str, tuple[str, ...]]]) -> None:
    """Add each ``(endpoint, rule, methods)`` the app does not already route, build-only."""
    from werkzeug.routing import Rule

    served = {rule.endpoint for rule in app.url_map.iter_rules()}
    for endpoint, rule, methods in rules:
        # a view this unit carries after all (shared code) keeps its own rule
        if endpoint in served or endpoint in app.view_functions:
            continue
        app.url_map.add(Rule(rule, endpoint=endpoint, methods=list(methods), build_only=True))
