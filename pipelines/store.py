"""Stage 5, page → SQLite (sqlite-utils): pages, articles, the frontier and crawl_runs.

Each page is one short transaction: its raw bytes (compressed) go to ``pages``, its article to
``articles``, and its frontier entry is settled in the same commit, so a crawl killed at any moment
leaves every URL either stored or still pending, never half of each. Upserts make a re-crawl update
rows, never add them. WAL mode (see schema.connect) lets readers query while a crawl writes.
"""
from __future__ import annotations

import json
import zlib

import sqlite_utils

from pipelines import EXTRACTOR_VERSION, StagePipeline
from pipelines.dedup import SAME_STORY, bands, minhash, signature_bytes, similarity
from pipelines.fulltext import index_text
from pipelines.schema import ARTICLES_COLUMNS, connect  # noqa: F401 - connect is re-exported

ARTICLE_FIELDS = list(ARTICLES_COLUMNS)  # what extraction produces; cluster columns are derived
MAX_ATTEMPTS = 3  # a URL failing transiently (timeouts, 5xx, 429) is retried on this many runs


def compress(body: bytes) -> bytes:
    return zlib.compress(body or b"", 6)


def decompress(blob: bytes | None) -> bytes:
    return zlib.decompress(blob) if blob else b""


def page_row(page: dict) -> dict:
    body = page.get("body") or b""
    return {
        "url": page["url"], "final_url": page.get("final_url") or page["url"],
        "site": page["site"], "status": page.get("status"), "fetched_at": page.get("fetched_at"),
        "headers": json.dumps(page.get("headers") or {}, ensure_ascii=False, sort_keys=True),
        "body": compress(body), "body_size": len(body), "encoding": page.get("encoding"),
        "error": page.get("error"),
        "list_hint": json.dumps(page["list_hint"], ensure_ascii=False) if page.get("list_hint") else None,
    }


def article_row(page: dict) -> dict:
    article = page.get("article") or {}
    row = {k: article.get(k) for k in ARTICLE_FIELDS}
    row.update(url=page["url"], site=page["site"], fetched_at=page.get("fetched_at"))
    row["list_title"] = (page.get("list_hint") or {}).get("text") or None
    row["body_chars"] = len(article.get("body") or "")
    row["extractor_version"] = EXTRACTOR_VERSION
    return row


def is_transient(page: dict) -> bool:
    """A failure worth retrying on a later run: no response at all, 5xx, 429, 408."""
    error, status = page.get("error"), page.get("status")
    if not error:
        return False
    if status is None:  # timeouts, resets, DNS: but a robots.txt refusal is final
        return error.startswith("fetch:") and "robots" not in error.lower()
    return status in (408, 429) or status >= 500


def _settle_frontier(db: sqlite_utils.Database, page: dict) -> None:
    if is_transient(page):
        db.execute("UPDATE frontier SET attempts = attempts + 1 WHERE url = ?", [page["url"]])
        db.execute("DELETE FROM frontier WHERE url = ? AND attempts >= ?", [page["url"], MAX_ATTEMPTS])
    else:
        db.execute("DELETE FROM frontier WHERE url = ?", [page["url"]])


def save_page(db: sqlite_utils.Database, page: dict) -> str:
    """Store one fetched page in one transaction. Returns new / updated / unchanged / error."""
    with db.conn:
        db["pages"].upsert(page_row(page), pk="url")
        _settle_frontier(db, page)
        if page.get("error"):
            return "error"
        return save_article(db, page)


_MISSING = object()


def current_article(db: sqlite_utils.Database, url: str) -> dict | None:
    """The stored extraction columns of one article, or None."""
    old = db.execute(f"SELECT {', '.join(ARTICLE_FIELDS)} FROM articles WHERE url = ?", [url]).fetchone()
    return dict(zip(ARTICLE_FIELDS, old)) if old is not None else None


def save_article(db: sqlite_utils.Database, page: dict, old=_MISSING) -> str:
    """Write a page's article (caller holds the transaction): new / updated / unchanged.

    An unchanged article is not written at all — a re-ingest with unchanged rules leaves the table
    byte for byte as it was. A written one is re-indexed for search and re-clustered. ``old`` is
    the stored row when the caller has already read it (re-ingest compares before writing)."""
    row = article_row(page)
    if old is _MISSING:
        old = current_article(db, row["url"])
    if old is not None and old == row:
        return "unchanged"
    if old is None:
        db["articles"].insert(row, pk="url")
    else:
        db["articles"].update(row["url"], row)
    index_and_cluster(db, row["url"], page.get("minhash", False), page.get("fts"))
    return "new" if old is None else "updated"


