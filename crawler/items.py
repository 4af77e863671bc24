"""The item that flows from the spider into pipelines/.

A Page is a plain dict so that the pure pipeline functions, the re-ingest and `provnews extract`
share one shape without Scrapy: url, final_url, status, headers (str -> str), body (bytes),
fetched_at (ISO UTC), site, list_hint ({"text", "date"} from the list page, or {}), error.
Stages add their outputs to the same dict; keys starting with "_" are transient (never stored).
"""
from __future__ import annotations

from datetime import datetime, timezone


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def new_page(url: str, *, site: str, body: bytes = b"", status: int | None = 200,
             final_url: str | None = None, headers: dict | None = None,
             fetched_at: str | None = None, list_hint: dict | None = None,
             error: str | None = None) -> dict:
    return {
        "url": url,
        "final_url": final_url or url,
        "status": status,
        "headers": headers or {},
        "body": body,
        "fetched_at": fetched_at or utc_now_iso(),
        "site": site,
        "list_hint": list_hint or {},
        "error": error,
    }
