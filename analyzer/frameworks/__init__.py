"""Framework plugins, registered in one place.

Adding a framework is adding a module with a :class:`Framework` subclass and
listing an instance here. Order matters only for ``call_result`` (first
answer wins) and for models (first plugin to claim a class names its table).
"""

from __future__ import annotations

from analyzer.frameworks.base import Framework
from analyzer.frameworks.dbapi import DbApi
from analyzer.frameworks.decorated import FastAPI, Flask
from analyzer.frameworks.django import Django
from analyzer.frameworks.environment import Environment
from analyzer.frameworks.migrations import SchemaMigrations
from analyzer.frameworks.orm import OrmAccess
from analyzer.frameworks.sqlalchemy import SqlAlchemy


def default_frameworks() -> tuple[Framework, ...]:
    """Fresh plugin instances (some keep per-run indexes)."""
    return (
        SqlAlchemy(),
        Django(),
        OrmAccess(),
        Flask(),
        FastAPI(),
        Environment(),
        SchemaMigrations(),
        DbApi(),
    )


FRAMEWORKS: tuple[Framework, ...] = default_frameworks()

__all__ = ["FRAMEWORKS", "Framework", "default_frameworks"]
