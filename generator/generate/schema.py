"""How each unit brings its own database schema up to date when it starts.

The runtime does it (``monosplit_runtime.schema``); this says, per unit,
what it is given: the tables its database holds (its own and its
replicas), the tables other units own, the objects declaring them, and
the application's migrations with what to do with them. A unit that holds
every table the application maps runs the migrations as written; any other
creates its tables from the models and stamps the migrations' head (see
docs/runtime.md, "The schema").

An app on ``sqlite3`` alone names its SQLite file in a setting and keeps its
tables in an SQL script it runs itself: every unit of an architecture is
given one file, shared (its SQL joins tables the split puts in different
units, and without an ORM session no replica can be kept), and creates the
script's missing tables on it when it starts (``monosplit_runtime.sql_script``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.generate.codebase import Codebase, MetadataHolder, MigrationsFolder
from generator.generate.partition import Partition, UnitContents, UnitSpec


@dataclass(frozen=True, slots=True)
class ImportedHolder:
    """A metadata holder as the unit's entry point imports it."""

    module: str
    name: str
    alias: str


@dataclass(frozen=True, slots=True)
class UnitSchema:
    """What one unit's entry point hands the runtime, and its README explains."""

    #: created in the unit's database: its own tables, then the replicas it keeps
    tables: tuple[str, ...]
    replicas: tuple[str, ...]
    #: other units' tables, never created here
    others: tuple[str, ...]
    holders: tuple[ImportedHolder, ...]
    migrations: MigrationsFolder | None
    #: run the migrations as written (the unit holds the whole schema), or create and stamp
    upgrade: bool
    #: how the runtime reaches the database: "flask-sqlalchemy", "session", "environment" or "sqlite-file"
    connection: str
    database_env: str
    #: with "sqlite-file": the app's SQL scripts creating its tables (paths in the unit, maybe none),
    #: run on the SQLite file ``database_env`` names, which every unit shares (``shared_file``
    #: under ``monosplit run``)
    scripts: tuple[str, ...] = ()
    shared_file: str = ""


def shared_sqlite_key(codebase: Codebase) -> str | None:
    """The setting naming the SQLite file the app opens with ``sqlite3`` itself, when units share that file.

    They do when the app reaches its data through no ORM (no session provider, no
    metadata): then every unit is given that one file, and creates the missing
    tables of the app's SQL script on it, if the app keeps its tables in one.
    """
    if codebase.session_provider is not None or codebase.metadata_holders:
        return None
    keys = sorted(
        str(data["name"])
        for _, data in codebase.graph.nodes(data=True)
        if data.get("kind") == "config" and data.get("database") == "sqlite"
    )
    return keys[0] if keys else None


def shared_sqlite_file(key: str) -> str:
    """Where ``monosplit run`` puts the one SQLite file every unit of an architecture opens."""
    return f"{{shared}}/{key.lower()}.sqlite"


def schema_scripts(codebase: Codebase) -> tuple[str, ...]:
    """The app's SQL scripts that create its tables, as carried into every unit (package data)."""
    return tuple(
        sorted(
            {
                str(data["file"])
                for _, data in codebase.graph.nodes(data=True)
                if data.get("kind") == "schema_script" and str(data["file"]) in codebase.data_files
            }
        )
    )


def unit_schema(
    codebase: Codebase, partition: Partition, unit: UnitSpec, contents: UnitContents
) -> UnitSchema | None:
    """The unit's schema, or None when it has no tables or the runtime could not reach its database."""
    replicas = tuple(sorted(table for table, _ in contents.replica_tables))
    own = tuple(sorted(unit.tables))
    sqlite_key = shared_sqlite_key(codebase)
    if sqlite_key:
        # every unit shares the file, so every unit makes sure the script's tables are there
        return UnitSchema(
            tables=own,
            replicas=(),
            others=(),
            holders=(),
            migrations=None,
            upgrade=False,
            connection="sqlite-file",
            database_env=sqlite_key,
            scripts=schema_scripts(codebase),
            shared_file=shared_sqlite_file(sqlite_key),
        )
    if not own and not replicas:
        return None
    holders = tuple(
        ImportedHolder(h.module, h.name, _alias(h))
        for h in codebase.metadata_holders
        if _carried(codebase, contents, h)
    )
    if any(h.declared_by == "flask-sqlalchemy" for h in codebase.metadata_holders):
        connection = "flask-sqlalchemy"
    elif codebase.session_provider is not None:
        connection = "session"
    elif codebase.database_key:
        connection = "environment"
    else:
        return None
    mapped = set(codebase.model_tables.values())
    return UnitSchema(
        tables=own,
        replicas=replicas,
        others=tuple(sorted(set(partition.table_owner) - set(own) - set(replicas))),
        holders=holders,
        migrations=codebase.migrations,
        upgrade=mapped <= set(own),
        connection=connection,
        database_env=codebase.database_key or "",
    )


def schema_notes(codebase: Codebase, schema: UnitSchema | None, *, has_tables: bool) -> list[tuple[str, str]]:
    """(kind, text) of what MIGRATION.md should say about the unit's schema."""
    if schema is None:
        if not has_tables:
            return []
        return [
            (
                "schema",
                "the unit's tables are not created when it starts: no Flask-SQLAlchemy object, session "
                "provider or database setting was found to reach its database; create them before it serves.",
            )
        ]
    if schema.connection == "sqlite-file":
        made = (
            f"creates the tables it is missing from {', '.join(f'`{s}`' for s in schema.scripts)} when it starts"
            if schema.scripts
            else "the app's own code creates its tables (no SQL script of them was found)"
        )
        return [
            (
                "schema",
                f"the app opens its SQLite file itself (`{schema.database_env}`, with `sqlite3`), and no ORM "
                f"session is there to keep replicas with: every unit of the architecture uses that one file; {made}. "
                "Give the units separate databases only once their SQL goes through the owners' APIs.",
            )
        ]
    notes: list[tuple[str, str]] = []
    set_up = [
        str(data["directory"])
        for _, data in sorted(codebase.graph.nodes(data=True))
        if data.get("kind") == "migrations"
    ]
    if set_up and schema.migrations is None:
        notes.append(
            (
                "schema",
                f"Flask-Migrate is set up, but its folder `{set_up[0]}` was not found: the unit creates "
                "its tables from the models instead of running migrations.",
            )
        )
    if schema.migrations is not None and not schema.upgrade:
        notes.append(
            (
                "schema",
                f"the migrations in `{schema.migrations.directory}/` were written for the whole schema: on an "
                "empty database this unit creates its own tables from the models and stamps the head "
                "revision; later revisions in its copy run as usual, so write them against its tables only.",
            )
        )
    return notes


def _carried(codebase: Codebase, contents: UnitContents, holder: MetadataHolder) -> bool:
    """Whether the unit's code still defines the holder (a class may be another unit's record here)."""
    return holder.object not in codebase.symbols or holder.object in contents.kept


def _alias(holder: MetadataHolder) -> str:
    return "_metadata_" + re.sub(r"\W", "_", holder.object)
