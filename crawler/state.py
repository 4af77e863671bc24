"""What a crawl knows from earlier runs, kept in the database itself (no side files to drift):
which article URLs are stored (so they are not fetched again), which are discovered but not yet
stored (the frontier: a killed run's unfinished work), and list-page validators (ETag,
Last-Modified) for conditional requests.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from pipelines.dedup import canonical_url
from pipelines.page import is_transient, utc_now_iso
from pipelines.schema import connect


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The request headers that make a list page answer 304 when it has not changed."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


class CrawlState:
    def __init__(self, db_path: str, site_id: str, refresh: bool = False,
                 refresh_after: int | None = None):
        self.db = connect(db_path)
        self._new_validators: dict[str, tuple[str | None, str | None]] = {}
        self.site_id = site_id
        self.refresh = refresh
        self.refresh_after = refresh_after
        # article requests skip Scrapy's dupefilter (so a redirect loop ends in an error we can
        # record instead of a silent drop); this set keeps each article to one request per run
        self._claimed: set[str] = set()
        self._list_pages = 0

    def claim(self, url: str, entry: dict | None = None) -> bool:
        """True the first time an article URL is asked for in this run; the first claim also puts
        ``entry`` ({"hint", "via"}) in the frontier before the URL is requested."""
        if url in self._claimed:
            return False
        self._claimed.add(url)
        if entry is not None:
            self.remember(url, entry["hint"], entry["via"])
        return True

    def count_list_page(self) -> int:
        self._list_pages += 1
        return self._list_pages

    def list_pages_counted(self) -> int:
        return self._list_pages

    def list_done(self, url: str | None) -> None:
        """A list request is settled (the shared crawl's RedisState tracks these; one process
        loses nothing by forgetting them)."""

    def close(self, finished: bool = False) -> None:
        """End of the run; a finished run's list validators are committed first."""
        if finished:
            self.commit_validators()
        self.db.conn.close()

    def is_stored(self, url: str) -> bool:
        """Stored already (by URL or canonical URL) and not due for a refresh; or failed for good
        (404, 410, not HTML, forbidden by robots.txt). Transient failures are tried again."""
        if self.refresh:
            return False
        failed = self.db.execute("SELECT status, error FROM pages WHERE url = ? AND error IS NOT NULL",
                                 [url]).fetchone()
        if failed and not is_transient({"status": failed[0], "error": failed[1]}):
            return True
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
        return conditional_headers(*(row or (None, None)))

    def save_validators(self, url: str, etag: str | None, last_modified: str | None,
                        settles: str | None = None) -> None:
        """Remember a list page's validators; they are committed only when the run finishes
        (commit_validators). A run killed half-way must not leave a 304 in front of list pages
        whose pagination it never followed. (``settles``: RedisState's; one process needs it not.)"""
        if etag or last_modified:
            self._new_validators[url] = (etag, last_modified)

    def commit_validators(self) -> None:
        now = utc_now_iso()
        with self.db.conn:
            self.db["validators"].upsert_all(
                [{"url": u, "site": self.site_id, "etag": e, "last_modified": lm, "checked_at": now}
                 for u, (e, lm) in self._new_validators.items()], pk="url")
        self._new_validators.clear()
