"""The database's shape: connections, tables and the migrations that build them.

Each migration upgrades the schema by one version, in place, inside one transaction; `connect`
runs whichever are missing, so a database from an older provnews opens and upgrades itself.
`meta.schema_version` records where a database stands.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Callable

import sqlite_utils

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


def _v1(db: sqlite_utils.Database) -> None:
    """pages, articles, crawl_runs, meta."""
    db["pages"].create(PAGES_COLUMNS, pk="url", not_null={"site"}, if_not_exists=True)
    db["pages"].create_index(["site", "fetched_at"], if_not_exists=True)
    db["articles"].create(ARTICLES_COLUMNS, pk="url", not_null={"site"}, if_not_exists=True)
    db["articles"].create_index(["site", "published_at"], if_not_exists=True)
    db["articles"].create_index(["fingerprint"], if_not_exists=True)
    db["articles"].create_index(["canonical_url"], if_not_exists=True)
    db["crawl_runs"].create(CRAWL_RUNS_COLUMNS, pk="id", if_not_exists=True)
    db["crawl_runs"].create_index(["site", "started_at"], if_not_exists=True)
    db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)


def _v2(db: sqlite_utils.Database) -> None:
    """frontier (discovered, not yet stored article URLs) and validators (ETag/Last-Modified)."""
    db["frontier"].create({
        "url": str, "site": str, "list_hint": str, "via": str, "discovered_at": str,
        "attempts": int,
    }, pk="url", not_null={"site"}, defaults={"attempts": 0}, if_not_exists=True)
    db["frontier"].create_index(["site"], if_not_exists=True)
    db["validators"].create({
        "url": str, "site": str, "etag": str, "last_modified": str, "checked_at": str,
    }, pk="url", if_not_exists=True)


def _v3(db: sqlite_utils.Database) -> None:
    """Search, syndication clusters and views: articles.cluster_id / duplicate_of, MinHash
    signatures with their LSH bands, the FTS5 index (see pipelines/fulltext.py), and views for
    common downstream queries. Existing articles are indexed and clustered here, in place."""
    if "list_hint" not in db["pages"].columns_dict:  # re-ingest needs the list page's date too
        db["pages"].add_column("list_hint", str)
    cols = db["articles"].columns_dict
    for col in ("cluster_id", "duplicate_of"):
        if col not in cols:
            db["articles"].add_column(col, str)
    db["articles"].create_index(["cluster_id"], if_not_exists=True)
    db["article_minhash"].create({"url": str, "sig": bytes}, pk="url", if_not_exists=True)
    db["lsh_bands"].create({"band": int, "hash": int, "url": str}, if_not_exists=True)
    db["lsh_bands"].create_index(["band", "hash"], if_not_exists=True)
    db["lsh_bands"].create_index(["url"], if_not_exists=True)
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
               "title_bi, body_bi, title_uni, body_uni, tokenize = 'unicode61 remove_diacritics 0')")
    from pipelines.index import index_and_cluster  # the crawl's own code (imported late: numpy)

    for url, in db.execute("SELECT url FROM articles ORDER BY rowid").fetchall():
        index_and_cluster(db, url)


VIEWS = {
    "latest_articles": """SELECT site, published_at, title, source, substr(body, 1, 120) AS excerpt, url
        FROM articles WHERE body_chars > 0 AND duplicate_of IS NULL
        ORDER BY coalesce(published_at, fetched_at) DESC""",
    "daily_counts": """SELECT site, published_day AS day, count(*) AS articles,
        sum(duplicate_of IS NOT NULL) AS syndicated_copies
        FROM articles WHERE published_at IS NOT NULL GROUP BY site, day""",
    "syndication_clusters": """SELECT a.cluster_id, o.title, count(*) AS copies,
        group_concat(a.site, ',') AS sites, min(a.published_at) AS first_published
        FROM articles a JOIN articles o ON o.url = a.cluster_id
        WHERE a.cluster_id IS NOT NULL GROUP BY a.cluster_id""",
    "site_health": """SELECT p.site, count(*) AS pages, sum(p.error IS NOT NULL) AS page_errors,
        count(a.url) AS articles, sum(a.url IS NOT NULL AND a.published_at IS NULL) AS undated,
        sum(a.body_chars = 0) AS empty,
        max(p.fetched_at) AS last_fetch
        FROM pages p LEFT JOIN articles a ON a.url = p.url GROUP BY p.site""",
    "articles_view": """SELECT a.url, a.site, s.name AS site_name, s.province,
        s.city, a.published_day AS day, a.published_at, a.title, a.author, a.source,
        a.editor, a.body, a.body_chars, a.cluster_id, a.duplicate_of
        FROM articles a LEFT JOIN sites s ON s.id = a.site""",
}


def _v4(db: sqlite_utils.Database) -> None:
    """sites (from the registry, refreshed at each crawl) and articles_view: articles with their
    province, city and publication day, for browsing and facets."""
    db["sites"].create({"id": str, "name": str, "province": str, "city": str, "kind": str,
                        "verified": int}, pk="id", if_not_exists=True)


def _v5(db: sqlite_utils.Database) -> None:
    """crawl_runs.round and .nodes: a shared crawl (several crawler nodes, one writer) records one
    row per site and round, which its nodes' reports add up to."""
    db["crawl_runs"].add_column("round", str)
    db["crawl_runs"].add_column("nodes", int)
    db["crawl_runs"].create_index(["site", "round"], if_not_exists=True)


