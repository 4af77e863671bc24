"""Crawler side of a shared crawl: every fetched page goes to the writer's Redis stream.

A crawler node has no database. Its only item pipeline puts the raw page (zlib-compressed bytes
plus metadata) on the ``provnews:pages`` stream, where `provnews ingest-worker` reads it through a
consumer group and runs decode → extract → dates → dedup → store. The XADD and the frontier/seen
updates that say "this URL is no longer ours to fetch" are one MULTI/EXEC: a node killed at any
point leaves the URL either in the frontier (fetched again) or in the stream (stored), never
neither.
"""
from __future__ import annotations

import json
import zlib

from crawler.shared_frontier import STREAM, RedisState, seen_value
from pipelines.dedup import canonical_url
from pipelines.page import MAX_ATTEMPTS

TEXT_FIELDS = ("url", "final_url", "site", "fetched_at", "error", "round", "node")
# entries the writer could not store after PROVNEWS_INGEST_DEAD_AFTER deliveries (each one ended
# with the writer process dying): kept here, with why, until `provnews ingest-worker --retry-dead`
DEAD_STREAM = f"{STREAM}:dead"
DEAD_FIELDS = (b"dead_id", b"dead_deliveries", b"dead_at")  # added to the entry's own fields


def encode_page(page: dict, round_id: str | None = None, node: str | None = None) -> dict:
    """A page dict (pipelines/page.py) as stream fields."""
    fields: dict[str, str | bytes] = {"kind": "page", "body": zlib.compress(page.get("body") or b"", 6),
                                      "headers": json.dumps(page.get("headers") or {}, ensure_ascii=False),
                                      "list_hint": json.dumps(page.get("list_hint") or {}, ensure_ascii=False),
                                      "status": "" if page.get("status") is None else str(page["status"])}
    for name, value in {**page, "round": round_id, "node": node}.items():
        if name in TEXT_FIELDS and value is not None:
            fields[name] = value
    return fields


def decode_page(fields: dict[bytes, bytes]) -> dict:
    """Stream fields back into the page dict the pipelines take."""
    get = {k.decode(): v for k, v in fields.items()}
    page = {name: get[name].decode() for name in TEXT_FIELDS if name in get}
    page.setdefault("error", None)
    page["body"] = zlib.decompress(get["body"]) if get.get("body") else b""
    page["headers"] = json.loads(get.get("headers") or b"{}")
    page["list_hint"] = json.loads(get.get("list_hint") or b"{}")
    status = (get.get("status") or b"").decode()
    page["status"] = int(status) if status else None
    return page


class HandoffPipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        state: RedisState = self.crawler.spider.state
        r, k, url = state.r, state.k, item["url"]
        seen = seen_value(item)
        entry = None
        if seen is None:  # transient failure: stays in the frontier for the next round
            raw = r.hget(k["frontier"], url)
            entry = json.loads(raw) if raw else {"hint": item.get("list_hint") or {}, "attempts": 0}
            entry["attempts"] = entry.get("attempts", 0) + 1
            entry["failed_round"] = state.round
        with r.pipeline(transaction=True) as p:
            p.xadd(STREAM, encode_page(item, state.round, state.node))
            if entry is None:
                p.hdel(k["frontier"], url)
                p.hset(k["seen"], mapping={url: seen, canonical_url(url): seen})
            elif entry["attempts"] >= MAX_ATTEMPTS:
                p.hdel(k["frontier"], url)
            else:
                p.hset(k["frontier"], url, json.dumps(entry, ensure_ascii=False))
            p.execute()
        stats = self.crawler.stats
        stats.inc_value("provnews/pages_fetched")
        if item.get("error"):
            stats.inc_value("provnews/articles_error")
        item["body"] = b""  # the item lives on in signals; the stream has the bytes
        return item
