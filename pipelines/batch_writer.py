"""The crawl's single writer: a thread that commits processed pages in batches.

The reactor must not wait for SQLite, and one transaction per page costs a commit per page. So
processed pages go onto a queue; this thread takes whatever has gathered (up to ``batch``) and
writes it in one transaction with store.save_pages, then reports each page's outcome through
its callback. When pages come slowly a batch is one page, so nothing waits for a batch to fill.
Its connection is its own (sqlite3 connections belong to the thread that made them).
"""
from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Callable

from pipelines.schema import connect
from pipelines.store import save_pages

Done = Callable[[object], None]  # called with the outcome (str) or the exception, in this thread
_STOP = object()


class BatchWriter:
    def __init__(self, db_path: str | Path, batch: int = 32):
        self.db_path = db_path
        self.batch = max(1, batch)
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="provnews-writer", daemon=True)
        self.thread.start()

    def put(self, page: dict, done: Done) -> None:
        """Queue a processed page; ``done`` gets its outcome once its transaction has committed."""
        self.queue.put((page, done))

    def close(self) -> None:
        """Write what is queued, then stop."""
        self.queue.put(_STOP)
        self.thread.join()

    def _run(self) -> None:
        db = connect(self.db_path)
        try:
            stopping = False
            while not stopping:
                items = [self.queue.get()]
                while len(items) < self.batch and not self.queue.empty():
                    items.append(self.queue.get())
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
        except Exception as e:  # noqa: BLE001 - a single page that cannot be written
            outcomes = [e] * len(items)
        for (_, done), outcome in zip(items, outcomes):
            done(outcome)