def _site_templates(db: sqlite_utils.Database) -> None:
    """site_templates: the URL templates discovery learnt per site (crawler/learnt.py)."""
    db["site_templates"].create({
        "site": str, "template": str, "kind": str, "articles": int, "lists": int, "fetched": int,
        "example": str, "updated_at": str,
    }, pk=("site", "template"), if_not_exists=True)


def _site_lines(db: sqlite_utils.Database) -> None:
    """site_lines: per site, the text lines seen on most of its stored pages (pipelines/site_lines.py)."""
    db["site_lines"].create({"site": str, "line": str, "pages": int, "updated_at": str},
                            pk=("site", "line"), if_not_exists=True)


def _cluster_splits(db: sqlite_utils.Database) -> None:
    """cluster_splits: pairs of articles a user split apart (`provnews clusters split`), which every
    later clustering decision, re-ingest included, keeps apart. A database with articles clustered
    by an older rule is left without meta.cluster_rule, so the next re-ingest re-evaluates them."""
    db["cluster_splits"].create({"url": str, "other": str}, pk=("url", "other"), if_not_exists=True)
    db["cluster_splits"].create_index(["other"], if_not_exists=True)
    if not db.execute("SELECT 1 FROM articles LIMIT 1").fetchone():
        from pipelines.clusters import CLUSTER_RULE

        db["meta"].upsert({"key": "cluster_rule", "value": CLUSTER_RULE}, pk="key")


def _published_day(db: sqlite_utils.Database) -> None:
    """articles.published_day: the publication day in China Standard Time (YYYY-MM-DD), because
    SQLite's date(published_at) converts +08:00 to UTC and moves stories published before 08:00 to
    the previous day. Back-filled here from published_at; pipelines/store.py fills it on every write."""
    if "published_day" not in db["articles"].columns_dict:
        db["articles"].add_column("published_day", str)
    db.execute("UPDATE articles SET published_day = date(published_at, '+8 hours') "
               "WHERE published_at IS NOT NULL")
    db["articles"].create_index(["site", "published_day"], if_not_exists=True)


# columns of extraction beside title/body (pipelines/extract ARTICLE_KEYS), added by _extract_fields
EXTRACT_FIELDS = ("kicker", "subtitle", "original_title", "doc_number", "issuer")


def _extract_fields(db: sqlite_utils.Database) -> None:
    """articles.kicker, .subtitle, .original_title, .doc_number, .issuer: the lines printed around a
    story that extraction keeps out of its body (引题, 副题, 原标题) and a government document's
    文号 and 发文机关. Older rows hold null until a re-ingest fills them."""
    cols = db["articles"].columns_dict
    for col in EXTRACT_FIELDS:
        if col not in cols:
            db["articles"].add_column(col, str)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5, _site_templates, _cluster_splits,
                                                             _published_day, _extract_fields, _site_lines]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    if "meta" not in db.table_names():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def views_digest() -> str:
    """A fingerprint of the VIEWS this provnews defines: a database whose views were made from
    another set is brought up to date on open, so a view change needs no migration."""
    return hashlib.sha1(json.dumps(VIEWS, sort_keys=True).encode()).hexdigest()


def refresh_views(db: sqlite_utils.Database) -> None:
    """Drop and re-create every view in VIEWS (views hold no data, so this loses nothing)."""
    with db.conn:
        for view in VIEWS:
            db.execute(f"DROP VIEW IF EXISTS {view}")
        for view, sql in VIEWS.items():
            db.execute(f"CREATE VIEW {view} AS {sql}")
        db["meta"].upsert({"key": "views_digest", "value": views_digest()}, pk="key")


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the missing migrations in order, then re-create the views if they are stale;
    returns the version reached."""
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise RuntimeError(f"database schema {current} is newer than this provnews ({SCHEMA_VERSION})")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        with db.conn:
            MIGRATIONS[version - 1](db)
            db["meta"].upsert({"key": "schema_version", "value": str(version)}, pk="key")
    row = db.execute("SELECT value FROM meta WHERE key = 'views_digest'").fetchone()
    if row is None or row[0] != views_digest():
        refresh_views(db)
    return SCHEMA_VERSION


def _deny_attach(action: int, *args) -> int:
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and args[0] == "query_only":
        return sqlite3.SQLITE_DENY  # no turning query_only back off
    return sqlite3.SQLITE_OK


def connect(path: str | Path, readonly: bool = False) -> sqlite_utils.Database:
    """Open the database (creating and upgrading it); read-only at the SQLite level when asked."""
    path = Path(path)
    if readonly:
        if not path.exists():
            raise FileNotFoundError(f"no database at {path}")
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=30)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as e:  # WAL in a directory we cannot write (no -shm)
            if "unable to open" not in str(e) and "readonly" not in str(e):
                raise
            conn.close()  # read the file as it is on disk: nobody can be writing it
            conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro&immutable=1", uri=True, timeout=30)
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
    migrate(db)
    return db


def filters(site: str | None = None, since: str | None = None, where: str | None = None,
            since_column: str = "published_at", alias: str = "") -> tuple[list[str], list]:
    """SQL conditions and parameters for the CLI's common --site / --since / --where options."""
    prefix = f"{alias}." if alias else ""
    conds, params = [], []
    if site:
        conds.append(f"{prefix}site = ?")
        params.append(site)
    if since:
        conds.append(f"{prefix}{since_column} >= ?")
        params.append(since)
    if where:
        conds.append(f"({where})")
    return conds, params
