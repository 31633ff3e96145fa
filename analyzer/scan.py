"""Extract facts from many files in parallel, one syntax tree per worker at a time."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import threading
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


class Extractor:
    """An extraction process forked ahead of time.

    Importing libcst takes about 0.3 s, more than parsing a typical file: a
    run that may have to extract a few edited files starts this process
    first, which imports libcst while the run discovers and hashes the
    files, and hands it the jobs once it knows them. Without ``fork``, when
    other threads run, or if the process fails, extraction happens here.
    """

    def __init__(self) -> None:
        self._pid = 0
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return  # a fork could inherit a lock another thread holds
        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: import, wait for jobs, answer, leave
            os.close(jobs_write)
            os.close(results_read)
            code = 0
            try:
                import analyzer.extract  # noqa: F401 - the point of starting early

                with os.fdopen(jobs_read, "rb") as inbox, os.fdopen(results_write, "wb") as outbox:
                    jobs = pickle.load(inbox)
                    if jobs is not None:
                        pickle.dump(
                            [extract_job(job) for job in jobs], outbox, protocol=pickle.HIGHEST_PROTOCOL
                        )
            except BaseException:  # noqa: BLE001 - the parent extracts itself when this fails
                code = 1
            os._exit(code)
        os.close(jobs_read)
        os.close(results_write)
        self._pid = pid
        self._inbox = os.fdopen(results_read, "rb")
        self._outbox = os.fdopen(jobs_write, "wb")

    def extract(self, jobs: Sequence[Job]) -> list[Result]:
        """Results in the order of ``jobs``."""
        if self._pid:
            try:
                pickle.dump(list(jobs), self._outbox, protocol=pickle.HIGHEST_PROTOCOL)
                self._outbox.flush()
                results = pickle.load(self._inbox)
                if isinstance(results, list) and len(results) == len(jobs):
                    self.close()
                    return results
            except (OSError, EOFError, pickle.UnpicklingError):
                pass
            self.close()
        return extract_all(jobs, workers=1)

    def close(self) -> None:
        """Stop the process (it may still be importing libcst: no need to wait for that)."""
        if not self._pid:
            return
        for stream in (self._outbox, self._inbox):
            with contextlib.suppress(OSError):
                stream.close()
        with contextlib.suppress(OSError):  # already gone
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        self._pid = 0
