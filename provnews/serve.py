"""`provnews serve`: Datasette on the database, read-only, ready to browse.

Metadata describes every table and column (from pipelines/columns.py, as the README does), sets facets on
site, province and publication day, wires the Chinese search into a canned query named `search`
(a search box on its page, and `/DB/search.json?q=昆明` for programs), and adds canned queries for
today's articles per site, a keyword in a date range, and syndication clusters.
"""
from __future__ import annotations

import json
from pathlib import Path

from crawler.settings import PROVNEWS_SEARCH_PAGE_ROWS
from pipelines import columns
from provnews.search import RANK_WINDOW, WEIGHTS

PLUGINS_DIR = Path(__file__).resolve().parent / "datasette_plugins"

ARTICLE_COLUMNS = columns.meanings("articles")  # one column dictionary: pipelines/columns.py

# the same ranking as `provnews search` (provnews/search.py): weights and window from the settings
SEARCH_SQL = f"""SELECT a.title, a.site, a.published_at, provnews_snippet(a.body, :q) AS snippet,
  a.url AS article, a.url, round(f.rank, 3) AS rank
FROM (SELECT rowid, bm25(articles_fts, {WEIGHTS}) AS rank FROM articles_fts
      WHERE articles_fts MATCH provnews_match(:q)
        AND rowid >= coalesce((SELECT rowid FROM articles_fts WHERE articles_fts MATCH provnews_match(:q)
                               ORDER BY rowid DESC LIMIT 1 OFFSET {RANK_WINDOW - 1}), 0)
      ORDER BY rank LIMIT {PROVNEWS_SEARCH_PAGE_ROWS}) f
JOIN articles a ON a.rowid = f.rowid ORDER BY f.rank"""


# Dates that are missing or not dates would compare as strings and silently return nothing: the
# query then answers with one row saying what it needs (date() is NULL for anything but a date).
RANGE_PROBLEM = "keyword_in_range needs start and end dates as YYYY-MM-DD, e.g. 2024-05-01 and 2024-06-01"
KEYWORD_IN_RANGE_SQL = f"""SELECT NULL AS published_at, NULL AS site, '{RANGE_PROBLEM}' AS title, NULL AS url
WHERE :keyword != '' AND (date(:start) IS NULL OR date(:end) IS NULL)
UNION ALL
SELECT * FROM (SELECT a.published_at, a.site, a.title, a.url FROM articles_fts
  JOIN articles a ON a.rowid = articles_fts.rowid
  WHERE articles_fts MATCH provnews_match(:keyword) AND date(:start) IS NOT NULL AND date(:end) IS NOT NULL
    AND a.published_at >= date(:start) AND a.published_at < date(:end)
  ORDER BY a.published_at)"""

ARTICLE_FIELDS = ("title", "site", "published_at", "source", "author", "editor", "url", "duplicate_of", "body")
ARTICLE_SQL = "\nUNION ALL ".join(
    f"SELECT {i} AS n, '{f}' AS field, {f} AS value FROM articles WHERE url = :url"
    for i, f in enumerate(ARTICLE_FIELDS)) + "\nORDER BY n"


