"""monosplit's analyzer: Python source → facts → dependency graph.

The public surface is small: :func:`analyze` with :class:`AnalysisOptions`
(built by :func:`load_options`) returns an :class:`Analysis` whose ``graph``
is described in :mod:`analyzer.graph`.
"""

from analyzer.analysis import Analysis, analyze
from analyzer.errors import MonosplitError
from analyzer.options import AnalysisOptions, load_options

__all__ = ["Analysis", "AnalysisOptions", "MonosplitError", "analyze", "load_options"]
__version__ = "0.1.0"
