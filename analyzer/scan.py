"""Extract facts from many files in parallel, one syntax tree per worker at a time."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from analyzer.facts import ModuleFacts
from analyzer.problems import Problem

Result = ModuleFacts | Problem


@dataclass(frozen=True, slots=True)
class Job:
    data: bytes
    module: str
    rel: str
    is_package: bool


def extract_job(job: Job) -> Result:
    """Facts of one file, or the problem that stopped it. Never raises for one bad file."""
    # libcst is imported only when something needs parsing: a warm run never pays for it.
    from analyzer.extract import ExtractionError, extract_facts

    try:
        return extract_facts(job.data, module=job.module, path=job.rel, is_package=job.is_package)
    except ExtractionError as exc:
        return Problem(job.rel, exc.line, exc.reason)
    except Exception as exc:  # noqa: BLE001 - one file must not stop the run
        return Problem(job.rel, 0, f"analyzer error ({type(exc).__name__}: {exc}); please report it")


def _indexed(item: tuple[int, Job]) -> tuple[int, Result]:
    return item[0], extract_job(item[1])


def worker_count(requested: int) -> int:
    if requested > 0:
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def extract_all(
    jobs: Sequence[Job], *, workers: int, on_done: Callable[[], None] | None = None
) -> list[Result]:
    """Results in the order of ``jobs``."""
    results: list[Result | None] = [None] * len(jobs)
    # Big files first, so no worker is left with one huge file at the end.
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].data))
    if jobs:
        import analyzer.extract  # noqa: F401 - once, before forking workers
    if workers <= 1 or len(jobs) < 16:
        for i in order:
            results[i] = extract_job(jobs[i])
            if on_done:
                on_done()
    else:
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with context.Pool(workers) as pool:
            for i, result in pool.imap_unordered(_indexed, ((i, jobs[i]) for i in order), chunksize=4):
                results[i] = result
                if on_done:
                    on_done()
    return [r for r in results if r is not None]
