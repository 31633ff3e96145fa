"""Bring a unit's database schema up to date when it starts, and say whether it is.

Each unit has a database of its own, which starts empty. Before the unit
reports ready, :func:`prepare` makes the unit's tables exist there:

* without migrations, ``MetaData.create_all`` of the unit's tables (its own
  and the replicas it keeps), checking first, so a restart creates nothing;
* with Alembic (or Flask-Migrate) and a unit that holds the whole schema
  (the monolith, or a unit that owns every table), the application's own
  migrations: ``alembic upgrade heads``;
* with migrations and a unit that holds part of the schema: the migrations
  were written against every table, and a revision cannot be run for some
  of its tables only (``include_object`` filters what autogenerate
  compares, not what a revision does). So a database without an
  ``alembic_version`` gets the unit's tables from the models and is stamped
  at the head (Alembic's recipe for building a database from scratch), and
  a stamped one is upgraded: the revisions after the stamp are the ones
  written for this unit, in its own copy of the migrations folder.
  Flask-Migrate's ``include_object`` is set to the unit's tables, so
  ``flask db migrate`` in the unit compares only those.

Tables the metadata declares that the analysis assigned to no unit (an
association ``Table()``, say) are created wherever the metadata declares
them; tables other units own never are.

A foreign key to or from a replica stays in the models, so the ORM still
finds the join it implies (``query.join(User)``, a relationship's join), but
is never created in the database, by this module or by the application's own
``create_all``: a replica is replaced wholesale from its owner, in whatever
order its rows arrive, and a row of this unit may name one its copy does not
hold yet. The carved models hand those keys to :func:`keys_left_to_the_orm`
as they are defined.

Several replicas may start at once: on PostgreSQL they take turns on an
advisory lock, on SQLite on a lock file beside the database (``<file>.schema-lock``),
and elsewhere the loser's error fails readiness until its next attempt,
which finds the tables made.
"""

from __future__ import annotations

import logging
import os
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["Migrations", "Schema", "SchemaError", "keys_left_to_the_orm", "mapped_metadata", "prepare"]

logger = logging.getLogger(__name__)

#: what marks, in its ``info``, a foreign key the ORM joins through but the database never holds
ORM_ONLY = "monosplit_orm_only"
#: the PostgreSQL advisory lock units take while they change their schema
_ADVISORY_LOCK = zlib.crc32(b"monosplit_runtime.schema")
_PROCESS_LOCK = threading.RLock()
#: engines made from ``$<database_env>``, by URL
_ENGINES: dict[str, Any] = {}


class SchemaError(Exception):
    """The unit's schema cannot be brought up to date: what is missing, in one line."""


@dataclass(frozen=True, slots=True)
class Migrations:
    """The application's migrations, as carried into the unit.

    ``directory`` is the scripts' folder and ``config`` the ``alembic.ini``
    (plain Alembic only), both relative to the unit's root; with
    Flask-Migrate the app's own ``Migrate`` setup finds them. ``upgrade``:
    the unit holds the whole schema, so the revisions run as written.
    """

    tool: Literal["flask-migrate", "alembic"]
    directory: str
    upgrade: bool
    config: str = ""


@dataclass(frozen=True, slots=True)
class Schema:
    """What the unit's database must hold.

    ``tables`` are created here (the unit's own and its replicas);
    ``others`` belong to other units and are never created here;
    ``metadata`` are the application's objects declaring them (Flask-SQLAlchemy
    ``db``, declarative base classes, ``MetaData``; empty: every mapped
    class's registry). The database is the one Flask-SQLAlchemy's engine,
    the session provider's bind, or else ``$<database_env>`` names.
    """

    tables: frozenset[str]
    others: frozenset[str] = frozenset()
    metadata: tuple[Any, ...] = ()
    migrations: Migrations | None = None
    root: Path = field(default_factory=Path.cwd)
    database_env: str = ""


