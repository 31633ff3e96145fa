"""The fact cache: per-file facts keyed by content hash, and whole results.

One cache file per analysed root holds the facts of every file, keyed by a
hash of the file's bytes, its module name and the extractor's version, so an
unchanged file is never parsed twice and an edit re-parses just that file.
A second entry keyed by all file hashes plus the options holds the finished
result, so an unchanged tree is answered without resolving anything.
Writes are atomic (temporary file, then rename); a cache that cannot be
read is ignored and rebuilt, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from analyzer.facts import ModuleFacts
from analyzer.problems import Problem

_HERE = Path(__file__).resolve().parent


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


def content_key(data: bytes, module: str, is_package: bool) -> str:
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(f"\0{module}\0{is_package}\0{FACTS_VERSION}".encode())
    return digest.hexdigest()


class FactCache:
    """Facts of one analysed root, on disk under ``directory``."""

    def __init__(self, directory: Path, root: Path) -> None:
        name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=12).hexdigest()
        self.facts_path = directory / f"{name}.facts.pickle"
        self.result_path = directory / f"{name}.result.pickle"
        self.directory = directory

    def load_result(self, key: str) -> Any | None:
        data = _load(self.result_path)
        if isinstance(data, tuple) and len(data) == 2 and data[0] == key:
            return data[1]
        return None

    def save_result(self, key: str, result: Any) -> None:
        _save(self.result_path, (key, result))

    def load_facts(self) -> dict[str, ModuleFacts | Problem]:
        data = _load(self.facts_path)
        return data if isinstance(data, dict) else {}

    def save_facts(self, facts: dict[str, ModuleFacts | Problem]) -> None:
        _save(self.facts_path, facts)


def _load(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # noqa: BLE001 - a stale or foreign cache is simply rebuilt
        return None


def _save(path: Path, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only or full cache folder must not fail the analysis
