"""What a stage worker packs for the writer: the raw body compressed, the search tokens computed.

Its own module, apart from store.py and index.py, because the stage workers (pipelines/
stage_pool.py) need only these three pure functions, while the store and the index bring
sqlite-utils, the clusters and numpy's linear algebra with them: a few MB in every worker
process for code that only the writer runs.
"""
from __future__ import annotations

import zlib

from pipelines.fulltext import index_text

# zlib level of stored pages. Measured on the 318 corpus pages (78 KB of HTML each): level 6
# took 1.66 ms a page for 24.7 % of the raw size, level 3 0.85 ms for 26.8 %: half the CPU of
# the stage workers' compression for 8 % more bytes on disk. Any level decompresses alike.
BODY_ZLIB_LEVEL = 3


def compress(body: bytes) -> bytes:
    """The stored form of a raw page body (pages.body)."""
    return zlib.compress(body or b"", BODY_ZLIB_LEVEL)


def decompress(blob: bytes | None) -> bytes:
    """The raw body back from pages.body; empty for a page stored without one."""
    return zlib.decompress(blob) if blob else b""


def fts_tokens(article: dict) -> tuple[str, str, str, str]:
    """(title_bi, body_bi, title_uni, body_uni): the FTS columns; pure, so stage workers
    compute them and the single writer only inserts."""
    title_bi, title_uni = index_text(article.get("title") or "")
    body_bi, body_uni = index_text(article.get("body") or "")
    return title_bi, body_bi, title_uni, body_uni
