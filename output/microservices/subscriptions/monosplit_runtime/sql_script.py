"""A unit's tables from the application's own SQL script, on the SQLite file it opens with ``sqlite3``.

An app without an ORM (the Flask tutorial's blog) keeps its schema in a
script such as ``schema.sql`` that drops and creates every table, run by a
command a person must remember (``flask init-db``). A unit must not wait for
that, nor run the script as written on every start: its ``DROP TABLE``\\ s
would empty the database each time. So, before the unit reports ready:

* a database where none of the script's tables, indexes, views or triggers
  exists yet (a new one) gets the whole script, as the app's own command runs
  it (rows it inserts included);
* a database that holds all of them is left as it is;
* one that holds some gets only the ``CREATE`` statements of the missing ones.

The file is the one the application's configuration names (``database_config``,
read inside the app context) or else ``$<database_env>``. Several processes
starting together take turns on a lock file beside it (``<file>.schema-lock``).
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ScriptSchema", "prepare_script"]

_CREATE = re.compile(
    r"^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*CREATE\s+(?:(?:TEMP|TEMPORARY|UNIQUE|VIRTUAL)\s+)?"
    r"(?:TABLE|INDEX|VIEW|TRIGGER)\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"`\[]?([\w.]+)",
    re.IGNORECASE | re.DOTALL,
)
_PROCESS_LOCK = threading.RLock()


@dataclass(frozen=True, slots=True)
class ScriptSchema:
    """What the unit's SQLite file must hold: the objects the ``scripts`` (relative to ``root``) create."""

    scripts: tuple[str, ...]
    root: Path = field(default_factory=Path.cwd)
    #: the application's configuration key naming its SQLite file, read in the app context
    database_config: str = ""
    #: else the environment variable naming it
    database_env: str = ""

    def database(self) -> str:
        """The SQLite file; raises ``LookupError`` naming the setting when none is set."""
        if self.database_config:
            from flask import current_app

            value = current_app.config.get(self.database_config)
            if value:
                return str(value)
        if self.database_env and os.environ.get(self.database_env):
            return os.environ[self.database_env]
        raise LookupError(
            f"no SQLite file is configured ({self.database_config or self.database_env or 'no setting'})"
        )

    def prepare(self) -> str:
        return prepare_script(self, self.database())


def prepare_script(schema: ScriptSchema, database: str) -> str:
    """Make ``database`` hold every object the scripts create (see the module docstring); say what was done."""
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    done: list[str] = []
    with _lock(Path(f"{path}.schema-lock")):
        connection = sqlite3.connect(path)
        try:
            for name in schema.scripts:
                done.append(_run(connection, name, (schema.root / name).read_text(encoding="utf-8")))
        finally:
            connection.close()
    return "; ".join(done)


def _run(connection: sqlite3.Connection, name: str, script: str) -> str:
    creates = [
        (found.group(1), statement)
        for statement in _statements(script)
        if (found := _CREATE.match(statement))
    ]
    existing = {str(row[0]).lower() for row in connection.execute("SELECT name FROM sqlite_master")}
    missing = [(created, statement) for created, statement in creates if created.lower() not in existing]
    if not missing:
        return f"{name}: every table is there"
    if len(missing) == len(creates):
        connection.executescript(script)  # a new database: the script as the app's own command runs it
        return f"ran {name}"
    with connection:
        for _, statement in missing:
            connection.execute(statement)
    return f"{name}: created {', '.join(created for created, _ in missing)}"


def _statements(script: str) -> Iterator[str]:
    """The script's statements, split where SQLite itself sees one complete."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        yield pending.strip()


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    with _PROCESS_LOCK:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock between processes
            yield
            return
        with open(path, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