def fts_tokens(article: dict) -> tuple[str, str, str, str]:
    """(title_bi, body_bi, title_uni, body_uni): the FTS columns; pure, so re-ingest workers
    compute them and the single writer only inserts."""
    title_bi, title_uni = index_text(article.get("title") or "")
    body_bi, body_uni = index_text(article.get("body") or "")
    return title_bi, body_bi, title_uni, body_uni


def index_and_cluster(db: sqlite_utils.Database, url: str, sig: bytes | None | bool = False,
                      tokens: tuple | None = None) -> None:
    """Keep the FTS index and the syndication clusters in step with one article row."""
    rowid, title, body, cluster = db.execute(
        "SELECT rowid, title, body, cluster_id FROM articles WHERE url = ?", [url]).fetchone()
    title_bi, body_bi, title_uni, body_uni = tokens or fts_tokens({"title": title, "body": body})
    db.execute("DELETE FROM articles_fts WHERE rowid = ?", [rowid])
    db.execute("INSERT INTO articles_fts (rowid, title_bi, body_bi, title_uni, body_uni) "
               "VALUES (?, ?, ?, ?, ?)", [rowid, title_bi, body_bi, title_uni, body_uni])
    if sig is False:  # not computed by the dedup stage (a migration, say): compute it here
        m = minhash(body or "")
        sig = signature_bytes(m) if m is not None else None
    _cluster(db, url, sig, cluster)


def _cluster(db: sqlite_utils.Database, url: str, sig: bytes | None, old_cluster: str | None) -> None:
    """Near-duplicate clustering by MinHash LSH: candidates share a band hash (an indexed lookup,
    never an all-pairs scan), members are those above SAME_STORY estimated similarity."""
    db.execute("DELETE FROM lsh_bands WHERE url = ?", [url])
    db.execute("DELETE FROM article_minhash WHERE url = ?", [url])
    members = {url}
    if sig is not None:
        keys = bands(sig)
        db.execute("INSERT INTO article_minhash (url, sig) VALUES (?, ?)", [url, sig])
        db.conn.executemany("INSERT INTO lsh_bands (band, hash, url) VALUES (?, ?, ?)",
                            [(b, h, url) for b, h in enumerate(keys)])
        # the oldest few sharing each band: enough to meet every cluster the article could join
        near: set[str] = set()
        for b, h in enumerate(keys):
            near.update(r[0] for r in db.execute(
                "SELECT url FROM lsh_bands WHERE band = ? AND hash = ? AND url != ? LIMIT ?",
                [b, h, url, CANDIDATES_PER_BAND]))
        near_clusters = _with_clusters(db, sorted(near))
        matches = _matches(db, sig, near_clusters)
        if matches and old_cluster is None and _join_one_cluster(db, url, matches, near_clusters):
            return
        if matches:
            marks = ", ".join("?" for _ in matches)
            members |= set(matches)
            members |= {r[0] for r in db.execute(
                f"SELECT url FROM articles WHERE cluster_id IN (SELECT cluster_id FROM articles "
                f"WHERE url IN ({marks}) AND cluster_id IS NOT NULL)", matches)}
    _assign(db, members)
    if old_cluster and old_cluster not in members:  # it left a cluster: re-settle the rest
        rest = {r[0] for r in db.execute("SELECT url FROM articles WHERE cluster_id = ? AND url != ?",
                                         [old_cluster, url])}
        _assign(db, rest)
    elif old_cluster:
        rest = {r[0] for r in db.execute("SELECT url FROM articles WHERE cluster_id = ?", [old_cluster])}
        if rest - members:
            _assign(db, rest - members)


def _join_one_cluster(db: sqlite_utils.Database, url: str, matches: list[str],
                      near: list[tuple[str, str | None]]) -> bool:
    """The common case, in O(1) reads: an article that was in no cluster matches members of
    exactly one existing cluster. It becomes that cluster's original only if it was published
    earlier than the current one. False when the general path (_assign) must settle it."""
    cluster_of = dict(near)
    clusters = {cluster_of.get(m) for m in matches}
    if len(clusters) != 1 or None in clusters:
        return False
    original = clusters.pop()
    rows = dict((u, (p or f or "9999", u)) for u, p, f in db.execute(
        "SELECT url, published_at, fetched_at FROM articles WHERE url IN (?, ?)", [url, original]))
    if original not in rows:
        return False
    if rows[url] < rows[original]:  # an earlier copy: the whole cluster now points to it
        db.execute("UPDATE articles SET cluster_id = ?, duplicate_of = ? WHERE cluster_id = ?",
                   [url, url, original])
        db.execute("UPDATE articles SET cluster_id = ?, duplicate_of = NULL WHERE url = ?", [url, url])
    else:
        db.execute("UPDATE articles SET cluster_id = ?, duplicate_of = ? WHERE url = ?",
                   [original, original, url])
    return True


PROBES_PER_CLUSTER = 8  # members of one existing cluster compared with a new article, at most
CANDIDATES_PER_BAND = 64  # articles read per LSH band bucket (a bucket of templated pages is huge)