def metadata(db_name: str) -> dict:
    return {
        "title": "provnews",
        "description": "Regional Chinese news and government announcements, crawled and cleaned by provnews.",
        "databases": {db_name: {
            "tables": {
                "articles": {"description": "One row per article URL: the clean result of a crawl.",
                             "columns": ARTICLE_COLUMNS, "facets": ["site", "published_precision"],
                             "sort_desc": "published_at",
                             # the search box: our bigram index (see datasette_plugins: escape_fts)
                             "fts_table": "articles_fts", "fts_pk": "rowid"},
                "articles_view": {"description": "Articles with their site's province and city and the "
                                                 "publication day: browse and facet here.",
                                  "facets": ["site", "province", "day"], "sort_desc": "published_at",
                                  "columns": {**ARTICLE_COLUMNS, "province": "Province of the site",
                                              "city": "City of the site", "day": "Publication day (+08:00)",
                                              "site_name": "The site's name"}},
                "pages": {"columns": columns.meanings("pages"), "description": "Every URL tried, fetched or not: status, headers, raw body "
                                         "(zlib-compressed), error.", "facets": ["site", "status"]},
                "crawl_runs": {"columns": columns.meanings("crawl_runs"), "description": "One row per site per crawl run.", "facets": ["site", "status"],
                               "sort_desc": "started_at"},
                "frontier": {"columns": columns.meanings("frontier"), "description": "Article URLs discovered but not yet stored (a killed run's work)."},
                "validators": {"columns": columns.meanings("validators"), "description": "ETag / Last-Modified of list pages, feeds and sitemaps."},
                "sites": {"columns": columns.meanings("sites"), "description": "The site registry as of the last crawl."},
                "syndication_clusters": {"description": "Stories carried by several sources."},
                "daily_counts": {"description": "Articles per site per publication day."},
                "latest_articles": {"description": "Newest articles first, syndicated copies left out."},
                "site_health": {"description": "Pages, errors, undated and empty articles per site."},
                "articles_fts": {"hidden": True}, "lsh_bands": {"hidden": True},
                "article_minhash": {"hidden": True}, "meta": {"hidden": True},
            },
            "queries": {
                "search": {"title": "Search articles", "sql": SEARCH_SQL, "hide_sql": True,
                           "description": "Full-text search in Chinese of any length (昆明, 滇, 滇池绿道), ranked by bm25."},
                "article": {"title": "Article", "sql": ARTICLE_SQL, "hide_sql": True,
                            "description": "One article, field by field, its body as paragraphs."},
                "today_per_site": {"title": "Today's articles per site",
                                   "sql": "SELECT site, count(*) AS articles FROM articles WHERE "
                                          "substr(published_at, 1, 10) = date('now', '+8 hours') "
                                          "GROUP BY site ORDER BY articles DESC"},
                "keyword_in_range": {"title": "Articles mentioning a keyword in a date range",
                                     "description": "start and end as YYYY-MM-DD (end excluded)",
                                     "sql": KEYWORD_IN_RANGE_SQL},
                "clusters": {"title": "Syndication clusters",
                             "sql": "SELECT * FROM syndication_clusters ORDER BY copies DESC, first_published DESC"},
            },
        }},
    }


def datasette_args(db_path: str, port: int, metadata_path: str, host: str = "127.0.0.1",
                   immutable: bool = False) -> list[str]:
    """`datasette serve` arguments. Datasette reads a mutable database with mode=ro (read-only at
    the SQLite level, WAL included, so it sees a running crawl's commits); it never writes here.
    A database we cannot write (read-only file or directory) is opened immutable instead."""
    db_args = ["-i", str(db_path)] if immutable else [str(db_path)]
    return ["serve", *db_args, "--metadata", metadata_path, "--plugins-dir", str(PLUGINS_DIR),
            "--host", host, "--port", str(port), "--setting", "default_page_size", "50"]


def run_datasette(db_path: str, port: int, host: str = "127.0.0.1") -> int:
    """Serve in this process until Ctrl-C or SIGTERM; returns the exit code.

    In-process, so no child can outlive us holding the port. uvicorn catches SIGTERM, shuts down,
    then re-raises it: our handler turns that into a normal exit, so the temporary metadata
    folder is removed on the way out."""
    import signal
    import tempfile

    from datasette.cli import cli as datasette_cli

    from pipelines.schema import connect
    from provnews.dbfile import writable

    path = Path(db_path)
    immutable = not writable(path)
    if not immutable:
        connect(path).conn.close()  # an older database gets the views and tables browsed here

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    with tempfile.TemporaryDirectory(prefix="provnews-serve-") as tmp:
        meta = write_metadata(db_path, Path(tmp) / "metadata.json")
        try:
            datasette_cli.main(args=datasette_args(db_path, port, meta, host, immutable),
                               prog_name="datasette", standalone_mode=False)
        except (KeyboardInterrupt, SystemExit) as e:
            return e.code if isinstance(e, SystemExit) and isinstance(e.code, int) else 0
    return 0


def write_metadata(db_path: str, path: Path) -> str:
    path.write_text(json.dumps(metadata(Path(db_path).stem), ensure_ascii=False, indent=1), encoding="utf-8")
    return str(path)
