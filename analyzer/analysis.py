"""The analysis use case: a path in, the dependency graph and its problems out."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.cache import FACTS_VERSION, GRAPH_VERSION, FactCache, content_key
from analyzer.discovery import discover, read_source
from analyzer.facts import ModuleFacts
from analyzer.graph import CallStats
from analyzer.options import AnalysisOptions, default_cache_dir
from analyzer.problems import Problem
from analyzer.resolve import UnresolvedImport
from analyzer.scan import Job, extract_all, worker_count
from analyzer.summary import Summary, summarize

if TYPE_CHECKING:
    import networkx as nx

#: The graph as plain data: ((node, attributes), ...), ((source, target, key, attributes), ...)
GraphData = tuple[tuple[tuple[str, dict[str, Any]], ...], tuple[tuple[str, str, str, dict[str, Any]], ...]]


@dataclass(frozen=True, slots=True)
class Analysis:
    """The result of analysing one tree."""

    root: str  # the analysed folder's name, as shown in reports
    graph_data: GraphData
    problems: tuple[Problem, ...]
    unresolved_imports: tuple[UnresolvedImport, ...]
    calls: CallStats
    files: int
    lines: int
    excluded: int
    external_packages: tuple[tuple[str, int], ...]
    #: computed once with the graph and cached with it
    summary: Summary
    #: how this run got its facts: files parsed now; ``from_cache`` when nothing was
    parsed: int = 0
    reused: int = 0
    from_cache: bool = False
    # The networkx graph, built from ``graph_data`` on first use: a warm run
    # that prints the (cached) summary never pays for importing networkx.
    _graph: list[nx.MultiDiGraph] = field(default_factory=list, compare=False, repr=False)

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The dependency graph (see :mod:`analyzer.graph`). Do not modify it."""
        if not self._graph:
            import networkx as nx

            graph = nx.MultiDiGraph()
            graph.add_nodes_from(self.graph_data[0])
            graph.add_edges_from(self.graph_data[1])
            self._graph.append(graph)
        return self._graph[0]


Progress = Callable[[str, int, int], None]  # (phase, done, total)


def analyze(path: Path, options: AnalysisOptions, *, progress: Progress | None = None) -> Analysis:
    """Analyse the Python code under ``path``.

    Raises :class:`~analyzer.errors.InputError` when ``path`` does not exist or
    holds no Python; problems with single files are reported in the result.
    """
    found = discover(path, options)
    problems: list[Problem] = list(found.problems)
    keyed: list[tuple[str, Job]] = []
    for source in found.files:
        data = read_source(source, options.max_file_bytes)
        if isinstance(data, Problem):
            problems.append(data)
            continue
        keyed.append(
            (
                content_key(data, source.module, source.is_package),
                Job(data, source.module, source.rel, source.is_package),
            )
        )

    cache = FactCache(options.cache_dir or default_cache_dir(), found.root) if options.use_cache else None
    result_key = _result_key(found.root.name, keyed, problems, options)
    if cache is not None:
        cached = cache.load_result(result_key)
        if isinstance(cached, Analysis):
            return _replace_cached(cached)

    stored = cache.load_facts() if cache is not None else {}
    todo = [job for key, job in keyed if key not in stored]
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress("parse", done, len(todo))

    fresh = extract_all(todo, workers=worker_count(options.jobs), on_done=tick)
    fresh_by_module = {job.module: result for job, result in zip(todo, fresh, strict=True)}
    current: dict[str, ModuleFacts | Problem] = {}
    facts: list[ModuleFacts] = []
    for key, job in keyed:
        result = stored.get(key) or fresh_by_module[job.module]
        current[key] = result
        if isinstance(result, Problem):
            problems.append(result)
        else:
            facts.append(result)
    saving = _save_facts_in_background(cache, current) if cache is not None and todo else None

    if progress:
        progress("resolve", 0, 1)
    graph, calls, unresolved = _resolve_with_big_stack(facts)
    externals: Counter[str] = Counter()
    top_level = {f.module.split(".")[0] for f in facts}
    for f in facts:
        for imp in f.imports:
            if imp.level == 0 and imp.module.split(".")[0] not in top_level:
                externals[imp.module.split(".")[0]] += 1
    analysis = Analysis(
        root=found.root.name,
        graph_data=(
            tuple(graph.nodes(data=True)),
            tuple((u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True)),
        ),
        problems=tuple(sorted(problems)),
        unresolved_imports=tuple(unresolved),
        calls=calls,
        files=len(found.files),
        lines=sum(f.lines for f in facts),
        excluded=found.excluded,
        external_packages=tuple(sorted(externals.items(), key=lambda kv: (-kv[1], kv[0]))),
        summary=summarize(graph),
        parsed=len(todo),
        reused=len(keyed) - len(todo),
    )
    if saving is not None:
        saving()
    if cache is not None:
        cache.save_result(result_key, replace(analysis, _graph=[]))
    analysis._graph.append(graph)
    return analysis


def _save_facts_in_background(
    cache: FactCache, facts: dict[str, ModuleFacts | Problem]
) -> Callable[[], None]:
    """Write the fact cache in a forked child while this process resolves names.

    Pickling the facts of a big tree takes about a second of one core; the
    other core is idle during resolution. Returns a function that waits for
    the child. Where fork is unavailable, the cache is written here and now.
    """
    if not hasattr(os, "fork"):
        cache.save_facts(facts)
        return lambda: None
    pid = os.fork()
    if pid == 0:  # the child: write and leave without running the parent's exit handlers
        code = 0
        try:
            cache.save_facts(facts)
        except BaseException:  # noqa: BLE001 - a cache that cannot be written is only slower next time
            code = 1
        os._exit(code)

    def wait() -> None:
        os.waitpid(pid, 0)

    return wait


def _replace_cached(cached: Analysis) -> Analysis:
    return replace(cached, parsed=0, reused=cached.files, from_cache=True, _graph=[])


def _result_key(
    root_name: str, keyed: list[tuple[str, Job]], problems: list[Problem], options: AnalysisOptions
) -> str:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{FACTS_VERSION}/{GRAPH_VERSION}/{root_name}/{options.cache_key()}".encode())
    for key, job in keyed:
        digest.update(f"\0{job.rel}\0{key}".encode())
    for problem in sorted(problems):
        digest.update(f"\0{problem}".encode())
    return digest.hexdigest()


def resolve_facts(facts: list[ModuleFacts]) -> tuple[nx.MultiDiGraph, CallStats, list[UnresolvedImport]]:
    """Resolve names across ``facts`` and build the graph."""
    from analyzer.frameworks import default_frameworks
    from analyzer.graph import build_graph
    from analyzer.resolve import Resolver

    frameworks = default_frameworks()
    resolver = Resolver(facts, framework_hooks=frameworks)
    graph, calls = build_graph(resolver, frameworks=frameworks)
    return graph, calls, resolver.unresolved_imports()


def _resolve_with_big_stack(
    facts: list[ModuleFacts],
) -> tuple[nx.MultiDiGraph, CallStats, list[UnresolvedImport]]:
    # Resolution recurses along import and call chains; give it a deep stack
    # in a thread of its own rather than risk a crash on a big codebase.
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(resolve_facts(facts))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome.append(exc)

    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size()
    sys.setrecursionlimit(max(old_limit, 50_000))
    threading.stack_size(512 * 1024 * 1024)
    try:
        thread = threading.Thread(target=run, name="monosplit-resolve")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result  # type: ignore[return-value]