def _with_clusters(db: sqlite_utils.Database, urls: list[str]) -> list[tuple[str, str | None]]:
    out = []
    for start in range(0, len(urls), 500):  # SQLite's variable limit
        chunk = urls[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        out += db.execute(f"SELECT url, cluster_id FROM articles WHERE url IN ({marks}) ORDER BY rowid",
                          chunk).fetchall()
    return out


def _matches(db: sqlite_utils.Database, sig: bytes, candidates: list[tuple[str, str | None]]) -> list[str]:
    """The candidates a new article is the same story as. Members of one cluster are near each
    other by construction, so a few of them stand for the cluster: a site of templated notices,
    thousands alike, must not cost a comparison with every one of them per insert."""
    probes: list[str] = []
    per_cluster: dict[str, int] = {}
    for cand, cluster in candidates:
        if cluster is not None:
            if per_cluster.get(cluster, 0) >= PROBES_PER_CLUSTER:
                continue
            per_cluster[cluster] = per_cluster.get(cluster, 0) + 1
        probes.append(cand)
    matches = []
    for start in range(0, len(probes), 500):  # SQLite's variable limit
        chunk = probes[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for cand, csig in db.execute(f"SELECT url, sig FROM article_minhash WHERE url IN ({marks})", chunk):
            if similarity(sig, csig) >= SAME_STORY:
                matches.append(cand)
    return matches


def _assign(db: sqlite_utils.Database, members: set[str]) -> None:
    """The earliest published copy is the original; the others are its duplicates."""
    if not members:
        return
    marks = ", ".join("?" for _ in members)
    rows = db.execute(f"SELECT url, published_at, fetched_at, cluster_id, duplicate_of FROM articles "
                      f"WHERE url IN ({marks})", list(members)).fetchall()
    if len(rows) == 1:
        url, _, _, cluster, dup = rows[0]
        if cluster is not None or dup is not None:
            db.execute("UPDATE articles SET cluster_id = NULL, duplicate_of = NULL WHERE url = ?", [url])
        return
    original = min(rows, key=lambda r: (r[1] or r[2] or "9999", r[0]))[0]
    for url, _, _, cluster, dup in rows:
        want_dup = None if url == original else original
        if cluster != original or dup != want_dup:  # write only what changes
            db.execute("UPDATE articles SET cluster_id = ?, duplicate_of = ? WHERE url = ?",
                       [original, want_dup, url])


def run_outcome(stats: dict) -> dict:
    """A site run's crawl_runs figures and status, from the Scrapy stats of its crawl."""
    errors = stats.get("provnews/articles_error", 0) + stats.get("provnews/list_errors", 0)
    reason = stats.get("finish_reason", "")
    status, message = "ok", None
    if reason and reason != "finished":
        status, message = "failed", f"crawl ended: {reason}"
    elif stats.get("provnews/list_pages", 0) + stats.get("provnews/list_not_modified", 0) == 0:
        status, message = "failed", "no list page, feed or sitemap could be read"
    return {
        "status": status, "message": message, "errors": errors,
        "pages_fetched": stats.get("provnews/pages_fetched", 0),
        "articles_new": stats.get("provnews/articles_new", 0),
        "articles_updated": stats.get("provnews/articles_updated", 0),
    }


class StorePipeline(StagePipeline):
    """Writes every page, failed or not; counts outcomes in the crawl's stats; records the run
    in crawl_runs whichever way the crawl was started (provnews crawl, scrapy crawl, Scrapyd)."""

    stage = "store"

    def open_spider(self):
        from crawler.items import utc_now_iso

        self.db = connect(self.crawler.settings.get("PROVNEWS_DB"))
        site = getattr(self.crawler.spider, "site", None)
        self.run_id = self.db["crawl_runs"].insert({
            "site": site.id if site else "", "started_at": utc_now_iso(), "status": "running",
            "pages_fetched": 0, "articles_new": 0, "articles_updated": 0, "errors": 0,
        }).last_pk
        self.crawler.stats.set_value("provnews/run_id", self.run_id)

    def close_spider(self):
        from crawler.items import utc_now_iso

        # finish_reason is set after pipelines close: a run that gets here finished its crawl
        stats = {"finish_reason": "finished", **self.crawler.stats.get_stats()}
        self.db["crawl_runs"].update(self.run_id, {"finished_at": utc_now_iso(), **run_outcome(stats)})
        self.db.conn.close()

    def process_item(self, item):
        outcome = save_page(self.db, item)
        for transient in ("_tree", "html"):  # the item lives on in signals; free the big parts
            item.pop(transient, None)
        stats = self.crawler.stats
        stats.inc_value("provnews/pages_fetched")
        stats.inc_value(f"provnews/articles_{outcome}")
        return item
