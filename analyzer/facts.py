"""Facts: what one source file says, before anything is resolved across files.

The extractor turns one module's syntax tree into a :class:`ModuleFacts`; the
syntax tree is then dropped. Facts are small, picklable (they travel between
worker processes and live in the cache) and purely local: names are recorded
as written (``Expr``) and only the resolver, which sees every module, decides
what they refer to.

Scopes are named by their qualified name inside the module: ``""`` is
module-level code, ``"Order"`` a class body, ``"Order.total"`` a method,
``"outer.inner"`` a nested function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Facts are frozen dataclasses *without* __slots__ on purpose: Python 3.11
# pickles slotted dataclasses through a per-object __getstate__ written in
# Python, which made the fact cache and the transfer from worker processes
# several times slower than pickling plain instance dictionaries in C.

# --- expressions -----------------------------------------------------------
# A tiny expression algebra: just enough of Python's expressions to follow a
# name to a definition. Anything else is Opaque.


@dataclass(frozen=True)
class Name:
    """A bare name, looked up through the scope chain."""

    id: str


@dataclass(frozen=True)
class Attr:
    """``base.attr``."""

    base: Expr
    attr: str


@dataclass(frozen=True)
class CallOf:
    """The value returned by calling ``func`` with these arguments.

    Arguments are kept because frameworks give them meaning: a Blueprint's
    ``url_prefix``, ``apps.get_model("orders", "Order")``, a route's path.
    """

    func: Expr
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class Item:
    """An element of ``base``: ``base[key]`` or one iteration of ``for x in base``.

    ``key`` is a literal string subscript (``app.config["PREFIX"]``), None otherwise.
    """

    base: Expr
    key: str | None = None


@dataclass(frozen=True)
class Nth:
    """Element ``index`` of ``base`` when unpacked: ``a, b = make_pair()``."""

    base: Expr
    index: int


@dataclass(frozen=True)
class Items:
    """A literal list, tuple, set or the values of a dict literal."""

    items: tuple[Expr, ...]


@dataclass(frozen=True)
class InstanceOf:
    """An instance of the class ``cls`` (from an annotation such as ``x: Foo``)."""

    cls: Expr


@dataclass(frozen=True)
class Super:
    """``super()`` inside a method of the scope's class."""


@dataclass(frozen=True)
class Lit:
    """A literal: str, int, float, bool, None, or a tuple of those."""

    value: str | int | float | bool | tuple[str | int | float | bool | None, ...] | None


@dataclass(frozen=True)
class Opaque:
    """Something the analyzer does not follow (arithmetic, comprehensions, ...)."""


OPAQUE = Opaque()

#: A Name whose id starts with this marker refers to a definition of the same module.
DEF_MARKER = "@def:"

Expr = Name | Attr | CallOf | Item | Nth | Items | InstanceOf | Super | Lit | Opaque

# --- per-file facts ----------------------------------------------------------

DefinitionKind = Literal["class", "function", "method"]


@dataclass(frozen=True)
class Param:
    name: str
    annotation: Expr | None
    #: "positional", "keyword", "star" (``*args``) or "double_star" (``**kwargs``)
    kind: str


@dataclass(frozen=True)
class Definition:
    """A class, function or method defined in the module."""

    qualname: str
    kind: DefinitionKind
    line: int
    end_line: int
    decorators: tuple[Expr, ...] = ()
    bases: tuple[Expr, ...] = ()
    params: tuple[Param, ...] = ()
    returns: Expr | None = None
    is_async: bool = False

    @property
    def scope(self) -> str:
        """The scope the definition is written in ("" for module level)."""
        return self.qualname.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]


@dataclass(frozen=True)
class ImportFact:
    """One imported name.

    ``import a.b.c`` is ``module="a.b.c", name=None, bound="a"``;
    ``import a.b as x`` is ``module="a.b", name=None, bound="x"``;
    ``from ..p import q as r`` is ``module="p", level=2, name="q", bound="r"``;
    ``from m import *`` is ``name="*", bound="*"``.
    """

    scope: str
    module: str
    name: str | None
    bound: str
    level: int
    line: int
    type_checking: bool
    conditional: bool


@dataclass(frozen=True)
class Binding:
    """``name = value`` (also ``for name in``, ``with ... as name``, annotations)."""

    scope: str
    name: str
    value: Expr


@dataclass(frozen=True)
class AttrBinding:
    """``self.attr = value`` inside method ``scope`` of class ``cls`` (qualnames)."""

    cls: str
    attr: str
    value: Expr
    scope: str


@dataclass(frozen=True)
class CallFact:
    """A call site: ``func(*args, **kwargs)`` written in ``scope``."""

    scope: str
    func: Expr
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class StoreFact:
    """``base.attr = ...`` where base is not the method's ``self``."""

    scope: str
    base: Expr
    attr: str


@dataclass(frozen=True)
class ReturnFact:
    scope: str
    value: Expr


@dataclass(frozen=True)
class ReferenceFact:
    """A name or attribute loaded but not called (``Order``, ``settings.DEBUG``)."""

    scope: str
    expr: Expr


@dataclass(frozen=True)
class SubscriptFact:
    """``base["key"]`` with a literal string key, e.g. ``os.environ["HOME"]``."""

    scope: str
    base: Expr
    key: str


@dataclass(frozen=True)
class SqlFact:
    """Table names found in a string literal that reads as SQL."""

    scope: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]


@dataclass(frozen=True)
class ModuleFacts:
    """Everything the extractor learned from one file."""

    module: str
    path: str
    is_package: bool
    lines: int
    definitions: tuple[Definition, ...] = ()
    imports: tuple[ImportFact, ...] = ()
    bindings: tuple[Binding, ...] = ()
    attr_bindings: tuple[AttrBinding, ...] = ()
    calls: tuple[CallFact, ...] = ()
    returns: tuple[ReturnFact, ...] = ()
    references: tuple[ReferenceFact, ...] = ()
    subscripts: tuple[SubscriptFact, ...] = ()
    sql: tuple[SqlFact, ...] = ()
    stores: tuple[StoreFact, ...] = ()
    #: (scope, name) of lower-case names read in functions and class bodies
    loads: tuple[tuple[str, str], ...] = ()
    #: lower-case names read as values, not called, in any scope (module level too):
    #: ``filters["x"] = is_unread``, ``DECAY_FUNCTIONS = {"linear": linear}``
    value_loads: tuple[tuple[str, str], ...] = ()
    #: ``name.attr`` read (not called, not assigned) with a lower-case ``attr``:
    #: ``self.email`` in ``return self.email + suffix``, which no other fact keeps
    attribute_loads: tuple[ReferenceFact, ...] = ()
    #: names declared ``global`` per function scope
    globals: tuple[tuple[str, str], ...] = ()
    #: the literal ``__all__``, if the module defines one
    all_names: tuple[str, ...] | None = None
    #: every ASCII identifier in the source, code, strings and comments alike: a
    #: superset of the names this module can look up in another (see
    #: ``analysis._added_functions``: a new function nothing else names changes
    #: no other module's resolution)
    names: frozenset[str] = frozenset()
