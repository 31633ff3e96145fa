"""Start units on the data of an existing database: the rows the monolith has, not empty tables.

A split is tried on the data it will serve: a forum that is installed, a shop
with its catalogue. ``--seed-database FILE`` names a SQLite database the
application wrote (as the monolith, or the original); before the units first
start, each SQLite file a unit's settings name in its data folder, or in the
run's shared folder, begins as a copy of it. The unit then brings its own tables
up to date as it always does, and keeps using only its own tables and its
replicas (refreshed from their owners); the other tables the copy holds are
never read. Files outside those folders are never written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from analyzer.errors import MonosplitError
from generator.run.specs import SHARED_DATA, ReplicaSpec

#: the first bytes of every SQLite 3 database file
SQLITE_HEADER = b"SQLite format 3\x00"
_SQLITE_URL = "sqlite:///"
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


class SeedError(MonosplitError):
    """A seed that is not a readable SQLite database."""


def check_seed(seed: Path) -> None:
    """Raise :class:`SeedError` with one line unless ``seed`` is a SQLite database file."""
    try:
        with seed.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise SeedError(f"--seed-database {seed}: cannot read it: {exc.strerror or exc}") from None
    if header != SQLITE_HEADER:
        raise SeedError(f"--seed-database {seed}: not a SQLite database")


def sqlite_files(spec: ReplicaSpec, data_root: Path) -> tuple[Path, ...]:
    """The SQLite files ``spec``'s settings name inside its data folder or the run's shared folder.

    A setting names one as a SQLAlchemy URL (``sqlite:////data/unit.db``) or as a
    path (``/data/shared/app.sqlite``, what an app opening it with ``sqlite3`` reads).
    """
    folders = (spec.data_dir.resolve(), (data_root / SHARED_DATA).resolve())
    found: set[Path] = set()
    for _, value in spec.env:
        text = value.split("?", 1)[0]
        if text.startswith(_SQLITE_URL):
            text = text[len(_SQLITE_URL) :]
        elif not text.endswith(_SQLITE_SUFFIXES):
            continue
        path = Path(text)
        if path.is_absolute() and any(path.resolve().is_relative_to(folder) for folder in folders):
            found.add(path.resolve())
    return tuple(sorted(found))


def prepare_data(specs: Sequence[ReplicaSpec], data_root: Path, seed: Path | None) -> tuple[Path, ...]:
    """Make each replica's data folder and the run's shared one (``{shared}``), then seed them.

    What ``monosplit run`` and verify do before any unit starts; returns the files
    :func:`seed_databases` wrote (none without a ``seed``).
    """
    for spec in specs:
        spec.data_dir.mkdir(parents=True, exist_ok=True)
    (data_root / SHARED_DATA).mkdir(parents=True, exist_ok=True)
    return seed_databases(specs, data_root, seed) if seed is not None else ()


def seed_databases(specs: Sequence[ReplicaSpec], data_root: Path, seed: Path) -> tuple[Path, ...]:
    """Copy ``seed`` to each SQLite file the units name (:func:`sqlite_files`) that does not exist yet.

    Returns the files written. The copy is SQLite's online backup, so a seed the
    monolith still has open is copied as one consistent state.
    """
    check_seed(seed)
    written: list[Path] = []
    for target in _targets(specs, data_root):
        if target.exists():
            continue  # the data of an earlier run (--data-dir): never overwritten
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{seed}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
        written.append(target)
    return tuple(written)


def _targets(specs: Iterable[ReplicaSpec], data_root: Path) -> list[Path]:
    found: set[Path] = set()
    for spec in specs:
        found.update(sqlite_files(spec, data_root))
    return sorted(found)
