"""The caches: per-file facts keyed by content hash, and whole results.

Facts live in one SQLite file per analysed root, one row per file, keyed by
a hash of the file's bytes, its module name and the extractor's version, so
an unchanged file is never parsed twice, an edit re-parses just that file,
and a run that needs the facts of a few modules reads just those rows.
Beside it, a pickle keyed by all file hashes plus the options holds the
finished result, so an unchanged tree is answered without resolving
anything, and a second pickle holds what patching that result after an edit
needs (each module's contribution to the graph; see
:mod:`analyzer.analysis`). Writes are atomic (a transaction; a temporary
file, then rename); a cache that cannot be read is ignored and rebuilt,
never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.facts import ModuleFacts
from analyzer.problems import Problem

_HERE = Path(__file__).resolve().parent

FileFacts = ModuleFacts | Problem


def _code_version(*patterns: str) -> str:
    """A hash of the analyzer's own source files, so a changed analyzer never reads stale entries."""
    digest = hashlib.blake2b(digest_size=12)
    for pattern in patterns:
        for path in sorted(_HERE.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


#: What extraction records depends on these files only.
FACTS_VERSION = _code_version("facts.py", "extract.py", "sql.py", "scan.py")
#: Resolution and graph building depend on the whole analyzer core and its plugins.
GRAPH_VERSION = _code_version("*.py", "frameworks/*.py")

#: How long a run waits for the one before to finish writing the cache (seconds).
_LOCK_TIMEOUT = 10.0
#: Rows of files no longer in the tree are dropped once there are this many times more rows than files.
_PRUNE_RATIO = 2


def content_key(data: bytes, module: str, is_package: bool) -> str:
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(f"\0{module}\0{is_package}\0{FACTS_VERSION}".encode())
    return digest.hexdigest()


#: A file modified this close to the moment its stat was recorded is read again:
#: a second edit within the file system's timestamp granularity keeps the same mtime.
_RACY_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class StatIndex:
    """The content key of each file as of the last run, with the stat that vouches for it.

    Reading and hashing every file of a big tree is a good part of a warm
    run; like git's index, a file whose size, modification and change times
    and inode are as recorded is taken to hold the same bytes. The change
    time cannot be set by tools that preserve mtimes, and entries written
    within two seconds of the file's modification are not trusted.
    """

    facts_version: str
    #: when the entries were taken (ns since the epoch)
    taken_ns: int
    #: (rel, module, is_package) → (size, mtime_ns, ctime_ns, inode, content key)
    entries: dict[tuple[str, str, bool], tuple[int, int, int, int, str]]

    def key_for(self, where: tuple[str, str, bool], info: os.stat_result) -> str | None:
        """The recorded content key of a file whose stat is unchanged, else None."""
        entry = self.entries.get(where)
        if entry is None or info.st_mtime_ns > self.taken_ns - _RACY_NS:
            return None
        size, mtime, ctime, inode, key = entry
        if (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino) != (size, mtime, ctime, inode):
            return None
        return key


class FactCache:
    """Facts and results of one analysed root, on disk under ``directory``."""

    def __init__(self, directory: Path, root: Path) -> None:
        name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=12).hexdigest()
        self.facts_path = directory / f"{name}.facts.sqlite"
        self.result_path = directory / f"{name}.result.pickle"
        self.parts_path = directory / f"{name}.parts.pickle"
        self.stat_path = directory / f"{name}.stat.pickle"
        self.lock_path = directory / f"{name}.lock"
        self.directory = directory
        self._db: sqlite3.Connection | None = None

    # --- writing after the run ------------------------------------------------------

    def write_in_background(self, work: Callable[[], None]) -> None:
        """Run ``work`` (writes to this cache) in a forked process, and return without waiting.

        The run's answer does not depend on the writes, only the next run's
        speed does: the writer holds the cache's lock until it is done, and
        :meth:`wait_for_writer` (the next run) waits for it. Where fork or
        file locks are unavailable, or other threads run (a fork could
        inherit a lock one of them holds), the work is done here and now.
        """
        try:
            import fcntl
        except ImportError:
            work()
            return
        if not hasattr(os, "fork") or threading.active_count() > 1:
            work()
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            lock = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            work()
            return
        try:
            if not _locked(lock, fcntl.LOCK_EX):  # one writer at a time; a stuck one is not waited for
                work()
                return
            try:
                pid = os.fork()
            except OSError:
                work()
                return
            if pid == 0:
                # The child forks the writer and leaves at once, so the writer
                # belongs to no one here and never lingers as a zombie.
                code = 0
                try:
                    if os.fork() == 0:
                        os.setsid()  # out of the terminal's process group: Ctrl-C is for the command
                        devnull = os.open(os.devnull, os.O_RDWR)
                        for fd in (0, 1, 2):
                            os.dup2(devnull, fd)
                        work()
                except BaseException:  # noqa: BLE001 - a cache that cannot be written is only slower next time
                    code = 1
                os._exit(code)  # the lock goes with the writer's copy of the descriptor
            os.waitpid(pid, 0)
        finally:
            os.close(lock)  # the writer, if any, still holds the lock

    def wait_for_writer(self) -> None:
        """Wait until an earlier run's :meth:`write_in_background` is done (a few seconds at most)."""
        try:
            import fcntl

            lock = os.open(self.lock_path, os.O_RDONLY)
        except (ImportError, OSError):
            return
        try:
            _locked(lock, fcntl.LOCK_SH)
        finally:
            os.close(lock)  # releases it

    # --- results -------------------------------------------------------------------

    def load_result(self, key: str) -> Any | None:
        # the key is pickled first, so a stale result is recognised without reading it
        try:
            with open(self.result_path, "rb") as handle:
                if pickle.load(handle) != key:
                    return None
                return pickle.load(handle)
        except Exception:  # noqa: BLE001 - a stale or foreign cache is simply rebuilt
            return None

    def save_result(self, key: str, result: Any) -> None:
        _save(self.result_path, key, result)

    def load_parts(self) -> Any | None:
        """What the last full or patched run kept for patching its result (or None)."""
        return _load(self.parts_path)

    def save_parts(self, parts: Any) -> None:
        _save(self.parts_path, parts)

    # --- what each file's content key was, by its stat -------------------------------

    def load_stat_index(self) -> StatIndex:
        """The last run's files by their stat; empty when missing, stale or foreign."""
        found = _load(self.stat_path)
        if isinstance(found, StatIndex) and found.facts_version == FACTS_VERSION:
            return found
        return StatIndex(FACTS_VERSION, 0, {})

    def save_stat_index(self, index: StatIndex) -> None:
        _save(self.stat_path, index)

    # --- facts ---------------------------------------------------------------------

    def load_facts(self, keys: Collection[str]) -> dict[str, FileFacts]:
        """The cached facts of those of ``keys`` the cache holds."""
        wanted = set(keys)
        found: dict[str, FileFacts] = {}
        try:
            rows = self._connection(create=False).execute("SELECT key, data FROM facts").fetchall()
        except (sqlite3.Error, OSError):
            return found
        for key, data in rows:
            if key in wanted:
                value = _unpickle(data)
                if value is not None:
                    found[key] = value
        return found

    def load_fact(self, key: str) -> FileFacts | None:
        """The cached facts of one file, or None."""
        try:
            rows = (
                self._connection(create=False)
                .execute("SELECT data FROM facts WHERE key = ?", (key,))
                .fetchall()
            )
        except (sqlite3.Error, OSError):
            return None
        return _unpickle(rows[0][0]) if rows else None

    def save_facts(self, facts: dict[str, FileFacts], *, keep: Iterable[str] = ()) -> None:
        """Add ``facts``; drop rows not in ``keep`` when stale rows have piled up.

        Opens a connection of its own, so it may run in a forked child.
        """
        keep = set(keep) | set(facts)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.facts_path, timeout=30)
            try:
                # a cache needs atomic writes, not durable ones: do not wait for the disk
                db.execute("PRAGMA synchronous = OFF")
                _create(db)
                with db:
                    db.executemany(
                        "INSERT OR REPLACE INTO facts (key, data) VALUES (?, ?)",
                        (
                            (key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
                            for key, value in facts.items()
                        ),
                    )
                    (rows,) = db.execute("SELECT COUNT(*) FROM facts").fetchone()
                    if rows > _PRUNE_RATIO * len(keep):
                        db.execute("CREATE TEMP TABLE keep (key TEXT PRIMARY KEY)")
                        db.executemany("INSERT OR IGNORE INTO keep (key) VALUES (?)", ((k,) for k in keep))
                        db.execute("DELETE FROM facts WHERE key NOT IN (SELECT key FROM keep)")
            finally:
                db.close()
        except (sqlite3.Error, OSError):
            pass  # a read-only, full or broken cache folder must not fail the analysis

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connection(self, *, create: bool) -> sqlite3.Connection:
        if self._db is None:
            if not create and not self.facts_path.exists():
                raise sqlite3.OperationalError("no fact cache yet")
            self._db = sqlite3.connect(self.facts_path, timeout=30, check_same_thread=False)
            _create(self._db)
        return self._db


def _locked(fd: int, kind: int, *, timeout: float = _LOCK_TIMEOUT) -> bool:
    """Take a file lock, waiting up to ``timeout`` seconds; whether it was taken.

    The caches are correct without the lock (every entry is keyed by
    content); it only saves work, so a writer that hangs never blocks a run.
    """
    import fcntl

    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        except OSError:
            return False


def _create(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, data BLOB NOT NULL)")


def _unpickle(data: bytes) -> FileFacts | None:
    try:
        value = pickle.loads(data)
    except Exception:  # noqa: BLE001 - a stale or foreign row is simply re-extracted
        return None
    return value if isinstance(value, (ModuleFacts, Problem)) else None


def _load(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # noqa: BLE001 - a stale or foreign cache is simply rebuilt
        return None


def _save(path: Path, *values: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as handle:
                for value in values:
                    pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only or full cache folder must not fail the analysis
