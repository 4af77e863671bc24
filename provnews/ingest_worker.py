"""The single writer of a shared crawl: drains the Redis pages stream into SQLite.

Crawler nodes (`provnews crawl --redis URL`) put raw pages on ``provnews:pages``. This worker reads
them through the consumer group ``writers``, runs decode → extract → dates → dedup → store on each,
and acknowledges an entry (XACK, then XDEL to free Redis memory) only after its page's transaction
has committed. A worker killed at any point finds its unacknowledged entries in its pending list
at the next start and stores them again; save_page's upserts make that harmless. Entries left
pending by another consumer name (a writer host that was replaced) are taken over after
PROVNEWS_INGEST_CLAIM_AFTER seconds.

A poison page (one that kills the writer process itself, not a stage, whose errors are caught) must
not wedge the stream: entries read again after a crash are taken one at a time, so only the entry
being written when the process died is delivered again, and one whose delivery count (kept by Redis
in the pending list) exceeds PROVNEWS_INGEST_DEAD_AFTER is moved to the dead-letter stream, stored
as a ``pages`` row with the error ``writer: poisoned after N deliveries``, and acknowledged.
`--retry-dead` puts them back on the stream after a fix.

It also tells the crawler nodes what the database knows: at start, every stored article URL (and
canonical URL) and every URL that failed for good goes into its site's ``seen`` hash, so an
incremental shared crawl skips them as the single-machine crawl does.
"""
from __future__ import annotations

import json
import os
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import redis

from crawler.handoff import DEAD_FIELDS, DEAD_STREAM, decode_page
from crawler.registry import load_registry
from crawler.shared_frontier import SEEN_SYNCED, STREAM, WRITERS_GROUP, connect_redis, keys
from pipelines.page import is_transient, utc_now_iso
from pipelines import runs
from pipelines.schema import connect
from pipelines.stage_pool import StagePool, run_stages
from pipelines.store import save_page


@dataclass
class IngestSummary:
    pages: int = 0
    outcomes: Counter = field(default_factory=Counter)  # new / updated / unchanged / error
    redelivered: int = 0  # entries read again after a crash (ours) or taken over (another's)
    dead: int = 0  # entries moved to the dead-letter stream
    retried: int = 0  # dead-letter entries put back on the stream (--retry-dead)
    runs: int = 0  # crawler nodes' end-of-round reports
    seen_synced: int = 0


def ensure_group(r: redis.Redis) -> None:
    try:
        r.xgroup_create(STREAM, WRITERS_GROUP, id="0", mkstream=True)
    except redis.ResponseError as e:
        if "BUSYGROUP" not in str(e):
            raise


def _epoch(iso: str | None) -> str:
    try:
        return str(int(datetime.fromisoformat(iso).timestamp())) if iso else "0"
    except ValueError:
        return "0"


def sync_seen(r: redis.Redis, db, batch: int = 2000) -> int:
    """Publish the database's stored and permanently failed URLs to each site's seen hash, and its
    list-page validators; then mark the sync done (nodes warn when they start a round before)."""
    n = 0
    rows = db.execute("SELECT site, url, canonical_url, fetched_at FROM articles")
    while chunk := rows.fetchmany(batch):
        with r.pipeline(transaction=False) as p:
            for site, url, canonical, fetched in chunk:
                mapping = {url: _epoch(fetched)}
                if canonical:
                    mapping[canonical] = mapping[url]
                p.hset(keys(site)["seen"], mapping=mapping)
                n += 1
            p.execute()
    rows = db.execute("SELECT site, url, etag, last_modified FROM validators")
    while chunk := rows.fetchmany(batch):  # list pages answered 304 last time stay conditional
        with r.pipeline(transaction=False) as p:
            for site, url, etag, last_modified in chunk:
                p.hsetnx(keys(site)["validators"], url, json.dumps([etag, last_modified]))
            p.execute()
    rows = db.execute("SELECT site, url, status, error FROM pages WHERE error IS NOT NULL")
    while chunk := rows.fetchmany(batch):
        with r.pipeline(transaction=False) as p:
            for site, url, status, error in chunk:
                if not is_transient({"status": status, "error": error}):
                    p.hset(keys(site)["seen"], url, "f")
                    n += 1
            p.execute()
    r.set(SEEN_SYNCED, utc_now_iso())
    return n


