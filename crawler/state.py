"""What a crawl knows from earlier runs, kept in the database itself (no side files to drift):
which article URLs are stored (so they are not fetched again), which are discovered but not yet
stored (the frontier: a killed run's unfinished work), and list-page validators (ETag,
Last-Modified) for conditional requests.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from crawler.items import utc_now_iso
from pipelines.dedup import canonical_url
from pipelines.schema import connect


class CrawlState:
    def __init__(self, db_path: str, site_id: str, refresh: bool = False,
                 refresh_after: int | None = None):
        self.db = connect(db_path)
        self.site_id = site_id
        self.refresh = refresh
        self.refresh_after = refresh_after

    def close(self) -> None:
        self.db.conn.close()

    def is_stored(self, url: str) -> bool:
        """Stored already (by URL or canonical URL) and not due for a refresh."""
        if self.refresh:
            return False
        row = self.db.execute(
            "SELECT max(fetched_at) FROM articles WHERE url = ? OR canonical_url = ?",
            [url, canonical_url(url)]).fetchone()
        if not row or row[0] is None:
            return False
        if self.refresh_after is None:
            return True
        fetched = datetime.fromisoformat(row[0])
        return datetime.now(timezone.utc) - fetched < timedelta(seconds=self.refresh_after)

    def remember(self, url: str, hint: dict, via: str) -> None:
        """Put a discovered article URL in the frontier before it is requested."""
        with self.db.conn:
            self.db.execute(
                "INSERT OR IGNORE INTO frontier (url, site, list_hint, via, discovered_at, attempts) "
                "VALUES (?, ?, ?, ?, ?, 0)",
                [url, self.site_id, json.dumps(hint, ensure_ascii=False), via, utc_now_iso()])

    def pending(self) -> list[tuple[str, dict]]:
        """Frontier entries of this site: discovered by an earlier run that did not store them."""
        rows = self.db.execute("SELECT url, list_hint FROM frontier WHERE site = ? ORDER BY discovered_at",
                               [self.site_id]).fetchall()
        return [(url, json.loads(hint or "{}")) for url, hint in rows]

    def validators(self, url: str) -> dict[str, str]:
        row = self.db.execute("SELECT etag, last_modified FROM validators WHERE url = ?", [url]).fetchone()
        headers = {}
        if row and row[0]:
            headers["If-None-Match"] = row[0]
        if row and row[1]:
            headers["If-Modified-Since"] = row[1]
        return headers

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        if not etag and not last_modified:
            return
        with self.db.conn:
            self.db["validators"].upsert({"url": url, "site": self.site_id, "etag": etag,
                                          "last_modified": last_modified,
                                          "checked_at": utc_now_iso()}, pk="url")
