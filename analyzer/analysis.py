"""The analysis use case: a path in, the dependency graph and its problems out.

Three ways to an answer, cheapest first:

* **cached**: nothing changed since the last run, whose result is loaded;
* **patched**: a few files changed and none of them changed its interface
  (:func:`analyzer.graph.module_interface`), or only by adding plain
  top-level functions no other module's source names
  (:func:`_added_functions`). The graph is made of one
  contribution per module, and what a module contributes depends on the
  others only through their interfaces, so only the edited modules are
  re-extracted and re-resolved, reading other modules' facts from the
  fact cache as resolution reaches them; the other contributions are the
  last run's. The result is the same as a full run's, graph, problems and
  summary alike (tests/analyzer/test_incremental.py checks it);
* **full**: every module is resolved.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from analyzer.cache import FACTS_VERSION, GRAPH_VERSION, FactCache, FileFacts, StatIndex, content_key
from analyzer.discovery import SourceFile, discover, read_source
from analyzer.facts import ModuleFacts
from analyzer.options import AnalysisOptions, default_cache_dir
from analyzer.problems import Problem
from analyzer.scan import Extractor, Job, extract_all, worker_count

# Resolution, the graph and the summary are imported where they are needed:
# a run that answers from the cache, or patches a result, must not wait for
# them before it starts its extraction process (see Extractor).
if TYPE_CHECKING:
    import networkx as nx

    from analyzer.frameworks.base import Framework
    from analyzer.graph import CallStats, Contribution, GraphData, ProgramPart
    from analyzer.resolve import UnresolvedImport
    from analyzer.summary import Summary

T = TypeVar("T")

#: Patch the last result when at most this many files changed; resolve everything otherwise.
MAX_PATCHED_FILES = 16


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
    #: modules whose code this run resolved: all, the edited ones when it patched the last result, or none
    resolved: int = 0
    # The networkx graph, built from ``graph_data`` on first use: a warm run
    # that prints the (cached) summary never pays for importing networkx.
    _graph: list[nx.MultiDiGraph] = field(default_factory=list, compare=False, repr=False)

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The dependency graph (see :mod:`analyzer.graph`). Do not modify it."""
        if not self._graph:
            from analyzer.graph import to_networkx

            self._graph.append(to_networkx(self.graph_data))
        return self._graph[0]


@dataclass(frozen=True, slots=True)
class _Parts:
    """What patching a result needs, kept beside it in the cache."""

    setting: str  # analyzer versions, root name and options
    files: tuple[tuple[str, str, bool], ...]  # (path, module, is package) of every file read
    keys: tuple[str, ...]  # the content key of each
    input_problems: tuple[Problem, ...]  # found before extraction (discovery, reading)
    problems: tuple[Problem, ...]  # all of them, as reported
    modules: tuple[str, ...]  # modules with facts, in file order
    program: ProgramPart
    contributions: tuple[Contribution, ...]
    #: module names and node ids are unique, so each node has one owner module
    patchable: bool
    #: identifier → how many modules' sources contain it (:attr:`ModuleFacts.names`)
    mentions: dict[str, int] = field(default_factory=dict)
    #: names of functions that may forward to the calls program-wide passes read (part of the interface)
    helpers: frozenset[str] = frozenset()


Progress = Callable[[str, int, int], None]  # (phase, done, total)