@dataclass(frozen=True, slots=True)
class _Target:
    """Tables of one metadata to create with one engine."""

    engine: Any
    metadata: Any
    tables: tuple[Any, ...]


def prepare(schema: Schema, *, session_provider: Callable[[], Any] | None = None) -> str:
    """Bring the database up to date (inside the app context); say what was done, in one line.

    Raises :class:`SchemaError`, or the database's own error, when it cannot.
    """
    targets = _targets(schema, session_provider)
    # the migrations run against the app's default database, whatever its metadata holds yet
    migrated = _default_database(schema, session_provider) if schema.migrations is not None else None
    engines = {id(migrated): migrated} if migrated is not None else {}
    for target in targets:
        engines.setdefault(id(target.engine), target.engine)
    if not engines:
        return "no tables to create"
    done: list[str] = []
    for engine in engines.values():
        own = [t for t in targets if t.engine is engine]
        with _schema_lock(engine):
            done.append(_migrate(schema, engine, own) if engine is migrated else _create(own))
    return "; ".join(done)


def keys_left_to_the_orm(*holders: Any, replicas: Iterable[str]) -> None:
    """Keep the foreign keys of ``holders`` to or from one of ``replicas`` out of the database.

    ``holders`` are mapped classes and ``Table`` objects; ``replicas`` the
    names of the tables the unit copies from other units. Each such key stays
    in the metadata (the ORM's joins go through it) and is left out of every
    ``CREATE TABLE`` from now on: building an ``AddConstraint`` of it, never
    executed, is SQLAlchemy's own way to create a constraint apart (1.3 on).
    Autogenerate does not compare it either (:data:`ORM_ONLY`).
    """
    from sqlalchemy.schema import AddConstraint

    copies = set(replicas)
    for holder in holders:
        table = getattr(holder, "__table__", holder)
        for constraint in table.foreign_key_constraints:
            referred = {
                key.target_fullname.rpartition(".")[0].rpartition(".")[2] for key in constraint.elements
            }
            if table.name in copies or referred & copies:
                AddConstraint(constraint)
                constraint.info[ORM_ONLY] = True


def mapped_metadata() -> list[Any]:
    """The MetaData of every ORM registry in the process (models are imported by the time requests come)."""
    import importlib

    mapper_module = importlib.import_module("sqlalchemy.orm.mapper")
    registries: Callable[[], Iterable[Any]] | None = getattr(mapper_module, "_all_registries", None)
    # SQLAlchemy 1.3 keeps no registries, only its mappers
    mappers = getattr(mapper_module, "_mapper_registry", None)
    if registries is not None:
        found = [registry.metadata for registry in registries()]
    elif mappers is not None:
        found = [mapper.local_table.metadata for mapper in list(mappers) if mapper.local_table is not None]
    else:  # those helpers are private: fall back to the declarative base classes
        from sqlalchemy.orm import DeclarativeBase, DeclarativeBaseNoMeta

        found = []
        pending: list[type] = [DeclarativeBase, DeclarativeBaseNoMeta]
        while pending:
            cls = pending.pop()
            pending.extend(cls.__subclasses__())
            registry = cls.__dict__.get("registry")
            if registry is not None and hasattr(registry, "metadata"):
                found.append(registry.metadata)
    unique = {id(metadata): metadata for metadata in found}
    return list(unique.values())


# --------------------------------------------------------------------------- where the tables go


