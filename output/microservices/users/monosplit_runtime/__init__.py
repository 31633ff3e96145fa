"""monosplit_runtime: what every service monosplit generates runs on.

monosplit carves a monolith into services; each service is a copy of the
original package that keeps only its own symbols, and calls the functions
other services now own through stubs. This package is what those stubs and
the service's app stand on, and monosplit copies it verbatim into every
generated service as ``monosplit_runtime/`` (in monosplit's own tree it is
``generator/runtime``, and depends only on the standard library, Flask,
urllib3, prometheus_client and, optionally, SQLAlchemy):

* :mod:`.codec` carries Python values across a hop as tagged JSON: dates,
  decimals, enums, dataclasses, ORM rows (as :class:`RemoteRecord` where the
  model lives elsewhere), exceptions as their own class, and placeholders
  for the database session and the request, which each service supplies
  itself;
* :class:`ServiceClient` calls a function another service owns, retrying
  what is safe to retry;
* :func:`install` serves this service's exported functions, health and
  readiness probes, Prometheus metrics, and read replicas of its tables;
* :mod:`.schema` creates or migrates the service's own tables when it starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import ServiceClient
    from .codec import RemoteRecord, decode, dumps, encode, loads, register_context_provider
    from .errors import (
        BadArguments,
        RemoteError,
        ServiceUnavailable,
        UndecodableValue,
        UnencodableValue,
        UnknownExport,
    )
    from .flask_server import install
    from .schema import Migrations, Schema, SchemaError

#: public name → the module defining it. Imported on first use, so that a module
#: with no Flask dependency (``guard``, which monosplit's own gateway uses) can be
#: imported where Flask is not installed.
_HOMES = {
    "ServiceClient": "client",
    "RemoteRecord": "codec",
    "decode": "codec",
    "dumps": "codec",
    "encode": "codec",
    "loads": "codec",
    "register_context_provider": "codec",
    "BadArguments": "errors",
    "RemoteError": "errors",
    "ServiceUnavailable": "errors",
    "UndecodableValue": "errors",
    "UnencodableValue": "errors",
    "UnknownExport": "errors",
    "install": "flask_server",
    "Migrations": "schema",
    "Schema": "schema",
    "SchemaError": "schema",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{home}", __name__), name)


__all__ = [
    "BadArguments",
    "Migrations",
    "RemoteError",
    "RemoteRecord",
    "Schema",
    "SchemaError",
    "ServiceClient",
    "ServiceUnavailable",
    "UndecodableValue",
    "UnencodableValue",
    "UnknownExport",
    "decode",
    "dumps",
    "encode",
    "install",
    "loads",
    "register_context_provider",
]