def analyze(path: Path, options: AnalysisOptions, *, progress: Progress | None = None) -> Analysis:
    """Analyse the Python code under ``path``.

    Raises :class:`~analyzer.errors.InputError` when ``path`` does not exist or
    holds no Python; problems with single files are reported in the result.
    """
    with _no_cycle_collection():
        return _analyze(path, options, progress)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector for the run.

    A run allocates millions of small objects that live until it ends
    (facts, the resolver's answers, the graph); the collector would scan
    them again and again and find nothing to free. On Django's source it
    made loading facts and resolving several times slower.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _analyze(path: Path, options: AnalysisOptions, progress: Progress | None) -> Analysis:
    cache = FactCache(options.cache_dir or default_cache_dir(), path) if options.use_cache else None
    # A run after an earlier one may patch its result: start importing the extractor now.
    extractor = Extractor() if cache is not None and cache.parts_path.exists() else None
    try:
        try:
            return _analyze_with(path, options, progress, cache, extractor)
        except _StaleStatIndex:
            assert cache is not None
            cache.stat_path.unlink(missing_ok=True)
            return _analyze_with(path, options, progress, cache, extractor)
    finally:
        if extractor is not None:
            extractor.close()
        if cache is not None:
            cache.close()


def _analyze_with(
    path: Path,
    options: AnalysisOptions,
    progress: Progress | None,
    cache: FactCache | None,
    extractor: Extractor | None,
) -> Analysis:
    found = discover(path, options)
    problems: list[Problem] = list(found.problems)
    keyed: list[tuple[str, Job]] = []
    index = cache.load_stat_index() if cache is not None else None
    taken_ns = time.time_ns()
    stats: dict[tuple[str, str, bool], tuple[int, int, int, int, str]] = {}
    unread: dict[str, SourceFile] = {}  # module → file whose bytes the stat index spared reading
    for source in found.files:
        where = (source.rel, source.module, source.is_package)
        try:
            info: os.stat_result | None = os.stat(source.path)
        except OSError:
            info = None  # read_source says why
        key = index.key_for(where, info) if index is not None and info is not None else None
        if key is not None:
            keyed.append((key, Job(b"", source.module, source.rel, source.is_package)))
            unread[source.module] = source
        else:
            data = read_source(source, options.max_file_bytes, info)
            if isinstance(data, Problem):
                problems.append(data)
                continue
            key = content_key(data, source.module, source.is_package)
            keyed.append((key, Job(data, source.module, source.rel, source.is_package)))
        if info is not None:
            stats[where] = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, key)
    # Written with the run's other cache writes, after it has answered, when
    # something changed or a file had to be read: one modified just before the
    # last recording is trusted once a later recording vouches for it.
    new_index = (
        StatIndex(FACTS_VERSION, taken_ns, stats)
        if index is not None and (stats != index.entries or len(unread) < len(keyed))
        else None
    )

    def save_index() -> None:
        if cache is not None and new_index is not None:
            cache.save_stat_index(new_index)

    def with_bytes(jobs: Iterable[tuple[str, Job]]) -> list[Job]:
        """The jobs with the bytes of the files the stat index spared reading."""
        filled = []
        for key, job in jobs:
            source = unread.get(job.module)
            if source is not None and not job.data:
                data = read_source(source, options.max_file_bytes)
                if isinstance(data, Problem) or content_key(data, job.module, job.is_package) != key:
                    raise _StaleStatIndex(job.rel)  # changed under the same stat: read everything
                job = replace(job, data=data)
            filled.append(job)
        return filled

    input_problems = tuple(sorted(problems))
    setting = _setting(found.root.name, options)

    result_key = _result_key(setting, keyed, problems)
    fresh: dict[str, FileFacts] = {}
    if cache is not None:
        cache.wait_for_writer()
        cached = cache.load_result(result_key)
        if isinstance(cached, Analysis):
            if new_index is not None:
                cache.close()
                cache.write_in_background(save_index)
            return replace(cached, parsed=0, reused=cached.files, from_cache=True, resolved=0, _graph=[])
        outcome = _patch(cache, setting, keyed, input_problems, progress, extractor, with_bytes)
        if isinstance(outcome, _Patched):
            analysis = replace(
                outcome.analysis,
                root=found.root.name,
                files=len(found.files),
                excluded=found.excluded,
            )
            keep = [key for key, _ in keyed]

            def write() -> None:
                cache.save_facts(outcome.facts, keep=keep)
                cache.save_result(result_key, analysis)
                cache.save_parts(outcome.parts)
                save_index()

            cache.close()  # not shared with the child that writes
            cache.write_in_background(write)
            return analysis
        fresh = outcome  # facts extracted while trying: not extracted twice
    if extractor is not None:
        extractor.close()

    stored = cache.load_facts([key for key, _ in keyed]) if cache is not None else {}
    stored.update(fresh)
    todo = with_bytes((key, job) for key, job in keyed if key not in stored)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress("parse", done, len(todo))

    extracted = extract_all(todo, workers=worker_count(options.jobs), on_done=tick)
    by_module = {job.module: result for job, result in zip(todo, extracted, strict=True)}
    facts: list[ModuleFacts] = []
    new: dict[str, FileFacts] = {}
    for key, job in keyed:
        result = stored.get(key) or by_module[job.module]
        if key not in stored or key in fresh:
            new[key] = result
        if isinstance(result, Problem):
            problems.append(result)
        else:
            facts.append(result)
    if cache is not None:
        cache.close()  # not shared with the child that writes
    saving = (
        _in_background(lambda: cache.save_facts(new, keep=[k for k, _ in keyed])) if cache and new else None
    )

    if progress:
        progress("resolve", 0, 1)
    program, contributions = _with_big_stack(lambda: _resolve_all(facts))
    modules = tuple(dict.fromkeys(f.module for f in facts))
    analysis = _result(program, contributions, tuple(sorted(problems)))
    analysis = replace(
        analysis,
        root=found.root.name,
        files=len(found.files),
        excluded=found.excluded,
        parsed=len(todo) + len(fresh),
        reused=len(keyed) - len(todo) - len(fresh),
        resolved=len(contributions),
    )
    if saving is not None:
        saving()
    if cache is not None:
        parts = _Parts(
            setting=setting,
            files=tuple((job.rel, job.module, job.is_package) for _, job in keyed),
            keys=tuple(key for key, _ in keyed),
            input_problems=input_problems,
            problems=analysis.problems,
            modules=modules,
            program=program,
            contributions=tuple(contributions),
            patchable=len(modules) == len(facts) and _unique_ids(contributions),
            mentions=dict(Counter(name for f in facts for name in f.names)),
            helpers=_interface_helpers(facts),
        )

        def write() -> None:
            cache.save_result(result_key, analysis)
            cache.save_parts(parts)
            save_index()

        cache.write_in_background(write)
    return analysis


