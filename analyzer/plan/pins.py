"""The user's pins: decisions the plan must honour exactly.

In ``[tool.monosplit.pins]`` of the analysed project's pyproject.toml (or
``[pins]`` in its monosplit.toml)::

    [tool.monosplit.pins]
    services = { payments = ["shop.services.billing", "shop.models.Payment"] }
    together = [["shop.cart.Cart", "shop.checkout.checkout"]]
    apart = [["shop.orders.Order", "shop.payments.Payment"]]
    shared = ["shop.utils"]

Each entry names a top-level symbol, a module or package (all the symbols
in it), a method or nested function (its top-level symbol), or an fnmatch
pattern over symbol ids. An entry that matches nothing is an error.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from analyzer.errors import MonosplitError

_SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


class PlanError(MonosplitError):
    """A pin or a plan file that cannot be honoured as written."""


@dataclass(frozen=True, slots=True)
class Pins:
    services: dict[str, tuple[str, ...]] = field(default_factory=dict)
    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[str, ...], ...] = ()
    shared: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.services or self.together or self.apart or self.shared)

    @property
    def in_services(self) -> frozenset[str]:
        """Every unit pinned to a named service."""
        return frozenset(u for members in self.services.values() for u in members)


def _expand(entry: str, units: Iterable[str], symbols: Mapping[str, str], where: str) -> tuple[str, ...]:
    """Unit ids an entry names; ``symbols`` maps every symbol id to its unit."""
    unit_ids = sorted(units)
    if entry in symbols:
        return (symbols[entry],)
    if any(ch in entry for ch in "*?["):
        found = sorted({symbols[s] for s in symbols if fnmatch.fnmatchcase(s, entry)})
    else:
        found = [u for u in unit_ids if u.startswith(entry + ".")]
    if not found:
        raise PlanError(f"{where}: pin {entry!r} names no symbol, module or package of the analysed code")
    return tuple(found)


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PlanError(f"{where}: must be a list of strings")
    return value


def parse_pins(
    table: Mapping[str, Any], *, units: Iterable[str], symbols: Mapping[str, str], source: str
) -> Pins:
    """Pins from a ``pins`` table, checked against the analysed units. Raises :class:`PlanError`."""
    units = list(units)
    known = {"services", "together", "apart", "shared"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise PlanError(f"{source}: unknown key(s) in pins: {', '.join(unknown)} (expected {sorted(known)})")
    services: dict[str, tuple[str, ...]] = {}
    raw_services = table.get("services", {})
    if not isinstance(raw_services, dict):
        raise PlanError(f"{source}: pins.services must be a table of service name = [symbols]")
    owner: dict[str, str] = {}
    for name, entries in sorted(raw_services.items()):
        if not _SERVICE_NAME.match(name):
            raise PlanError(f"{source}: service name {name!r} must be lower-case letters, digits and '-'")
        members: list[str] = []
        for entry in _strings(entries, f"{source}: pins.services.{name}"):
            for uid in _expand(entry, units, symbols, f"{source}: pins.services.{name}"):
                if owner.get(uid, name) != name:
                    raise PlanError(f"{source}: {uid} is pinned to both {owner[uid]} and {name}")
                owner[uid] = name
                members.append(uid)
        services[name] = tuple(sorted(set(members)))

    def groups(key: str) -> tuple[tuple[str, ...], ...]:
        raw = table.get(key, [])
        if not isinstance(raw, list):
            raise PlanError(f"{source}: pins.{key} must be a list of lists of symbols")
        result = []
        for i, group in enumerate(raw):
            where = f"{source}: pins.{key}[{i}]"
            expanded = sorted({u for e in _strings(group, where) for u in _expand(e, units, symbols, where)})
            if len(expanded) < 2:
                raise PlanError(f"{where}: needs at least two symbols")
            result.append(tuple(expanded))
        return tuple(result)

    together = groups("together")
    apart = groups("apart")
    shared = frozenset(
        u
        for e in _strings(table.get("shared", []), f"{source}: pins.shared")
        for u in _expand(e, units, symbols, f"{source}: pins.shared")
    )
    clash = sorted(shared & set(owner))
    if clash:
        raise PlanError(f"{source}: {clash[0]} is pinned both to service {owner[clash[0]]} and to shared")
    for group in together:
        names = {owner[u] for u in group if u in owner}
        if len(names) > 1:
            raise PlanError(
                f"{source}: pins.together joins symbols pinned to different services {sorted(names)}"
            )
    for group in apart:
        for a in group:
            for b in group:
                if a < b and a in owner and owner.get(b) == owner[a]:
                    raise PlanError(f"{source}: {a} and {b} are pinned to {owner[a]} and also kept apart")
    return Pins(services, together, apart, shared)
