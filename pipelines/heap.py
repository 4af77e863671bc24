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
"""
from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3  # mallopt(3) parameter number (glibc's malloc.h)
MMAP_THRESHOLD = 512 * 1024  # bytes: blocks at least this large get their own mapping


def return_freed_memory() -> bool:
    """Fix glibc's mmap threshold in this process; False where malloc is not glibc's."""
    try:
        return bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):  # not glibc (musl, macOS): its own policy stands
        return False