def _resolve_all(facts: list[ModuleFacts]) -> tuple[ProgramPart, list[Contribution]]:
    from analyzer.frameworks import default_frameworks
    from analyzer.graph import build_parts
    from analyzer.resolve import Resolver

    frameworks = default_frameworks()
    return build_parts(Resolver(facts, framework_hooks=frameworks), frameworks=frameworks)


def _result(
    program: ProgramPart, contributions: Sequence[Contribution], problems: tuple[Problem, ...]
) -> Analysis:
    """The analysis the parts make (the run's own counts are filled in by the caller)."""
    from analyzer.graph import NO_CALLS, assemble
    from analyzer.summary import summarize

    graph_data = assemble(program, contributions)
    ordered = sorted(contributions, key=lambda c: c.module)
    externals: Counter[str] = Counter()
    for contribution in ordered:
        externals.update(dict(contribution.external_imports))
    return Analysis(
        root="",
        graph_data=graph_data,
        problems=problems,
        unresolved_imports=tuple(u for c in ordered for u in c.unresolved_imports),
        calls=sum((c.calls for c in ordered), NO_CALLS),
        files=0,
        lines=sum(c.lines for c in ordered),
        excluded=0,
        external_packages=tuple(sorted(externals.items(), key=lambda kv: (-kv[1], kv[0]))),
        summary=summarize(graph_data),
    )


def _interface_helpers(facts: Sequence[ModuleFacts]) -> frozenset[str]:
    from analyzer.frameworks import default_frameworks
    from analyzer.graph import interface_calls, interface_helpers

    return interface_helpers(facts, interface_calls(default_frameworks()))


def _unique_ids(contributions: Sequence[Contribution]) -> bool:
    from analyzer.graph import unique_ids

    return unique_ids(contributions)


# --- patching the last result ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Patched:
    analysis: Analysis
    parts: _Parts
    facts: dict[str, FileFacts]  # of the edited files, for the fact cache