def _targets(schema: Schema, session_provider: Callable[[], Any] | None) -> list[_Target]:
    from sqlalchemy import MetaData

    default: list[Any] = []  # the engine of holders that do not bring their own, found once

    def default_engine() -> Any:
        if not default:
            default.append(_default_engine(schema, session_provider))
        return default[0]

    found: list[tuple[Any, Any]] = []
    for holder in schema.metadata or tuple(mapped_metadata()):
        if isinstance(holder, MetaData):
            found.append((default_engine, holder))
        elif hasattr(holder, "metadatas") and hasattr(holder, "engines"):  # Flask-SQLAlchemy 3
            for bind_key, metadata in holder.metadatas.items():
                found.append((lambda holder=holder, key=bind_key: holder.engines[key], metadata))
        elif hasattr(holder, "metadata") and hasattr(holder, "engine"):  # Flask-SQLAlchemy 2
            found.append((lambda holder=holder: holder.engine, holder.metadata))
        elif isinstance(getattr(holder, "metadata", None), MetaData):  # a declarative base
            found.append((default_engine, holder.metadata))
        else:
            raise SchemaError(f"{holder!r} holds no SQLAlchemy metadata")
    targets: list[_Target] = []
    seen: set[int] = set()
    for engine_of, metadata in found:
        if id(metadata) in seen:
            continue  # Flask-SQLAlchemy on a declarative base: one metadata, named twice
        seen.add(id(metadata))
        tables = _unit_tables(schema, metadata)
        if tables:
            targets.append(_Target(engine_of(), metadata, tables))
    return targets


def _unit_tables(schema: Schema, metadata: Any) -> tuple[Any, ...]:
    """The unit's tables of ``metadata``, and those no unit owns whose references all stay here.

    An association table of two other units' tables (kept with the module
    that declares it) references tables that are not here: it is theirs.
    """
    chosen = {key: table for key, table in metadata.tables.items() if table.name in schema.tables}
    unowned = {
        key: table
        for key, table in metadata.tables.items()
        if table.name not in schema.tables and table.name not in schema.others
    }
    grown = True
    while grown:
        grown = False
        for key, table in list(unowned.items()):
            referenced = {fk.target_fullname.rpartition(".")[0] for fk in table.foreign_keys}
            if referenced <= set(chosen) | {key}:
                chosen[key] = unowned.pop(key)
                grown = True
    return tuple(table for key, table in sorted(chosen.items()))


def _default_database(schema: Schema, session_provider: Callable[[], Any] | None) -> Any:
    """The engine of the app's default database: Flask-SQLAlchemy's, else the session's or the setting's."""
    for holder in schema.metadata:
        if hasattr(holder, "metadatas") and hasattr(holder, "engines"):
            return holder.engines[None]
        if hasattr(holder, "metadata") and hasattr(holder, "engine"):
            return holder.engine
    return _default_engine(schema, session_provider)


def _default_engine(schema: Schema, session_provider: Callable[[], Any] | None) -> Any:
    if session_provider is not None:
        bind = session_provider().get_bind()
        return getattr(bind, "engine", bind)  # a session bound to a connection
    url = os.environ.get(schema.database_env, "") if schema.database_env else ""
    if url:
        from sqlalchemy import create_engine

        with _PROCESS_LOCK:  # one engine (and pool) per URL, however often readiness retries
            engine = _ENGINES.get(url)
            if engine is None:
                engine = _ENGINES[url] = create_engine(url)
            return engine
    raise SchemaError(
        "no database to create the tables in: no session provider"
        + (f" and ${schema.database_env} is not set" if schema.database_env else "")
    )


# --------------------------------------------------------------------------- creating and migrating


def _create(targets: list[_Target]) -> str:
    import sqlalchemy

    created: list[str] = []
    for target in targets:
        with target.engine.begin() as connection:
            existing = set(sqlalchemy.inspect(connection).get_table_names())
            created += [t.name for t in target.tables if t.schema is None and t.name not in existing]
            target.metadata.create_all(connection, tables=list(target.tables), checkfirst=True)
    if not created:
        return "every table exists"
    return f"created {len(created)} table{'s' if len(created) != 1 else ''} ({', '.join(sorted(created))})"


