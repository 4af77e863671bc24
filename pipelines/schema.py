"""The database's shape: connections, tables and the migrations that build them.

Each migration upgrades the schema by one version, in place, inside one transaction; `connect`
runs whichever are missing, so a database from an older provnews opens and upgrades itself.
`meta.schema_version` records where a database stands.
"""
from __future__ import annotations

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


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    if "meta" not in db.table_names():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the missing migrations in order; returns the version reached."""
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise RuntimeError(f"database schema {current} is newer than this provnews ({SCHEMA_VERSION})")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        with db.conn:
            MIGRATIONS[version - 1](db)
            db["meta"].upsert({"key": "schema_version", "value": str(version)}, pk="key")
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