class _StaleStatIndex(Exception):
    """A file the stat index vouched for holds other bytes: analyse again, reading every file."""


class _Unpatchable(Exception):
    """The last result cannot be patched; analyse in full."""


def _patch(
    cache: FactCache,
    setting: str,
    keyed: list[tuple[str, Job]],
    input_problems: tuple[Problem, ...],
    progress: Progress | None,
    extractor: Extractor | None,
    with_bytes: Callable[[Iterable[tuple[str, Job]]], list[Job]],
) -> _Patched | dict[str, FileFacts]:
    """The last result patched for the files that changed, or the facts extracted on the way."""
    parts = cache.load_parts()
    if not isinstance(parts, _Parts) or parts.setting != setting or not parts.patchable:
        return {}
    files = tuple((job.rel, job.module, job.is_package) for _, job in keyed)
    if files != parts.files or input_problems != parts.input_problems:
        return {}
    changed = [(key, job, old) for (key, job), old in zip(keyed, parts.keys, strict=True) if key != old]
    if not changed or len(changed) > MAX_PATCHED_FILES:
        return {}
    jobs = with_bytes((key, job) for key, job, _ in changed)
    changed = [(key, job, old) for (key, _, old), job in zip(changed, jobs, strict=True)]
    extracted = extractor.extract(jobs) if extractor is not None else extract_all(jobs, workers=1)
    fresh: dict[str, FileFacts] = {
        key: result for (key, _, _), result in zip(changed, extracted, strict=True)
    }
    from analyzer.frameworks import default_frameworks
    from analyzer.graph import interface_calls, module_interface

    frameworks = default_frameworks()
    calls = interface_calls(frameworks)
    edited: dict[str, ModuleFacts] = {}
    mentions = dict(parts.mentions)
    modules = parts.modules
    for key, job, old_key in changed:
        new, old = fresh[key], cache.load_fact(old_key)
        if not (isinstance(new, ModuleFacts) and isinstance(old, ModuleFacts)):
            return fresh
        if module_interface(new, calls, parts.helpers) != module_interface(old, calls, parts.helpers):
            added = _added_functions(old, new, calls, parts.helpers)
            if added is None or any(
                mentions.get(name, 0) - (name in old.names) > 0  # another module's source names it
                or any(m == f"{job.module}.{name}" or m.startswith(f"{job.module}.{name}.") for m in modules)
                for name in added
            ):
                return fresh
        edited[job.module] = new
        for name in old.names - new.names:
            mentions[name] -= 1
        for name in new.names - old.names:
            mentions[name] = mentions.get(name, 0) + 1
    if progress:
        progress("resolve", 0, 1)
    keys = {job.module: key for key, job in keyed}
    try:
        contributions = _with_big_stack(lambda: _resolve_edited(cache, parts, edited, keys, frameworks))
    except _Unpatchable:
        return fresh
    analysis = _result(parts.program, contributions, parts.problems)
    analysis = replace(analysis, parsed=len(changed), reused=len(keyed) - len(changed), resolved=len(edited))
    new_parts = replace(
        parts,
        keys=tuple(key for key, _ in keyed),
        contributions=tuple(contributions),
        mentions={name: count for name, count in mentions.items() if count > 0},
    )
    return _Patched(analysis, new_parts, fresh)


