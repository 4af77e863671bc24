"""The reads behind `provnews stats`, `demo`, `export`, `sites` and the CLI's --site checks.

The commands call these instead of writing SQL, so a query that a view already holds (site_health,
latest_articles) is written once, in schema.VIEWS, and a change to a table's shape is followed
here and nowhere in the CLI. Everything here only reads.
"""
from __future__ import annotations

import sqlite3

import sqlite_utils

from pipelines.schema import VIEWS, filters


def site_health(db: sqlite_utils.Database) -> list[dict]:
    """Per site: pages, page_errors, articles, undated, empty, last_fetch (the site_health view's
    columns, by site). Read from the view's own SQL, so a database opened read-only whose stored
    views predate this provnews still answers the same."""
    cur = db.execute(f"SELECT * FROM ({VIEWS['site_health']}) ORDER BY site")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def page_errors(db: sqlite_utils.Database, limit: int = 10) -> list[tuple]:
    """(url, status, error) of the latest pages stored with an error."""
    return db.execute("SELECT url, status, error FROM pages WHERE error IS NOT NULL "
                      "ORDER BY fetched_at DESC LIMIT ?", [limit]).fetchall()


def latest_stories(db: sqlite_utils.Database, limit: int = 6) -> list[dict]:
    """The newest stories (latest_articles: one line per syndication cluster), each with the
    sites of its syndicated copies."""
    out = []
    for site, published, title, excerpt, url in db.execute(
            "SELECT site, published_at, title, substr(excerpt, 1, 40), url FROM latest_articles LIMIT ?",
            [limit]).fetchall():
        copies = db.execute("SELECT group_concat(site, ', ') FROM articles WHERE duplicate_of = ?",
                            [url]).fetchone()[0]
        out.append({"site": site, "published_at": published, "title": title, "excerpt": excerpt,
                    "url": url, "copies": copies})
    return out


def has_site(db: sqlite_utils.Database, site: str) -> bool:
    """The database holds pages of this site."""
    return db.execute("SELECT 1 FROM pages WHERE site = ? LIMIT 1", [site]).fetchone() is not None


def stored_sites(db: sqlite_utils.Database, limit: int = 30) -> list[str]:
    """Site ids the database holds pages of, in order (at most ``limit``)."""
    return [r[0] for r in db.execute("SELECT DISTINCT site FROM pages ORDER BY site LIMIT ?", [limit])]


def latest_runs(db: sqlite_utils.Database) -> dict[str, dict]:
    """Per site, its latest run: {site, status, errors, started_at}."""
    return {r["site"]: r for r in db.query(
        "SELECT site, status, errors, started_at FROM crawl_runs WHERE id IN "
        "(SELECT max(id) FROM crawl_runs GROUP BY site)")}


def articles_per_site(db: sqlite_utils.Database) -> dict[str, int]:
    """Stored articles per site."""
    return dict(db.execute("SELECT site, count(*) FROM articles GROUP BY site").fetchall())


def articles_for_export(db: sqlite_utils.Database, site=None, since=None, where=None) -> sqlite3.Cursor:
    """Every column of the chosen articles (published since ``since``), in storage order."""
    clause, params = _where(site, since, where, "published_at")
    return db.execute(f"SELECT * FROM articles{clause} ORDER BY rowid", params)


def pages_for_export(db: sqlite_utils.Database, site=None, since=None, where=None) -> sqlite3.Cursor:
    """(url, final_url, status, headers, body, fetched_at) of the chosen pages that have a body
    (fetched since ``since``), in storage order."""
    clause, params = _where(site, since, where, "fetched_at")
    clause = (clause + " AND " if clause else " WHERE ") + "body_size > 0"
    return db.execute(f"SELECT url, final_url, status, headers, body, fetched_at FROM pages{clause} "
                      "ORDER BY rowid", params)


def _where(site, since, where, since_column: str) -> tuple[str, list]:
    conds, params = filters(site, since, where, since_column)
    return (" WHERE " + " AND ".join(conds)) if conds else "", params