def _stages(args: tuple[dict, dict]) -> dict:
    """The pure stages (pipelines.stage_pool.run_stages), in a worker process with --jobs; the
    writer only inserts what comes back."""
    page, _ = args
    marker = os.environ.get("PROVNEWS_TEST_CRASH_MARKER")  # tests only: a page that kills the writer
    if marker and marker.encode() in page.get("body", b""):
        os._exit(70)
    return run_stages(args)


class IngestWorker:
    def __init__(self, redis_url: str, db_path: str | Path, sites_dir: str | Path,
                 consumer: str | None = None, batch: int = 32, claim_after: float = 60.0,
                 on_page: Callable[[dict, str], None] | None = None, jobs: int = 1,
                 dead_after: int = 3):
        self.r = connect_redis(redis_url)
        ensure_group(self.r)
        self.db = connect(db_path)
        registry = load_registry(sites_dir)
        self.sites = registry.sites
        self.consumer = consumer or f"writer@{socket.gethostname()}"
        self.batch = batch
        self.claim_after_ms = int(claim_after * 1000)
        self.dead_after = dead_after
        self.on_page = on_page
        self.summary = IngestSummary()
        self.pool = StagePool(jobs, stages=_stages)
        self.stopping = False
        self._sites_recorded: set[str] = set()

    # --- one entry ----------------------------------------------------------------------------
    def _rules(self, site_id: str) -> dict:
        site = self.sites.get(site_id)
        return site.rules() if site else {}

    def _store_page(self, page: dict) -> None:
        self._record_site(page["site"])
        outcome = save_page(self.db, page)
        canonical = (page.get("article") or {}).get("canonical_url")
        if canonical and outcome != "error":  # the page's own rel=canonical: seen as well
            self.r.hset(keys(page["site"])["seen"], canonical, _epoch(page.get("fetched_at")))
        runs.tally_page(self.db, page["site"], page.get("round") or "", page.get("fetched_at"), outcome)
        self.summary.pages += 1
        self.summary.outcomes[outcome] += 1
        if self.on_page:
            self.on_page(page, outcome)

    def _record_site(self, site_id: str) -> None:
        if site_id in self._sites_recorded:
            return
        self._sites_recorded.add(site_id)
        site = self.sites.get(site_id)
        if site is not None:
            runs.record_sites(self.db, [site])

    def _record_run(self, fields: dict) -> None:
        """A crawler node finished its part of a round: fold its report into the round's row."""
        runs.fold_node_report(self.db, json.loads(fields[b"run"]))
        self.summary.runs += 1

    def _record_validators(self, fields: dict) -> None:
        """List-page validators a finished round committed: kept in the database as well, as a
        single-machine crawl keeps them, so an emptied Redis is refilled from here."""
        site = fields[b"site"].decode()
        now = utc_now_iso()
        rows = [{"url": url, "site": site, "etag": json.loads(v)[0], "last_modified": json.loads(v)[1],
                 "checked_at": now} for url, v in json.loads(fields[b"validators"]).items()]
        with self.db.conn:
            self.db["validators"].upsert_all(rows, pk="url")

    # --- the stream ---------------------------------------------------------------------------
    def stage(self, entries: list) -> dict:
        """Start the pure stages of a batch's pages: futures on the pool (which works on them
        while the previous batch is written), or results at once without one."""
        staged = {}
        for entry_id, fields in entries:
            if fields and fields.get(b"kind") == b"page":
                args = (decode_page(fields), self._rules(fields[b"site"].decode()))
                staged[entry_id] = self.pool.submit(*args)
        return staged

    def commit(self, entries: list, staged: dict) -> int:
        """Write a staged batch in stream order (a node's report follows its pages), then
        acknowledge it: only after every page's transaction has committed."""
        done = []
        for entry_id, fields in entries:
            if fields:  # None: deleted before we read it (acknowledged elsewhere)
                kind = fields.get(b"kind")
                if kind == b"run":
                    self._record_run(fields)
                elif kind == b"validators":
                    self._record_validators(fields)
                elif entry_id in staged:
                    self._store_page(staged[entry_id].result())
            done.append(entry_id)
        if done:
            with self.r.pipeline() as p:
                p.xack(STREAM, WRITERS_GROUP, *done)
                p.xdel(STREAM, *done)
                p.execute()
        return len(done)

    def handle(self, entries: list) -> int:
        return self.commit(entries, self.stage(entries))

    def drain_own_pending(self) -> int:
        """Entries delivered to this consumer before a crash, never acknowledged: one at a time,
        so that a page which kills the process is the only one delivered again."""
        n = 0
        while True:
            resp = self.r.xreadgroup(WRITERS_GROUP, self.consumer, {STREAM: "0"}, count=1)
            entries = resp[0][1] if resp else []
            if not entries:
                return n
            n += self.handle(self.triage(entries))

    def take_over_stale(self) -> int:
        """Entries another consumer took and never acknowledged for claim_after: ours now."""
        n, start = 0, "0-0"
        while True:
            start, entries, *_ = self.r.xautoclaim(STREAM, WRITERS_GROUP, self.consumer,
                                                   self.claim_after_ms, start, count=self.batch)
            n += self.handle(self.triage(entries))
            if start in (b"0-0", "0-0") or not entries:
                return n

    def triage(self, entries: list) -> list:
        """The entries still worth writing; those delivered more than dead_after times (each
        delivery ended by the writer dying) go to the dead-letter stream instead."""
        if not entries:
            return entries
        ids = [e[0] for e in entries]
        counts = {p["message_id"]: p["times_delivered"] for p in self.r.xpending_range(
            STREAM, WRITERS_GROUP, min(ids), max(ids), len(ids) + 1, self.consumer)}
        live = []
        for entry_id, fields in entries:
            if fields and fields.get(b"kind") == b"page" and counts.get(entry_id, 0) > self.dead_after:
                self.bury(entry_id, fields, counts[entry_id] - 1)
            else:
                live.append((entry_id, fields))
        return live

    def bury(self, entry_id: bytes, fields: dict, deliveries: int) -> None:
        """Dead-letter one entry: a pages row says why, the dead stream keeps the entry, the main
        stream lets it go (recorded first, so a crash here loses nothing)."""
        error = f"writer: poisoned after {deliveries} deliveries"
        try:
            page = decode_page(fields)
        except Exception:  # noqa: BLE001 - an entry too broken to decode is recorded all the same
            page = {"url": (fields.get(b"url") or b"stream:" + entry_id).decode(errors="replace"),
                    "site": (fields.get(b"site") or b"unknown").decode(errors="replace")}
        page["error"] = error
        self._store_page(page)
        dead = {**{k: v for k, v in fields.items() if k not in DEAD_FIELDS},
                b"dead_id": entry_id, b"dead_deliveries": str(deliveries), b"dead_at": utc_now_iso()}
        with self.r.pipeline() as p:
            p.xadd(DEAD_STREAM, dead)
            p.xack(STREAM, WRITERS_GROUP, entry_id)
            p.xdel(STREAM, entry_id)
            p.execute()
        self.summary.dead += 1

    def retry_dead(self) -> int:
        """Put every dead-letter entry back on the stream (after a fix), as a new entry."""
        n = 0
        for entry_id, fields in self.r.xrange(DEAD_STREAM):
            with self.r.pipeline() as p:
                p.xadd(STREAM, {k: v for k, v in fields.items() if k not in DEAD_FIELDS})
                p.xdel(DEAD_STREAM, entry_id)
                p.execute()
            n += 1
        self.summary.retried += n
        return n

    def pending_count(self) -> int:
        return int(self.r.xpending(STREAM, WRITERS_GROUP)["pending"])

    def run(self, idle_exit: float | None = None, block_ms: int = 500) -> IngestSummary:
        """Drain until stopped; with idle_exit, until the stream has been empty that long."""
        self.summary.seen_synced = sync_seen(self.r, self.db)
        self.summary.redelivered += self.drain_own_pending()
        quiet_since = time.monotonic()
        last_claim = 0.0
        pending = None  # a batch read and staged, not yet written: the pool works ahead
        while not self.stopping:
            resp = self.r.xreadgroup(WRITERS_GROUP, self.consumer, {STREAM: ">"}, count=self.batch,
                                     block=None if pending else block_ms)
            entries = resp[0][1] if resp else []
            ahead = (entries, self.stage(entries)) if entries else None
            if pending:
                self.commit(*pending)
            pending = ahead
            if pending:
                quiet_since = time.monotonic()
                continue
            now = time.monotonic()
            if now - last_claim >= self.claim_after_ms / 1000 / 2:
                last_claim = now
                taken = self.take_over_stale()
                self.summary.redelivered += taken
                if taken:
                    quiet_since = now
                    continue
            if idle_exit is not None and now - quiet_since >= idle_exit and not self.pending_count():
                break
        if pending:  # stopped with a staged batch: write it (it is read, so it is ours to store)
            self.commit(*pending)
        return self.summary

    def close(self) -> None:
        self.pool.close()
        self.db.conn.close()
        self.r.close()
