"""Which unit answers a request: path rules compiled once, chosen by path, method and specificity.

Rules use Flask/werkzeug syntax (``/items/<int:item_id>``, ``<path:rest>``,
``<any(a, b):kind>``) or FastAPI/Starlette syntax (``/items/{item_id}``,
``{rest:path}``). Pure: no I/O, nothing mutated after construction.

Choosing, for a method and a decoded path:

1. the most specific rule whose path matches and whose methods allow the method
   (a static rule first, then more static characters, fewer variables, tighter
   converters; ties go to manifest order);
2. else the most specific rule whose path matches, whatever its methods: its
   unit owns that path and answers 405 itself, as the monolith would have;
3. else the default unit.

A path that differs from a rule only by a trailing slash is sent to that rule's
unit (when no rule matches exactly), since Flask answers it with a redirect.

>>> router = Router.build([("catalog", "/api/products/<int:product_id>", frozenset({"GET"}))], default_unit="web")
>>> router.choose("GET", "/api/products/7").unit
'catalog'
>>> router.choose("GET", "/about").unit
'web'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Choice", "CompiledRule", "Reason", "Router", "RuleSyntaxError", "parse_rule"]


class RuleSyntaxError(ValueError):
    """A route rule that cannot be compiled."""


_UUID = r"[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"

# Regex per converter, and its looseness: a tighter converter wins a tie
# (``<int:id>`` before ``<name>`` before ``<path:rest>``), as in werkzeug.
_FLASK_CONVERTERS: dict[str, tuple[str, int]] = {
    "default": (r"[^/]+", 1),
    "string": (r"[^/]+", 1),
    "int": (r"\d+", 0),
    "float": (r"\d+(?:\.\d+)?", 0),
    "uuid": (_UUID, 0),
    "path": (r"[^/].*", 2),
}
_STARLETTE_CONVERTERS: dict[str, tuple[str, int]] = {
    "default": (r"[^/]+", 1),
    "str": (r"[^/]+", 1),
    "int": (r"\d+", 0),
    "float": (r"\d+(?:\.\d+)?", 0),
    "uuid": (_UUID, 0),
    "path": (r".*", 2),
}
_FLASK_VARIABLE = re.compile(
    r"<(?:(?P<converter>[A-Za-z_]\w*)(?:\((?P<arguments>[^)]*)\))?:)?(?P<name>[A-Za-z_]\w*)>"
)
_STARLETTE_VARIABLE = re.compile(r"\{(?P<name>[A-Za-z_]\w*)(?::(?P<converter>[A-Za-z_]\w*))?\}")


@dataclass(frozen=True, slots=True)
class ParsedRule:
    """A rule as a regex plus the numbers that rank it against other rules."""

    pattern: str
    static_chars: int
    variables: int
    looseness: int

    @property
    def is_static(self) -> bool:
        return self.variables == 0


def parse_rule(rule: str) -> ParsedRule:
    """Compile a Flask or FastAPI path rule; raise :class:`RuleSyntaxError` if it is malformed."""
    if not rule.startswith("/"):
        raise RuleSyntaxError("a rule must start with '/'")
    pieces: list[str] = []
    static_chars = variables = looseness = 0
    position = 0
    while position < len(rule):
        char = rule[position]
        if char in "<{":
            found = (_FLASK_VARIABLE if char == "<" else _STARLETTE_VARIABLE).match(rule, position)
            if found is None:
                raise RuleSyntaxError(f"malformed variable at column {position + 1}")
            regex, loose = _converter(found, flask=char == "<")
            pieces.append(f"(?:{regex})")
            variables += 1
            looseness += loose
            position = found.end()
        elif char in ">}":
            raise RuleSyntaxError(f"unmatched {char!r} at column {position + 1}")
        else:
            pieces.append(re.escape(char))
            static_chars += 1
            position += 1
    return ParsedRule("".join(pieces), static_chars, variables, looseness)


def _converter(found: re.Match[str], *, flask: bool) -> tuple[str, int]:
    name = found.group("converter") or "default"
    if flask and name == "any":
        options = [o.strip().strip("'\"") for o in (found.group("arguments") or "").split(",")]
        options = [o for o in options if o]
        if not options:
            raise RuleSyntaxError("any() needs at least one value")
        return "|".join(re.escape(o) for o in options), 0
    table = _FLASK_CONVERTERS if flask else _STARLETTE_CONVERTERS
    if name not in table:
        raise RuleSyntaxError(f"unknown converter {name!r}")
    return table[name]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """One unit's rule, ready to match."""

    unit: str
    rule: str
    methods: frozenset[str]
    regex: re.Pattern[str]
    rank: tuple[int, int, int, int, int]

    def matches(self, path: str) -> bool:
        return self.regex.fullmatch(path) is not None

    def allows(self, method: str) -> bool:
        # Flask answers HEAD wherever it answers GET
        return not self.methods or method in self.methods or (method == "HEAD" and "GET" in self.methods)


class Reason(StrEnum):
    ROUTE = "route"  # a rule matched the path and allows the method
    METHOD_NOT_ALLOWED = "method-not-allowed"  # a rule matched the path only: its unit answers 405
    DEFAULT = "default"  # no rule matched: the default unit


@dataclass(frozen=True, slots=True)
class Choice:
    """The unit chosen for a request, the rule that chose it (None for the default) and why."""

    unit: str
    rule: str | None
    reason: Reason


@dataclass(frozen=True, slots=True)
class Router:
    """Every public rule, most specific first, and the unit for requests no rule matches."""

    rules: tuple[CompiledRule, ...]
    default_unit: str

    @classmethod
    def build(cls, rules: Iterable[tuple[str, str, frozenset[str]]], *, default_unit: str) -> Router:
        """Compile ``(unit, rule, methods)`` triples, given in manifest order."""
        compiled: list[CompiledRule] = []
        for order, (unit, rule, methods) in enumerate(rules):
            parsed = parse_rule(rule)
            rank = (
                0 if parsed.is_static else 1,
                -parsed.static_chars,
                parsed.variables,
                parsed.looseness,
                order,
            )
            upper = frozenset(m.upper() for m in methods)
            compiled.append(CompiledRule(unit, rule, upper, re.compile(parsed.pattern), rank))
        return cls(tuple(sorted(compiled, key=lambda r: r.rank)), default_unit)

    def choose(self, method: str, path: str) -> Choice:
        """The unit for ``method`` on the decoded ``path`` (no query string)."""
        method = method.upper()
        matching = [r for r in self.rules if r.matches(path)]
        if not matching and path != "/":
            other = path[:-1] if path.endswith("/") else path + "/"
            matching = [r for r in self.rules if r.matches(other)]
        for rule in matching:
            if rule.allows(method):
                return Choice(rule.unit, rule.rule, Reason.ROUTE)
        if matching:
            return Choice(matching[0].unit, matching[0].rule, Reason.METHOD_NOT_ALLOWED)
        return Choice(self.default_unit, None, Reason.DEFAULT)
