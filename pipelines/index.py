"""The search index and the syndication clusters of one article row, kept in step with it.

Its own module (not store.py) because the schema's migrations index existing articles with the
very code the crawl writes with, and the schema must not import the store that imports it.
"""
from __future__ import annotations

import sqlite_utils

from pipelines.clusters import cluster_article
from pipelines.dedup import minhash, signature_bytes
from pipelines.packing import fts_tokens  # the stage workers' copy-free import (packing.py)


def index_and_cluster(db: sqlite_utils.Database, url: str, sig: bytes | None | bool = False,
                      tokens: tuple | None = None) -> None:
    """Keep the FTS index and the syndication clusters in step with one article row."""
    text = "title, body" if not tokens or sig is False else "NULL, NULL"  # the writer's row holds them
    rowid, cluster, title, body = db.execute(
        f"SELECT rowid, cluster_id, {text} FROM articles WHERE url = ?", [url]).fetchone()
    title_bi, body_bi, title_uni, body_uni = tokens or fts_tokens({"title": title, "body": body})
    db.execute("DELETE FROM articles_fts WHERE rowid = ?", [rowid])
    db.execute("INSERT INTO articles_fts (rowid, title_bi, body_bi, title_uni, body_uni) "
               "VALUES (?, ?, ?, ?, ?)", [rowid, title_bi, body_bi, title_uni, body_uni])
    if sig is False:  # not computed by the dedup stage (a migration, say): compute it here
        m = minhash(body or "")
        sig = signature_bytes(m) if m is not None else None
    cluster_article(db, url, sig, cluster)
