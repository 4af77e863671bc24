"""The pure stages of a page in worker processes, ahead of a single writer.

A crawl (`provnews crawl --jobs N`), a re-ingest and the shared crawl's writer all do the same
thing: decode → extract → dates → dedup, and the search tokens, on pages that a single process
then writes to SQLite. That work is pure and CPU-bound, so it runs here, in N worker processes
(or in the calling thread when N is 1); the caller keeps the next pages flowing while the writer
commits the previous ones. What comes back is plain, picklable data, without the parse tree.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Iterable, Iterator

from pipelines import process_page
from pipelines.heap import return_freed_memory
from pipelines.packing import compress, decompress, fts_tokens  # not store: no sqlite-utils here


def run_stages(args: tuple[dict, dict]) -> dict:
    """decode → extract → dates → dedup and the FTS tokens on one page dict.

    A page read back from the database carries ``_compressed``: its body is inflated here and
    not sent back (the writer does not rewrite stored pages). A fetched page's body is sent back
    compressed (``_body_z``, as pages.body stores it) so that the writer does not compress."""
    page, rules = args
    stored = page.pop("_compressed", False)
    if stored:
        page["body"] = decompress(page["body"])
    process_page(page, rules)
    if not page.get("error"):
        page["fts"] = fts_tokens(page["article"])
    page.pop("_tree", None)
    page.pop("_text", None)
    page.pop("html", None)
    body = page.pop("body", None) or b""
    if not stored:
        page["body_size"], page["_body_z"] = len(body), compress(body)
    return page


PR_SET_PDEATHSIG = 1  # prctl(2) option: the signal a process gets when its parent dies


def _die_with_parent(parent: int) -> None:
    """Worker initializer: the kernel kills this worker when the process that started it dies,
    even by kill -9 (a pool's workers otherwise wait forever on their queue, as orphans)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: orphans exit when their queue breaks, if ever
        return
    if os.getppid() != parent:  # it died while this worker was starting
        os._exit(1)


def _start_worker(parent: int) -> None:
    """Worker initializer: freed memory goes back to the system (pipelines/heap.py: about 12 MB
    less per worker once it has seen large pages), and the worker dies with its parent."""
    return_freed_memory()
    _die_with_parent(parent)


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class StagePool:
    """run_stages in ``jobs`` worker processes, or in the calling thread when jobs is 1.

    ``clean_start`` starts each worker as a fresh interpreter (multiprocessing's spawn) instead of
    forking the caller: a crawl runs a reactor and a writer thread, whose locks a forked child
    must not inherit. Workers die with the process that started them (_die_with_parent), which
    must be the thread that lives as long as the pool: the one that calls submit()."""

    def __init__(self, jobs: int, clean_start: bool = False, stages=None):
        self.jobs = max(1, jobs)
        self.stages = stages or run_stages  # a module-level function (it is pickled by name)
        self.executor = None
        if self.jobs > 1:
            ctx = multiprocessing.get_context("spawn") if clean_start else None
            self.executor = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_start_worker,
                                                initargs=(os.getpid(),))

    def submit(self, page: dict, rules: dict) -> Future:
        """The page's stages as a future (already done when there is no worker process)."""
        if self.executor is not None:
            return self.executor.submit(self.stages, (page, rules))
        done: Future = Future()
        try:
            done.set_result(self.stages((page, rules)))
        except Exception as e:  # noqa: BLE001 - run_stages records stage errors; this is a bug
            done.set_exception(e)
        return done

    def map(self, tasks: Iterable[tuple[dict, dict]], chunksize: int = 4) -> Iterator[dict]:
        """Stages of many pages, in order; lazily collected from the workers."""
        if self.executor is not None:
            return self.executor.map(self.stages, tasks, chunksize=chunksize)
        return iter([self.stages(t) for t in tasks])

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown()
            self.executor = None
