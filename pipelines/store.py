"""Stage 5, page → SQLite (sqlite-utils): pages, articles, their search index and the frontier.

Each page is one short transaction: its raw bytes (compressed) go to ``pages``, its article to
``articles``, and its frontier entry is settled in the same commit, so a crawl killed at any moment
leaves every URL either stored or still pending, never half of each. Upserts make a re-crawl update
rows, never add them. WAL mode (see schema.connect) lets readers query while a crawl writes.
"""
from __future__ import annotations

import json
from functools import lru_cache

import sqlite_utils

from pipelines import EXTRACTOR_VERSION, StagePipeline
from pipelines.dates.normalise import local_day
from pipelines.index import index_and_cluster
from pipelines.packing import compress
from pipelines.page import MAX_ATTEMPTS, TRANSIENT_KEYS, is_transient
from pipelines.runs import close_run, open_run
from pipelines.schema import ARTICLES_COLUMNS, EXTRACT_FIELDS, connect  # noqa: F401 - connect is re-exported

# what extraction produces, and published_day derived from it; cluster columns are derived apart
ARTICLE_FIELDS = list(ARTICLES_COLUMNS) + ["published_day", *EXTRACT_FIELDS]


def page_row(page: dict) -> dict:
    """The pages row; a body compressed already by a stage worker (``_body_z``) is used as is."""
    body = page.get("body") or b""
    packed = page.get("_body_z")
    return {
        "url": page["url"], "final_url": page.get("final_url") or page["url"],
        "site": page["site"], "status": page.get("status"), "fetched_at": page.get("fetched_at"),
        "headers": json.dumps(page.get("headers") or {}, ensure_ascii=False, sort_keys=True),
        "body": packed if packed is not None else compress(body),
        "body_size": page["body_size"] if packed is not None else len(body), "encoding": page.get("encoding"),
        "error": page.get("error"),
        "list_hint": json.dumps(page["list_hint"], ensure_ascii=False) if page.get("list_hint") else None,
    }


def article_row(page: dict) -> dict:
    article = page.get("article") or {}
    row = {k: article.get(k) for k in ARTICLE_FIELDS}
    row.update(url=page["url"], site=page["site"], fetched_at=page.get("fetched_at"))
    row["list_title"] = (page.get("list_hint") or {}).get("text") or None
    row["body_chars"] = len(article.get("body") or "")
    row["published_day"] = local_day(row.get("published_at"))  # the day in +08:00, for views
    row["extractor_version"] = EXTRACTOR_VERSION
    return row


def save_page(db: sqlite_utils.Database, page: dict) -> str:
    """Store one fetched page in one transaction. Returns new / updated / unchanged / error."""
    with db.conn:
        _write_pages(db, [page])
        return _save_outcome(db, page)


def save_pages(db: sqlite_utils.Database, pages: list[dict]) -> list[str | Exception]:
    """Store a batch of fetched pages in one transaction: each page's frontier entry leaves in the
    commit that stores it, so a kill at any moment keeps all of the batch or none of it (and then
    the frontier still holds it). One outcome per page, as save_page's; when the batch cannot be
    written it is written again page by page, so that only a page that fails has an exception
    for outcome."""
    try:
        with db.conn:
            _write_pages(db, pages)
            return [_save_outcome(db, page) for page in pages]
    except Exception:  # noqa: BLE001 - retried one by one below, where the culprit shows
        if len(pages) == 1:
            raise
    outcomes: list[str | Exception] = []
    for page in pages:
        try:
            outcomes.append(save_page(db, page))
        except Exception as e:  # noqa: BLE001 - this page's own failure, for the caller to report
            outcomes.append(e)
    return outcomes


@lru_cache(maxsize=8)
def _upsert_sql(table: str, columns: tuple[str, ...], pk: str = "url") -> str:
    """Plain SQL upsert (sqlite-utils' upsert() inspects the table on every call)."""
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c != pk)
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT({pk}) DO UPDATE SET {sets}"


@lru_cache(maxsize=8)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


@lru_cache(maxsize=8)
def _update_sql(table: str, columns: tuple[str, ...], pk: str = "url") -> str:
    return f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns if c != pk)} WHERE {pk} = ?"


def _write_pages(db: sqlite_utils.Database, pages: list[dict]) -> None:
    """The pages rows (one executemany) and their frontier entries; the caller holds the
    transaction."""
    rows = [page_row(page) for page in pages]
    columns = tuple(rows[0])
    db.conn.executemany(_upsert_sql("pages", columns), [[r[c] for c in columns] for r in rows])
    settled = []
    for page in pages:
        if is_transient(page):  # tried again on a later run, up to MAX_ATTEMPTS
            db.execute("UPDATE frontier SET attempts = attempts + 1 WHERE url = ?", [page["url"]])
            db.execute("DELETE FROM frontier WHERE url = ? AND attempts >= ?", [page["url"], MAX_ATTEMPTS])
        else:
            settled.append((page["url"],))
    db.conn.executemany("DELETE FROM frontier WHERE url = ?", settled)


def _save_outcome(db: sqlite_utils.Database, page: dict) -> str:
    if page.get("error"):
        # a page fetched as an article that held a list or no story (crawler/learnt.py): no failure
        return "list" if page["error"].startswith(("list: ", "not an article: ")) else "error"
    return save_article(db, page)


def set_page_error(db: sqlite_utils.Database, url: str, error: str | None) -> None:
    """A re-ingest's verdict on a stored page: its stage error now, or None when it now succeeds
    (caller holds the transaction; a page whose error is unchanged is not written)."""
    db.execute("UPDATE pages SET error = ? WHERE url = ? AND error IS NOT ?", [error, url, error])


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
    columns = tuple(row)
    if old is None:  # plain SQL: sqlite-utils' insert()/update() inspect the table on every call
        db.execute(_insert_sql("articles", columns), [row[c] for c in columns])
    else:
        db.execute(_update_sql("articles", columns), [*(row[c] for c in columns if c != "url"), row["url"]])
    index_and_cluster(db, row["url"], page.get("minhash", False), page.get("fts"))
    return "new" if old is None else "updated"


class StorePipeline(StagePipeline):
    """Writes every page, failed or not; counts outcomes in the crawl's stats; records the run
    in crawl_runs (pipelines/runs.py) whichever way the crawl was started (provnews crawl,
    scrapy crawl, Scrapyd)."""

    stage = "store"
    db: sqlite_utils.Database | None = None  # what open_spider opened, and all close_spider closes
    run_id: int | None = None

    def open_spider(self):
        self.db = connect(self.crawler.settings.get("PROVNEWS_DB"))
        site = getattr(self.crawler.spider, "site", None)
        self.run_id = open_run(self.db, site.id if site else "")
        self.crawler.stats.set_value("provnews/run_id", self.run_id)

    def close_spider(self):
        if self.db is None:  # open_spider failed before it opened the database
            return
        if self.run_id is not None:
            close_run(self.db, self.run_id, self.crawler.stats.get_stats())
        self.db.conn.close()

    def process_item(self, item):
        outcome = save_page(self.db, item)
        for transient in TRANSIENT_KEYS:  # the item lives on in signals; free the big parts
            item.pop(transient, None)
        stats = self.crawler.stats
        stats.inc_value("provnews/pages_fetched")
        stats.inc_value(f"provnews/articles_{outcome}")
        return item
