"""What to analyse and how: command-line flags merged with ``[tool.monosplit]``."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError

#: Files larger than this are reported and skipped: generated code, data dumps.
DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """Options of one analysis run. Build with :func:`load_options`."""

    include_tests: bool = False
    include_migrations: bool = False
    exclude: tuple[str, ...] = ()
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    use_cache: bool = True
    cache_dir: Path | None = None
    jobs: int = 0  # 0: one worker per core
    progress: bool = False
    #: where the settings came from, for the summary ("" when only defaults)
    sources: tuple[str, ...] = field(default=(), compare=False)

    def cache_key(self) -> str:
        """The options that change what the analysis finds (not how fast)."""
        return repr((self.include_tests, self.include_migrations, self.exclude, self.max_file_bytes))


def default_cache_dir() -> Path:
    base = os.environ.get("MONOSPLIT_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "monosplit"


_KEYS = {
    "include-tests": bool,
    "include-migrations": bool,
    "exclude": list,
    "max-file-bytes": int,
}


def project_settings(root: Path) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Read ``[tool.monosplit]`` from ``root/pyproject.toml`` and ``root/monosplit.toml``.

    ``monosplit.toml`` holds the same keys at its top level (or under
    ``[tool.monosplit]``) and wins over pyproject.toml. Returns the merged
    table and the files it came from. Raises :class:`ConfigError`.
    """
    merged: dict[str, Any] = {}
    sources: list[str] = []
    base = root if root.is_dir() else root.parent
    for name in ("pyproject.toml", "monosplit.toml"):
        path = base / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read TOML: {exc}") from None
        table = data.get("tool", {}).get("monosplit")
        if table is None and name == "monosplit.toml":
            table = data
        if not table:
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.monosplit] must be a table")
        merged.update(table)
        sources.append(str(path))
    return merged, tuple(sources)


def load_options(
    root: Path,
    *,
    include_tests: bool | None = None,
    include_migrations: bool | None = None,
    exclude: tuple[str, ...] = (),
    use_cache: bool = True,
    cache_dir: Path | None = None,
    jobs: int = 0,
    progress: bool = False,
) -> AnalysisOptions:
    """Merge flags (which win) over the analysed project's own settings."""
    table, sources = project_settings(root)
    for key, value in table.items():
        expected = _KEYS.get(key)
        if expected is None:
            continue  # other commands' keys (pins, services) live here too
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(
                f"{sources[-1]}: [tool.monosplit] {key} must be a {expected.__name__}, "
                f"not {type(value).__name__}"
            )
    config_exclude = table.get("exclude", [])
    if not all(isinstance(item, str) for item in config_exclude):
        raise ConfigError(f"{sources[-1]}: [tool.monosplit] exclude must be a list of strings")
    options = AnalysisOptions(
        include_tests=bool(table.get("include-tests", False)),
        include_migrations=bool(table.get("include-migrations", False)),
        exclude=tuple(config_exclude) + tuple(exclude),
        max_file_bytes=int(table.get("max-file-bytes", DEFAULT_MAX_FILE_BYTES)),
        use_cache=use_cache,
        cache_dir=cache_dir,
        jobs=jobs,
        progress=progress,
        sources=sources,
    )
    if include_tests is not None:
        options = replace(options, include_tests=include_tests)
    if include_migrations is not None:
        options = replace(options, include_migrations=include_migrations)
    return options
