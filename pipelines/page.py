"""The page and the article: the two shapes every stage, the store and the crawler share.

A page is a plain dict (so it pickles to the stage workers and crosses the Redis stream as it is),
described here as a TypedDict so that every key is named in one place. The spider (or an import,
a re-ingest, `provnews extract`, the shared crawl's writer) builds it with ``new_page``; the stages
add their outputs to it; the store writes it. Keys starting with ``_`` never leave the process.

Fetched, set by whoever builds the page (``new_page``):
    url, final_url, status, headers (str → str), body (bytes), fetched_at (ISO UTC), site,
    list_hint ({"text", "date"} from the list page, or {}), error (None, or why it failed)
Added by the stages (pipelines/decode, extract, dates, dedup) and the stage runner:
    html, encoding (decode); article (extract, dates, dedup fill it); _tree (extract's parse,
    reused by dates and dedup, dropped before a page leaves a worker); minhash (dedup's signature
    bytes, or None); fts (the search-index tokens); body_size and _body_z (the body compressed
    by a worker, so the writer does not compress)
Carried by the callers:
    _compressed (re-ingest: body is the stored, compressed one), stored_error (re-ingest: the error
    stored before, cleared when the page now succeeds), round and node (a shared crawl's page)
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional, TypedDict

# a URL failing transiently (timeouts, 5xx, 429) is tried on this many runs (single machine: the
# frontier's attempts; shared crawl: rounds), then dropped
MAX_ATTEMPTS = 3


class Article(TypedDict, total=False):
    """What the stages find in a page: the articles row without the page's own columns."""

    title: str
    body: str
    author: str
    source: str
    editor: str
    kicker: str
    subtitle: str
    original_title: str
    doc_number: str
    issuer: str
    published_at: Optional[str]  # ISO 8601 with offset
    published_precision: Optional[str]  # second / minute / day / month
    published_source: Optional[str]  # where the date was found (pipelines/dates/choose.py)
    canonical_url: str
    fingerprint: str


class Page(TypedDict, total=False):
    """One fetched page on its way through the stages to the store (see the module docstring)."""

    url: str
    final_url: str
    status: Optional[int]
    headers: dict
    body: bytes
    fetched_at: str
    site: str
    list_hint: dict
    error: Optional[str]
    # the stages
    html: str
    encoding: str
    article: Article
    minhash: Optional[bytes]
    fts: tuple[str, str, str, str]
    body_size: int
    _body_z: bytes
    _tree: object  # lxml element
    # the callers
    _compressed: bool
    stored_error: Optional[str]
    round: str
    node: str


# keys that are never stored and never sent across a process boundary
TRANSIENT_KEYS = ("_tree", "html")


def utc_now_iso() -> str:
    """Now, in UTC, to the second, ISO 8601: the form of every stored timestamp."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def new_page(url: str, *, site: str, body: bytes = b"", status: int | None = 200,
             final_url: str | None = None, headers: dict | None = None,
             fetched_at: str | None = None, list_hint: dict | None = None,
             error: str | None = None) -> Page:
    """A page as the spider yields it: every fetched key present, none of the stages' yet."""
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


def is_transient(page: dict) -> bool:
    """A failure worth retrying on a later run: no response at all, 5xx, 429, 408."""
    error, status = page.get("error"), page.get("status")
    if not error:
        return False
    if status is None:  # timeouts, resets, DNS: but a robots.txt refusal is final
        return error.startswith("fetch:") and "robots" not in error.lower()
    return status in (408, 429) or status >= 500
