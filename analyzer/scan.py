"""Extract facts from many files in parallel, one syntax tree per worker at a time.

A parser can crash the process it runs in (libcst's native parser overflows
its stack on deeply nested brackets) or run for minutes on a pathological
file. So files are parsed in worker processes, one file at a time each: a
worker that dies, or takes longer than :data:`FILE_TIMEOUT`, costs only its
file, which becomes a :class:`Problem`, and a new worker takes its place.
Nesting deeper than Python itself accepts is refused before any parser sees it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import re
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from analyzer.facts import ModuleFacts
from analyzer.problems import Problem

Result = ModuleFacts | Problem

#: seconds one file may take to parse and extract (the largest real files take about one)
FILE_TIMEOUT = float(os.environ.get("MONOSPLIT_FILE_TIMEOUT", "60"))
#: CPython's own limit of nested brackets (its tokenizer's MAXLEVEL): deeper is a syntax error
MAX_NESTING = 200
_BRACKETS = re.compile(rb"[][(){}]")


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

    nesting = _too_deep(job.data)
    if nesting is not None:
        return nesting_problem(job.rel, nesting)
    try:
        return extract_facts(job.data, module=job.module, path=job.rel, is_package=job.is_package)
    except ExtractionError as exc:
        return Problem(job.rel, exc.line, exc.reason)
    except Exception as exc:  # noqa: BLE001 - one file must not stop the run
        return Problem(job.rel, 0, f"analyzer error ({type(exc).__name__}: {exc}); please report it")


def nesting_problem(rel: str, line: int) -> Problem:
    return Problem(rel, line, f"too many nested parentheses (more than {MAX_NESTING} levels)")


def _too_deep(data: bytes) -> int | None:
    """The line where brackets nest deeper than Python allows, or None.

    A count over the raw bytes bounds the real depth from above (brackets in
    strings and comments count too), so most files are cleared without
    tokenizing; only a file over the limit is tokenized to make sure.
    """
    depth = deepest = 0
    for found in _BRACKETS.finditer(data):
        depth = depth + 1 if found.group() in b"([{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    if deepest <= MAX_NESTING:
        return None
    import io
    import tokenize

    depth = 0
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
                if depth > MAX_NESTING:
                    return token.start[0]
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(0, depth - 1)
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, RecursionError):
        pass  # the parser reports what is wrong with it
    return None


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
    """Results in the order of ``jobs``; a file whose worker died or hung is a problem."""
    results: list[Result | None] = [None] * len(jobs)
    # Big files first, so no worker is left with one huge file at the end.
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].data))
    if jobs:
        import analyzer.extract  # noqa: F401 - once, before forking workers
    if os.name != "posix":  # no fork: in this process, with the nesting guard alone
        for i in order:
            results[i] = extract_job(jobs[i])
            if on_done:
                on_done()
        return [r for r in results if r is not None]
    pending = list(reversed(order))
    pool = [_Worker() for _ in range(max(1, min(workers, len(jobs))))]
    try:
        while pending or any(w.busy is not None for w in pool):
            for worker in pool:
                if worker.busy is None and pending:
                    worker.send(pending.pop(), jobs)
            busy = [w for w in pool if w.busy is not None]
            now = time.monotonic()
            ready = wait(
                [w.connection for w in busy] + [w.process.sentinel for w in busy],
                timeout=max(0.0, min(w.deadline for w in busy) - now),
            )
            for worker in busy:
                index = worker.busy
                assert index is not None
                outcome = worker.collect(ready, jobs[index].rel)
                if outcome is None:
                    continue
                results[index] = outcome
                if on_done:
                    on_done()
    finally:
        for worker in pool:
            worker.stop()
    return [r for r in results if r is not None]


def _serve(connection: Connection) -> None:
    """A worker's loop: a job in, its result out, until the parent closes the pipe."""
    with contextlib.suppress(EOFError, OSError, KeyboardInterrupt):
        while True:
            job = connection.recv()
            connection.send(extract_job(job))


class _Worker:
    """One forked worker process and the file it is working on."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.busy: int | None = None
        self.deadline = 0.0

    def send(self, index: int, jobs: Sequence[Job]) -> None:
        self.busy = index
        self.deadline = time.monotonic() + FILE_TIMEOUT
        with contextlib.suppress(OSError):  # it died already: collect() sees it
            self.connection.send(jobs[index])

    def collect(self, ready: Sequence[object], rel: str) -> Result | None:
        """Its result once there is one (or a problem if it died or hung); None while it works."""
        if self.connection in ready:
            try:
                result: Result = self.connection.recv()
            except (EOFError, OSError, pickle.UnpicklingError):
                result = self._lost(rel)
            else:
                self.busy = None
                return result
        elif self.process.sentinel in ready:
            result = self._lost(rel)
        elif time.monotonic() >= self.deadline:
            self._restart()
            return Problem(rel, 0, f"not analysed: parsing took longer than {FILE_TIMEOUT:g} s")
        else:
            return None
        return result

    def _lost(self, rel: str) -> Problem:
        self.process.join(1)
        code = self.process.exitcode
        self._restart()
        how = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit {code}"
        return Problem(rel, 0, f"not analysed: the parser crashed on this file ({how})")

    def _restart(self) -> None:
        self.stop()
        self.__init__()  # type: ignore[misc]

    def stop(self) -> None:
        self.busy = None
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


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