def _migrate(schema: Schema, engine: Any, targets: list[_Target]) -> str:
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    migrations = schema.migrations
    assert migrations is not None
    config = _alembic_config(schema, engine)
    with _logging_kept():  # env.py's fileConfig() would silence the server's loggers
        if migrations.upgrade:
            command.upgrade(config, "heads")
            return f"migrated to {_heads(engine)}"
        with engine.connect() as connection:
            stamped = MigrationContext.configure(connection).get_current_heads()
        if stamped:
            command.upgrade(config, "heads")  # revisions written for this unit since it was split
            created = _create(targets)
            return f"migrated to {_heads(engine)}; {created}"
        created = _create(targets)
        command.stamp(config, "heads")
        return f"{created}; stamped {_heads(engine)}"


def _heads(engine: Any) -> str:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return "revision " + ", ".join(sorted(heads)) if heads else "no revision"


def _alembic_config(schema: Schema, engine: Any) -> Any:
    migrations = schema.migrations
    assert migrations is not None
    directory = schema.root / migrations.directory
    if migrations.tool == "flask-migrate":
        from flask import current_app

        setup = current_app.extensions.get("migrate")
        if setup is None:
            raise SchemaError("Flask-Migrate is not set up on the app (no Migrate(app, db) ran)")
        if not migrations.upgrade:
            _compare_only(setup.configure_args, schema.tables)
        return setup.migrate.get_config(str(directory))
    from alembic.config import Config

    config = Config(str(schema.root / migrations.config))
    location = config.get_main_option("script_location") or migrations.directory
    if not Path(location).is_absolute():
        config.set_main_option("script_location", str(schema.root / location))
    # the unit's own database, whatever alembic.ini says; % is configparser's escape
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _compare_only(configure_args: dict[str, Any], tables: frozenset[str]) -> None:
    """Make autogenerate (``flask db migrate``) compare the unit's tables only, not keys left to the ORM."""
    own = configure_args.get("include_object")

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        if table is not None and table not in tables:
            return False
        if type_ == "foreign_key_constraint" and getattr(obj, "info", {}).get(ORM_ONLY):
            return False  # the ORM's, never the database's (see the module's docstring)
        return own(obj, name, type_, reflected, compare_to) if own is not None else True

    if not getattr(own, "monosplit_unit_tables", False):
        include_object.monosplit_unit_tables = True  # type: ignore[attr-defined]
        configure_args["include_object"] = include_object


# --------------------------------------------------------------------------- taking turns


@contextmanager
def _schema_lock(engine: Any) -> Iterator[None]:
    """One process (and thread) at a time changes this database's schema."""
    with _PROCESS_LOCK:
        if engine.dialect.name == "postgresql":
            with _advisory_lock(engine):
                yield
        elif engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            with _file_lock(Path(str(engine.url.database) + ".schema-lock")):
                yield
        else:
            yield


@contextmanager
def _advisory_lock(engine: Any) -> Iterator[None]:
    from sqlalchemy import text

    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_LOCK})
        connection.commit()  # the lock belongs to the connection, not to this transaction
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_LOCK})
            connection.commit()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as for other databases
        yield
        return
    if not path.parent.is_dir():  # no database can be made there either: let it say so
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _logging_kept() -> Iterator[None]:
    """Restore the logging setup Alembic's ``env.py`` (``fileConfig``) replaces."""
    manager = logging.Logger.manager
    root = logging.getLogger()
    saved_root = (root.level, list(root.handlers))
    saved = {
        name: (each.disabled, each.level, list(each.handlers), each.propagate)
        for name, each in list(manager.loggerDict.items())
        if isinstance(each, logging.Logger)
    }
    try:
        yield
    finally:
        root.setLevel(saved_root[0])
        root.handlers[:] = saved_root[1]
        for name, (disabled, level, handlers, propagate) in saved.items():
            each = logging.getLogger(name)
            each.disabled, each.propagate = disabled, propagate
            each.setLevel(level)
            each.handlers[:] = handlers


def first_line(exc: BaseException) -> str:
    """An error as one line: its class and the first line of its message."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
