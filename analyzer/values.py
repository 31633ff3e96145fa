"""What an expression can stand for, as the resolver sees it.

Values are hashable so that sets of them can be memoised; an expression's
meaning is a frozenset of values (empty when unknown).
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.facts import CallOf


@dataclass(frozen=True, slots=True)
class Def:
    """A module, class or function of the analysed project, by node id."""

    id: str


@dataclass(frozen=True, slots=True)
class Inst:
    """An instance of the project class ``cls``."""

    cls: str


@dataclass(frozen=True, slots=True)
class Ext:
    """Something outside the project, by import path (``flask.Blueprint``)."""

    path: str


@dataclass(frozen=True, slots=True)
class ExtInst:
    """What calling ``Ext(path)`` returned; ``call`` and ``module`` say where, with which arguments."""

    path: str
    call: CallOf | None = None
    module: str = ""
    scope: str = ""


@dataclass(frozen=True, slots=True)
class Inherited:
    """An attribute of project class ``cls`` found only through an external base.

    ``path`` is the attribute chain from the class, with ``()`` for calls:
    ``objects.filter().update`` for ``Order.objects.filter(...).update``.
    """

    cls: str
    path: str
    instance: bool


@dataclass(frozen=True, slots=True)
class Coll:
    """A literal collection of values (a dict's values, a list, a tuple)."""

    items: frozenset[Value]


@dataclass(frozen=True, slots=True)
class Namespace:
    """A namespace package of the project (a folder of modules without __init__.py)."""

    name: str


Value = Def | Inst | Ext | ExtInst | Inherited | Coll | Namespace
Values = frozenset[Value]
EMPTY: Values = frozenset()
