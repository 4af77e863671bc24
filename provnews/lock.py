"""One crawl at a time per database: an exclusive lock on DB.lock, taken before anything else.

flock is released by the kernel when the process dies, kill -9 included, so a crashed crawl
never leaves a stale lock behind.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path


class Locked(RuntimeError):
    """Another crawl holds the database."""


@contextmanager
def crawl_lock(db_path: str | Path):
    path = Path(str(db_path) + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise Locked(f"another crawl (pid {holder}) holds {db_path}; exiting") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
