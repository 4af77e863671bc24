"""The JSON contract of `provnews extract` and `provnews eval`: one object per page.

Keys (stable; evaluation tools rely on them): id or path, url, title, published (ISO 8601 with
+08:00, or null), published_precision (second/minute/day/month, or null), author, source, editor,
kicker, subtitle, original_title, doc_number, issuer (empty strings when absent), body (plain text,
one paragraph per line), and error only when a stage failed.
"""
from __future__ import annotations


EXTRACT_KEYS = ("title", "published", "published_precision", "author", "source", "editor", "kicker",
                "subtitle", "original_title", "doc_number", "issuer", "body")
# what the extract stage adds beside the headline and byline fields; copied as they are
EXTRA_KEYS = ("kicker", "subtitle", "original_title", "doc_number", "issuer")


def extract_one(body: bytes, url: str, fetched_at: str) -> dict:
    """The JSON contract of `provnews extract` (keys documented in the README)."""
    from pipelines.page import new_page
    from pipelines.stage_pool import run_stages  # the stages every other entry point runs

    page = run_stages((new_page(url or "", site="", body=body, fetched_at=fetched_at), {}))
    a = page.get("article") or {}
    out = {"url": url or None, "title": a.get("title"), "published": a.get("published_at"),
           "published_precision": a.get("published_precision"), "author": a.get("author"),
           "source": a.get("source"), "editor": a.get("editor"),
           **{k: a.get(k) for k in EXTRA_KEYS}, "body": a.get("body")}
    if page.get("error"):
        out["error"] = page["error"]
    return out


