"""Name each service after its capability, from its own vocabulary.

Candidate words come, strongest first, from the tables it owns (the
entities it keeps), the route resources it serves, the modules its code
lives in, and the names of its symbols. Generic words (``api``, ``utils``,
``get``, ``item``...) never name a service. Names are unique, lower-case
DNS labels, so they can be Kubernetes service names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from analyzer.plan.units import Unit, route_resource

_SPLIT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# Words too generic to name a capability.
GENERIC_WORDS = frozenset(
    {
        "api",
        "apis",
        "app",
        "apps",
        "application",
        "base",
        "blueprint",
        "blueprints",
        "common",
        "config",
        "conf",
        "core",
        "db",
        "default",
        "helper",
        "helpers",
        "impl",
        "init",
        "lib",
        "libs",
        "main",
        "manager",
        "managers",
        "misc",
        "model",
        "models",
        "module",
        "modules",
        "route",
        "routes",
        "router",
        "routers",
        "service",
        "services",
        "shared",
        "util",
        "utils",
        "view",
        "views",
        "handler",
        "handlers",
        "get",
        "set",
        "list",
        "create",
        "update",
        "delete",
        "add",
        "remove",
        "find",
        "make",
        "build",
        "load",
        "save",
        "run",
        "do",
        "is",
        "has",
        "to",
        "from",
        "new",
        "old",
        "all",
        "by",
        "for",
        "of",
        "on",
        "in",
        "the",
        "a",
        "an",
        "and",
        "or",
        "with",
        "item",
        "items",
        "data",
        "info",
        "detail",
        "details",
        "record",
        "records",
        "entry",
        "entries",
        "value",
        "values",
        "type",
        "types",
        "id",
        "ids",
        "key",
        "keys",
        "me",
        "my",
        "root",
        "index",
        "internal",
        "public",
        "admin",
        "test",
        "tests",
        "mixin",
        "mixins",
        "abstract",
        "error",
        "errors",
        "exception",
        "exceptions",
        "request",
        "response",
        "schema",
        "schemas",
        "serializer",
        "serializers",
        "form",
        "forms",
        "field",
        "fields",
        "query",
        "queries",
        "table",
        "tables",
    }
)


def words(identifier: str) -> list[str]:
    """Lower-case words of an identifier: ``OrderItem`` → ``order, item``; ``cart_items`` → ``cart, items``."""
    return [w.lower() for w in _SPLIT.findall(identifier)]


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _plural(word: str) -> str:
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word if word.endswith("s") and not word.endswith("ss") else word + "es"
    return word + "s"


def _label(word: str) -> str:
    label = re.sub(r"[^a-z0-9-]+", "-", word.lower()).strip("-")
    if not label or not label[0].isalpha():
        label = f"svc-{label}" if label else "svc"
    return label[:40]


def _candidates(units: Sequence[Unit], tables: Iterable[str]) -> tuple[dict[str, float], dict[str, str]]:
    """Scores by word (singular), and the form to name a service by (plural for entities)."""
    score: dict[str, float] = defaultdict(float)
    forms: dict[str, dict[str, float]] = {}

    def vote(word: str, weight: float, form: str) -> None:
        key = _singular(word)
        score[key] += weight
        forms.setdefault(key, defaultdict(float))[form] += weight

    for table in tables:
        table_words = words(table)
        if table_words:  # the head noun names the entity: order_items → orders
            vote(table_words[0], 6.0, _plural(_singular(table_words[0])))
        for word in table_words[1:]:
            vote(word, 1.0, _plural(_singular(word)))
    for unit in units:
        for route in unit.routes:
            resource = route_resource(route.split(" ", 1)[1])
            vote(resource, 3.0, resource)  # as the URL spells it: /api/catalog → catalog
        for word in words(unit.module.rsplit(".", 1)[-1]):
            vote(word, 1.0, word)
        for word in words(unit.id.rsplit(".", 1)[-1]):
            vote(word, 0.5, word)
    for generic in list(score):
        if generic in GENERIC_WORDS or len(generic) < 3 or generic == "root":
            del score[generic]
    best_form = {key: max(f.items(), key=lambda kv: (kv[1], kv[0]))[0] for key, f in forms.items()}
    return score, best_form


def name_services(
    groups: Sequence[Sequence[Unit]], owned_tables: Sequence[Iterable[str]], fixed: dict[int, str]
) -> list[str]:
    """A unique name for each group; ``fixed`` maps group index → a name the user pinned."""
    taken = set(fixed.values())
    names: list[str | None] = [fixed.get(i) for i in range(len(groups))]
    candidates = [_candidates(groups[i], owned_tables[i]) for i in range(len(groups))]
    ranked = [sorted(score.items(), key=lambda kv: (-kv[1], kv[0])) for score, _ in candidates]
    # the most confident group chooses first, so a strong claim is not lost to a weak one
    order = sorted(
        (i for i in range(len(groups)) if names[i] is None),
        key=lambda i: (-(ranked[i][0][1] if ranked[i] else 0), i),
    )
    for i in order:
        for word, _ in ranked[i]:
            label = _label(candidates[i][1][word])
            if label not in taken and label != "shared":
                names[i] = label
                taken.add(label)
                break
        else:
            n = 1
            while f"service-{n}" in taken:
                n += 1
            names[i] = f"service-{n}"
            taken.add(f"service-{n}")
    return [n or "service" for n in names]
