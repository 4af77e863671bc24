"""Freed memory goes back to the system: glibc's malloc with a fixed mmap threshold.

A page's stages build large, short-lived objects (the decoded HTML, lxml's trees, the body's
text and its search tokens: hundreds of KB each). glibc raises its mmap threshold, and with it
its trim threshold, to the size of the largest such block once one is freed, up to 32 and 64 MB;
from then on those blocks come from the heap, and what is freed at the top of the heap is kept
rather than returned. A stage worker then holds the high-water mark of the largest page it has
seen, about 12 MB more than it uses between pages (measured on the 318 corpus pages: 80 against
92 MB after 700 pages, the same CPU per page within noise), and the crawl's main process, which
holds responses and processed pages, about 7 MB more. Fixing the threshold (any fixed value
turns glibc's adjustment off) keeps blocks above it in their own mappings, unmapped when freed,
and trims the heap's free top above 128 KB.

The crawl's main process also runs threads: the reactor, the writer, Twisted's resolver pool and
the stage pool's feeders. glibc gives each thread that allocates an arena of its own (up to 8 per
core), and each keeps its own freed memory; two arenas serve those threads as well (the reactor
and the writer are the ones that allocate much) and hold 6-8 MB less at 2,000 pages
(bench/bench_crawl_speed.py --per-process, three interleaved pairs: main 122-124 against 116 MB).
"""
from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3  # mallopt(3) parameter number (glibc's malloc.h)
MMAP_THRESHOLD = 512 * 1024  # bytes: blocks at least this large get their own mapping
M_ARENA_MAX = -8  # mallopt(3) parameter number
ARENA_MAX = 2  # malloc arenas of a process whose threads allocate (the crawl's main process)


def _mallopt(param: int, value: int) -> bool:
    try:
        return bool(ctypes.CDLL(None).mallopt(param, value))
    except (OSError, AttributeError):  # not glibc (musl, macOS): its own policy stands
        return False


def return_freed_memory() -> bool:
    """Fix glibc's mmap threshold in this process; False where malloc is not glibc's."""
    return _mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def limit_arenas() -> bool:
    """At most ARENA_MAX malloc arenas for this process's threads (from the next thread's first
    allocation on); False where malloc is not glibc's."""
    return _mallopt(M_ARENA_MAX, ARENA_MAX)
