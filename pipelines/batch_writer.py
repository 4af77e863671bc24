"""The crawl's single writer: a thread that commits processed pages in batches.

The reactor must not wait for SQLite, and one transaction per page costs a commit per page (an
FTS segment flush each: 2.3 ms of CPU per page at one page per commit, 1.6 ms at sixteen). So
processed pages go onto a queue; this thread takes whatever has gathered (up to ``batch``) and
writes it in one transaction with store.save_pages, then reports the outcomes. While pages are
still on their way (``expect()``ed: in the stage pool) and the batch is not full, it waits for
them, at most ``linger`` seconds after the batch's first page; with none on their way it commits
at once, so a slow crawl's pages and a crawl's last page never wait for a batch to fill.
Its connection is its own (sqlite3 connections belong to the thread that made them).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path
from typing import Callable

from pipelines.schema import connect
from pipelines.store import save_pages

Done = Callable[[object], None]  # called with the outcome (str) or the exception
Deliver = Callable[[list[tuple[Done, object]]], None]  # hands a batch's (done, outcome) pairs over
_STOP = object()


def call_each(calls: list[tuple[Done, object]]) -> None:
    """The default delivery: each page's callback, in the writer thread, after the commit. One
    callback failing never keeps the batch's other pages from hearing of their commit."""
    for done, outcome in calls:
        try:
            done(outcome)
        except Exception:  # noqa: BLE001 - logged; the other pages' callbacks still run
            logging.getLogger(__name__).exception("a stored page's callback failed")


class BatchWriter:
    def __init__(self, db_path: str | Path, batch: int = 32, linger: float = 0.0,
                 deliver: Deliver = call_each):
        self.db_path = db_path
        self.batch = max(1, batch)
        self.linger = max(0.0, linger)
        self.deliver = deliver  # once per batch: the crawl hands the whole batch to the reactor
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.commits = 0  # transactions written (pages per commit = pages / commits)
        self._coming = 0  # pages expected and not yet put
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="provnews-writer", daemon=True)
        self.thread.start()

    def expect(self) -> None:
        """A page is on its way (in the stage pool): a batch may wait for it, up to ``linger``."""
        with self._lock:
            self._coming += 1

    def abandon(self) -> None:
        """An expected page will not come (its stages failed outright)."""
        with self._lock:
            self._coming -= 1

    def put(self, page: dict, done: Done, expected: bool = False) -> None:
        """Queue a processed page; ``done`` gets its outcome once its transaction has committed.
        ``expected``: the page was announced with expect()."""
        self.queue.put((page, done))
        if expected:  # after the put: a batch waiting for it finds it on the queue
            self.abandon()

    def close(self) -> None:
        """Write what is queued, then stop (pages still expected are not waited for)."""
        self.queue.put(_STOP)
        self.thread.join()

    def _gather(self) -> list:
        """The next batch: the first item, whatever else is queued, and the expected pages that
        arrive within ``linger`` of the first."""
        items = [self.queue.get()]
        deadline = None
        while len(items) < self.batch and items[-1] is not _STOP:
            try:
                items.append(self.queue.get_nowait())
                continue
            except queue.Empty:
                pass
            if self._coming <= 0:
                break
            deadline = deadline or time.monotonic() + self.linger
            try:
                items.append(self.queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return items

    def _run(self) -> None:
        db = connect(self.db_path)
        try:
            stopping = False
            while not stopping:
                items = self._gather()
                if _STOP in items:
                    stopping = True
                    items = [i for i in items if i is not _STOP]
                if items:
                    self._write(db, items)
        finally:
            db.conn.close()

    def _write(self, db, items: list) -> None:
        try:
            outcomes = save_pages(db, [page for page, _ in items])
            self.commits += 1
        except Exception as e:  # noqa: BLE001 - a single page that cannot be written
            outcomes = [e] * len(items)
        self.deliver([(done, outcome) for (_, done), outcome in zip(items, outcomes)])
