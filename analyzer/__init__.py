"""monosplit's analyzer: Python source → facts → dependency graph.

The public surface is small: :func:`analyze` with :class:`AnalysisOptions`
(built by :func:`load_options`) returns an :class:`Analysis` whose ``graph``
is described in :mod:`analyzer.graph`.

The names are loaded on first use (PEP 562), so importing a light module of
the package, such as :mod:`analyzer.errors`, does not import the whole
analysis: the command line starts faster that way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analyzer.analysis import Analysis, analyze
    from analyzer.errors import MonosplitError
    from analyzer.options import AnalysisOptions, load_options

__all__ = ["Analysis", "AnalysisOptions", "MonosplitError", "analyze", "load_options"]
__version__ = "0.1.0"

_HOMES = {
    "Analysis": "analyzer.analysis",
    "analyze": "analyzer.analysis",
    "MonosplitError": "analyzer.errors",
    "AnalysisOptions": "analyzer.options",
    "load_options": "analyzer.options",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'analyzer' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
