"""Stage 5, page → SQLite: the one database module.

Tables: ``pages`` (every URL we tried: status, headers, raw body compressed, error), ``articles``
(the clean result, one row per URL), ``crawl_runs`` (one row per site per run). WAL mode and a
busy timeout let readers query while a crawl writes; each page is one short transaction, so a
killed crawl loses at most the page in flight. Upserts make a re-crawl update rows, never add.
"""
from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import sqlite_utils

from pipelines import EXTRACTOR_VERSION, StagePipeline

SCHEMA_VERSION = 1

PAGES_COLUMNS = {
    "url": str, "final_url": str, "site": str, "status": int, "fetched_at": str, "headers": str,
    "body": bytes, "body_size": int, "encoding": str, "error": str,
}
ARTICLES_COLUMNS = {
    "url": str, "canonical_url": str, "site": str, "title": str, "body": str, "author": str,
    "source": str, "editor": str, "published_at": str, "published_precision": str,
    "published_source": str, "fetched_at": str, "list_title": str, "fingerprint": str,
    "body_chars": int, "extractor_version": str,
}
CRAWL_RUNS_COLUMNS = {
    "id": int, "site": str, "started_at": str, "finished_at": str, "status": str,
    "pages_fetched": int, "articles_new": int, "articles_updated": int, "errors": int,
    "message": str,
}
ARTICLE_FIELDS = [c for c in ARTICLES_COLUMNS]


def connect(path: str | Path, readonly: bool = False) -> sqlite_utils.Database:
    """Open the database; read-only at the SQLite level when asked (no writes possible at all)."""
    path = Path(path)
    if readonly:
        if not path.exists():
            raise FileNotFoundError(f"no database at {path}")
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=30)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA query_only = 1")
        conn.set_authorizer(_deny_attach)  # ATTACH could create (and write) another file
        return sqlite_utils.Database(conn)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    ensure_schema(db)
    return db


def _deny_attach(action: int, *args) -> int:
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and args[0] == "query_only":
        return sqlite3.SQLITE_DENY  # no turning query_only back off
    return sqlite3.SQLITE_OK


def ensure_schema(db: sqlite_utils.Database) -> None:
    if "pages" not in db.table_names():
        db["pages"].create(PAGES_COLUMNS, pk="url", not_null={"site"})
        db["pages"].create_index(["site", "fetched_at"], if_not_exists=True)
    if "articles" not in db.table_names():
        db["articles"].create(ARTICLES_COLUMNS, pk="url", not_null={"site"})
        db["articles"].create_index(["site", "published_at"], if_not_exists=True)
        db["articles"].create_index(["fingerprint"], if_not_exists=True)
        db["articles"].create_index(["canonical_url"], if_not_exists=True)
    if "crawl_runs" not in db.table_names():
        db["crawl_runs"].create(CRAWL_RUNS_COLUMNS, pk="id")
        db["crawl_runs"].create_index(["site", "started_at"], if_not_exists=True)
    if "meta" not in db.table_names():
        db["meta"].create({"key": str, "value": str}, pk="key")
        db["meta"].insert({"key": "schema_version", "value": str(SCHEMA_VERSION)})


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
    }


def article_row(page: dict) -> dict:
    article = page.get("article") or {}
    row = {k: article.get(k) for k in ARTICLE_FIELDS}
    row.update(url=page["url"], site=page["site"], fetched_at=page.get("fetched_at"))
    row["list_title"] = (page.get("list_hint") or {}).get("text") or None
    row["body_chars"] = len(article.get("body") or "")
    row["extractor_version"] = EXTRACTOR_VERSION
    return row


def save_page(db: sqlite_utils.Database, page: dict) -> str:
    """Store one processed page in one transaction. Returns new / updated / unchanged / error."""
    with db.conn:
        db["pages"].upsert(page_row(page), pk="url")
        if page.get("error"):
            return "error"
        row = article_row(page)
        old = db.execute("SELECT * FROM articles WHERE url = ?", [row["url"]]).fetchone()
        if old is None:
            db["articles"].insert(row, pk="url")
            return "new"
        cols = [d[0] for d in db.execute("SELECT * FROM articles LIMIT 0").description]
        if dict(zip(cols, old)) == {c: row.get(c) for c in cols}:
            return "unchanged"
        db["articles"].upsert(row, pk="url")
        return "updated"


def run_outcome(stats: dict) -> dict:
    """A site run's crawl_runs figures and status, from the Scrapy stats of its crawl."""
    errors = stats.get("provnews/articles_error", 0) + stats.get("provnews/list_errors", 0)
    reason = stats.get("finish_reason", "")
    status, message = "ok", None
    if reason and reason != "finished":
        status, message = "failed", f"crawl ended: {reason}"
    elif stats.get("provnews/list_pages", 0) == 0:
        status, message = "failed", "no list page could be read"
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