def _added_functions(
    old: ModuleFacts, new: ModuleFacts, calls: frozenset[str], helpers: frozenset[str] = frozenset()
) -> frozenset[str] | None:
    """The top-level functions ``new`` adds, when they are all that changed in the interface; else None.

    A function added at the top of a module changes its interface, but the
    only code that can tell is code naming it: the module itself (resolved
    again anyway) and modules whose source contains the name (the caller
    checks that none does). So it may be patched when the functions are
    plain (no decorator, which could register a route; not a class, which
    could be a model), the name was free at module level, the body declares
    no ``global`` and makes none of the calls program-wide passes read, and
    the interface without them is the old one.
    """
    from analyzer.frameworks.forwarding import named_calls
    from analyzer.graph import is_interface_call, module_interface

    known = {d.qualname for d in old.definitions}
    added = [d for d in new.definitions if "." not in d.qualname and d.qualname not in known]
    if not added or any(d.kind != "function" or d.decorators for d in added):
        return None
    names = frozenset(d.qualname for d in added)
    if any(not name.isascii() for name in names):
        return None  # ModuleFacts.names holds ASCII identifiers only
    if any(b.scope == "" and b.name in names for b in old.bindings) or any(
        i.bound in names for i in old.imports
    ):
        return None

    def inside(scope: str) -> bool:
        return scope.split(".", 1)[0] in names

    if any(inside(scope) for scope, _ in new.globals):
        return None
    named = named_calls(new, helpers)
    if any(inside(c.scope) and is_interface_call(c, calls, named) for c in new.calls):
        return None
    without = replace(
        new,
        definitions=tuple(d for d in new.definitions if not inside(d.qualname)),
        imports=tuple(i for i in new.imports if not inside(i.scope)),
        bindings=tuple(
            b for b in new.bindings if not inside(b.scope) and not (b.scope == "" and b.name in names)
        ),
        attr_bindings=tuple(a for a in new.attr_bindings if not inside(a.scope)),
        calls=tuple(c for c in new.calls if not inside(c.scope)),
        returns=tuple(r for r in new.returns if not inside(r.scope)),
    )
    same = module_interface(without, calls, helpers) == module_interface(old, calls, helpers)
    return names if same else None


def _resolve_edited(
    cache: FactCache,
    parts: _Parts,
    edited: dict[str, ModuleFacts],
    keys: dict[str, str],
    frameworks: Sequence[Framework],
) -> list[Contribution]:
    """The last run's contributions, those of the edited modules computed afresh."""
    from analyzer.graph import module_contribution
    from analyzer.resolve import Resolver

    def load(module: str) -> ModuleFacts:
        if module in edited:
            return edited[module]
        facts = cache.load_fact(keys[module])
        if not isinstance(facts, ModuleFacts):
            raise _Unpatchable(module)
        return facts

    owners = {nid: c.module for c in parts.contributions for nid, _ in c.nodes[1:]}
    resolver = Resolver.lazy(parts.modules, load, owners, framework_hooks=frameworks)
    variables = frozenset(vid for vid, _ in parts.program.variables)
    contributions = []
    for old in parts.contributions:
        if old.module in edited:
            new, _ = module_contribution(
                resolver, old.module, frameworks=frameworks, models=parts.program.models, variables=variables
            )
            contributions.append(new)
        else:
            contributions.append(old)
    return contributions


# --- plumbing -------------------------------------------------------------------------------------


def _in_background(work: Callable[[], None]) -> Callable[[], None]:
    """Run ``work`` in a forked child while this process goes on; returns a function that waits for it.

    Pickling and writing the facts of a big tree takes about a second of one
    core; the other core is idle during resolution. Where fork is
    unavailable, or other threads run, the work is done here and now.
    """
    if not hasattr(os, "fork") or threading.active_count() > 1:  # a fork could inherit a held lock
        work()
        return lambda: None
    pid = os.fork()
    if pid == 0:  # the child: work and leave without running the parent's exit handlers
        code = 0
        try:
            work()
        except BaseException:  # noqa: BLE001 - a cache that cannot be written is only slower next time
            code = 1
        os._exit(code)

    def wait() -> None:
        os.waitpid(pid, 0)

    return wait


def _setting(root_name: str, options: AnalysisOptions) -> str:
    return f"{FACTS_VERSION}/{GRAPH_VERSION}/{root_name}/{options.cache_key()}"


def _result_key(setting: str, keyed: list[tuple[str, Job]], problems: list[Problem]) -> str:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(setting.encode())
    for key, job in keyed:
        digest.update(f"\0{job.rel}\0{key}".encode())
    for problem in sorted(problems):
        digest.update(f"\0{problem}".encode())
    return digest.hexdigest()


def _with_big_stack(work: Callable[[], T]) -> T:
    # Resolution recurses along import and call chains; give it a deep stack
    # in a thread of its own rather than risk a crash on a big codebase.
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
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
