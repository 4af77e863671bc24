"""The shared frontier of a multi-node crawl, kept in Redis (`provnews crawl --redis URL`).

Any number of crawler processes, on any number of hosts, crawl a site together. scrapy-redis gives
them one request queue and one dupefilter (list pages, sitemaps, feeds); this module adds what the
single-machine CrawlState (crawler/state.py) does from the database, since crawler nodes have no
database: which article URLs are stored, which are discovered but not yet handed to the writer,
list-page validators, and the round that all nodes of a site share.

A *round* is one pass over a site, started by the first node that finds none running; it lives as
long as some node refreshes it. The node that starts a round empties the previous round's queue,
dupefilter and claims, then seeds it. Article requests bypass the dupefilter (a redirect loop
must end in an error we record, not a silent drop), so each article URL is *claimed* once per
round instead, atomically with SADD.

Nothing is lost when a node dies: a discovered article stays in the ``frontier`` hash until its
page is in the writer's stream (crawler/handoff.py removes it in the same MULTI as the XADD).
When the queue is empty and every live node is idle, entries still in the frontier belong to dead
nodes, and one node puts them back in the queue.

Keys, under ``provnews:{site}:`` — queue, dupefilter (scrapy-redis); claimed (set); frontier
(hash url → json); seen (hash url → fetch epoch, or "f" for a permanent failure); validators
(hash url → json) and new_validators (the round's, committed once it is quiet); round, ready,
round_started, list_count, requeue_lock; nodes (set) and node:{id} (live-node marks that expire).
The pages stream is ``provnews:pages``.
"""
from __future__ import annotations

import json
import os
import socket
import time
import uuid

import redis
from scrapy_redis.scheduler import Scheduler

from crawler.state import conditional_headers
from pipelines.dedup import canonical_url
from pipelines.page import is_transient

PREFIX = "provnews"
STREAM = f"{PREFIX}:pages"
WRITERS_GROUP = "writers"
SEEN_SYNCED = f"{PREFIX}:seen_synced"  # set by the writer once the database's URLs are published
ROUND_TTL = 30  # s a round outlives its last live node; a new batch starts a new round after it
NODE_TTL = 5  # s a node counts as alive after its last heartbeat (heartbeats every HEARTBEAT s)
HEARTBEAT = 1.0
MAX_REQUEUES = 3  # times one round puts back an orphan, so a page that kills nodes cannot loop


def keys(site_id: str) -> dict[str, str]:
    base = f"{PREFIX}:{site_id}:"
    names = ("queue", "dupefilter", "claimed", "lists", "frontier", "seen", "validators", "new_validators",
             "round", "ready", "round_started", "list_count", "requeue_lock", "restart_lock", "requeues", "nodes",
             "gate")
    return {n: base + n for n in names}


def connect_redis(url: str) -> redis.Redis:
    """A client for URL (redis://host:port/db), checked with PING so a typo fails at once."""
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30,
                                  health_check_interval=30)
    client.ping()
    return client


_NODE_CLIENTS: dict[str, redis.Redis] = {}


def node_client(url: str) -> redis.Redis:
    """One client (one connection pool) per Redis URL per crawler process, shared by every site's
    state, scheduler and dupefilter: a node crawling 500 sites keeps a handful of connections,
    not 1,500. Everything runs in the reactor thread, so the pool stays small."""
    if url not in _NODE_CLIENTS:
        _NODE_CLIENTS[url] = connect_redis(url)
    return _NODE_CLIENTS[url]


class SharedClients:
    """scrapy-redis's client factory (REDIS_PARAMS redis_cls): hands out node_client."""

    @classmethod
    def from_url(cls, url: str, **_params) -> redis.Redis:
        return node_client(url)


def node_name() -> str:
    """host:pid:random — unique per process, readable in `redis-cli smembers ...:nodes`."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def seen_value(page: dict) -> str | None:
    """What ``seen`` records for a handed-off page, or None when it must be tried again."""
    if is_transient(page):
        return None
    return "f" if page.get("error") else str(int(time.time()))


# compare-and-delete: never end a round another node has started meanwhile
_DELETE_IF_EQUAL = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


# SADD the claim; only the claiming node writes the frontier entry (HSETNX keeps an older one)
_CLAIM = """if redis.call('sadd', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] ~= '' then redis.call('hsetnx', KEYS[2], ARGV[1], ARGV[2]) end
return 1"""

# move a quiet round's list validators to the site's, and to the writer, in one step: the node
# that fetched a list page is often not the one that finds the round over
_COMMIT_VALIDATORS = """local flat = redis.call('hgetall', KEYS[1])
if #flat == 0 then return 0 end
local mapping = {}
for i = 1, #flat, 2 do
  redis.call('hset', KEYS[2], flat[i], flat[i + 1])
  mapping[flat[i]] = flat[i + 1]
end
redis.call('del', KEYS[1])
redis.call('xadd', KEYS[3], '*', 'kind', 'validators', 'site', ARGV[1], 'validators', cjson.encode(mapping))
return #flat / 2"""


class RedisState:
    """CrawlState's interface over Redis, for one site on one crawler node."""

    def __init__(self, client: redis.Redis, site_id: str, refresh: bool = False,
                 refresh_after: int | None = None, node: str | None = None):
        self.r = client
        self.site_id = site_id
        self.k = keys(site_id)
        self.refresh = refresh
        self.refresh_after = refresh_after
        self.node = node or node_name()
        self.round: str | None = None
        self.busy = True
        self._unsettled: dict[str, tuple[str, str | None, str | None]] = {}  # list key → validators

    # --- rounds and liveness ------------------------------------------------------------------
    def join_round(self, timeout: float = 10.0) -> bool:
        """Join the site's running round, or start one. True when this node started it (and so
        must seed it)."""
        deadline = time.monotonic() + timeout
        while True:
            rid = uuid.uuid4().hex[:12]
            if self.r.set(self.k["round"], rid, nx=True, ex=ROUND_TTL):
                with self.r.pipeline() as p:  # nobody is alive in the old round: start clean
                    p.delete(self.k["queue"], self.k["dupefilter"], self.k["claimed"], self.k["lists"],
                             self.k["list_count"], self.k["requeues"],
                             self.k["new_validators"])  # a dead round's are unproven
                    p.set(self.k["round_started"], int(time.time()))
                    p.set(self.k["ready"], rid)
                    p.execute()
                self.round = rid
                self.heartbeat()
                return True
            current, ready = self.r.mget(self.k["round"], self.k["ready"])
            if current is not None and current == ready:
                self.round = current.decode()
                self.heartbeat()
                return False
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.site_id}: round {current!r} never became ready")
            time.sleep(0.02)  # the starter is clearing the old round's keys: milliseconds

    def new_round(self) -> bool:
        """Service mode: start the next round once this one is quiet (one node wins the lock).
        True when this node started it and must seed it."""
        # the lock covers the moment two quiet nodes both see the round's age pass `every`; after
        # it, round_started is new and nobody else wants a new round for `every` seconds
        if not self.r.set(self.k["restart_lock"], self.node, nx=True, ex=1):
            return False
        self.commit_validators()  # the quiet round's, whichever node fetched its list pages
        rid = uuid.uuid4().hex[:12]
        with self.r.pipeline() as p:
            p.delete(self.k["dupefilter"], self.k["claimed"], self.k["lists"], self.k["list_count"],
                     self.k["requeues"], self.k["new_validators"])
            p.set(self.k["round"], rid, ex=ROUND_TTL)
            p.set(self.k["round_started"], int(time.time()))
            p.set(self.k["ready"], rid)
            p.execute()
        self.round = rid
        return True

    def round_age(self) -> float:
        return time.time() - int(self.r.get(self.k["round_started"]) or 0)

    def follow_round(self) -> None:
        """Another node may have started the next round: take its id."""
        current = self.r.get(self.k["round"])
        if current is not None:
            self.round = current.decode()

    def heartbeat(self) -> None:
        """Keep this node marked alive and the round going; called every HEARTBEAT seconds."""
        with self.r.pipeline() as p:
            p.set(self._node_key(self.node), "busy" if self.busy else "idle", ex=NODE_TTL)
            p.sadd(self.k["nodes"], self.node)
            p.expire(self.k["round"], ROUND_TTL)
            p.execute()

    def _node_key(self, node: str) -> str:
        return f"{PREFIX}:{self.site_id}:node:{node}"

    def set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.heartbeat()

    def live_nodes(self) -> dict[str, str]:
        """node → busy/idle for the nodes still alive; forgets the dead ones."""
        members = [m.decode() for m in self.r.smembers(self.k["nodes"])]
        if not members:
            return {}
        marks = self.r.mget([self._node_key(m) for m in members])
        dead = [m for m, v in zip(members, marks) if v is None]
        if dead:
            self.r.srem(self.k["nodes"], *dead)
        return {m: v.decode() for m, v in zip(members, marks) if v is not None}

    def leave(self, round_over: bool = False) -> None:
        """Drop this node's marks. The last node out of a finished round ends it, so the next
        batch starts a fresh round at once instead of after ROUND_TTL."""
        with self.r.pipeline() as p:
            p.delete(self._node_key(self.node))
            p.srem(self.k["nodes"], self.node)
            p.execute()
        if round_over and self.round and not self.live_nodes():
            self.r.eval(_DELETE_IF_EQUAL, 1, self.k["round"], self.round)

    def queue_length(self) -> int:
        return int(self.r.zcard(self.k["queue"]))

    def round_quiet(self) -> bool:
        """No queued request and no live node at work: the round has nothing in flight."""
        if self.queue_length():
            return False
        return all(state == "idle" for state in self.live_nodes().values())

    def orphans(self) -> list[tuple[str, dict]]:
        """Frontier entries of a quiet round: discovered, never handed off, by a node now dead.
        Entries that failed transiently this round, or were put back MAX_REQUEUES times, wait
        for the next round."""
        entries = self.r.hgetall(self.k["frontier"])
        if not entries:
            return []
        urls = list(entries)
        requeued = self.r.hmget(self.k["requeues"], urls)
        out = []
        for url, n in zip(urls, requeued):
            entry = json.loads(entries[url])
            if entry.get("failed_round") != self.round and int(n or 0) < MAX_REQUEUES:
                out.append((url.decode(), entry.get("hint") or {}))
        return out

    def orphan_lists(self) -> list[tuple[str, str]]:
        """(url, callback name) of list requests of a quiet round never settled: their node died
        between taking them and yielding their links."""
        entries = self.r.hgetall(self.k["lists"])
        if not entries:
            return []
        urls = list(entries)
        requeued = self.r.hmget(self.k["requeues"], urls)
        return [(u.decode(), entries[u].decode()) for u, n in zip(urls, requeued)
                if int(n or 0) < MAX_REQUEUES]

    def list_queued(self, url: str, callback: str) -> None:
        self.r.hset(self.k["lists"], url, callback)

    def list_done(self, url: str | None) -> None:
        """A list request is settled: everything its page yields is queued or claimed. Its
        validators become the round's in the same step, never before: a node that dies before
        this point takes them with it, and the page is put back and asked for whole."""
        if not url:
            return
        pending = self._unsettled.pop(url, None)
        with self.r.pipeline() as p:
            p.hdel(self.k["lists"], url)
            if pending:
                p.hset(self.k["new_validators"], pending[0], json.dumps(pending[1:]))
            p.execute()

    def requeue(self, urls: list[str]) -> list[str]:
        """The orphans this node may put back (one node at a time; MAX_REQUEUES per URL)."""
        if not urls or not self.r.set(self.k["requeue_lock"], self.node, nx=True, ex=5):
            return []
        with self.r.pipeline() as p:
            for url in urls:
                p.hincrby(self.k["requeues"], url, 1)
            counts = p.execute()
        return [u for u, n in zip(urls, counts) if n <= MAX_REQUEUES]

    # --- CrawlState's interface ---------------------------------------------------------------
    def close(self, finished: bool = False) -> None:
        """This node is done with the site; a finished node commits the round's validators and,
        if it is the last one out, ends the round."""
        if finished:
            self.commit_validators()
        self.leave(round_over=finished)

    def is_stored(self, url: str) -> bool:
        if self.refresh:
            return False
        values = [v for v in self.r.hmget(self.k["seen"], [url, canonical_url(url)]) if v is not None]
        if not values:
            return False
        if b"f" in values or self.refresh_after is None:
            return True
        newest = max(int(v) for v in values)
        return time.time() - newest < self.refresh_after

    def claim(self, url: str, entry: dict | None = None) -> bool:
        """True for the one node that requests this article in this round. The claim and the
        frontier entry are one atomic step: a node dying between them can neither leave a
        claimed URL that nobody will put back, nor put back a URL already handed off."""
        frontier_entry = json.dumps({**entry, "attempts": 0}, ensure_ascii=False) if entry else ""
        return bool(self.r.eval(_CLAIM, 2, self.k["claimed"], self.k["frontier"], url, frontier_entry))

    def pending(self) -> list[tuple[str, dict]]:
        return self.orphans()

    def count_list_page(self) -> int:
        """List pages requested in this round by all nodes together (max_list_pages is per round)."""
        return int(self.r.incr(self.k["list_count"]))

    def list_pages_counted(self) -> int:
        return int(self.r.get(self.k["list_count"]) or 0)

    def validators(self, url: str) -> dict[str, str]:
        raw = self.r.hget(self.k["validators"], url)
        return conditional_headers(*json.loads(raw)) if raw else {}

    def save_validators(self, url: str, etag: str | None, last_modified: str | None,
                        settles: str | None = None) -> None:
        """Kept as the round's (in Redis), not this node's: any node may find the round over.
        ``settles``: the list request whose callback is still yielding; its validators wait in
        this node until list_done."""
        if not (etag or last_modified):
            return
        if settles:
            self._unsettled[settles] = (url, etag, last_modified)
        else:
            self.r.hset(self.k["new_validators"], url, json.dumps((etag, last_modified)))

    def commit_validators(self) -> None:
        """Called by a node that finds the round quiet: with the frontier empty too, no list
        page's links can be lost behind a later 304. Also sent to the writer, so the database
        stays the durable copy (Redis may be emptied)."""
        if not self.orphans() and not self.orphan_lists():
            self.r.eval(_COMMIT_VALIDATORS, 3, self.k["new_validators"], self.k["validators"], STREAM,
                        self.site_id)


def node_settings(site, settings, redis_url: str) -> dict:
    """The Scrapy settings that make a crawl of SITE one node of a shared crawl."""
    k = keys(site.id)
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    # last before the download: a request takes the site's global gate only when it really leaves
    middlewares["crawler.middlewares.SharedDelayMiddleware"] = 960
    delay = site.delay if site.delay is not None else settings.getfloat("DOWNLOAD_DELAY")
    return {
        "SCHEDULER": "crawler.shared_frontier.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": k["queue"],
        "SCHEDULER_DUPEFILTER_KEY": k["dupefilter"],
        "SCHEDULER_PERSIST": True,  # the queue is every node's: closing one node never flushes it
        "REDIS_URL": redis_url,
        "REDIS_PARAMS": {"redis_cls": "crawler.shared_frontier.SharedClients"},
        "ITEM_PIPELINES": {"crawler.handoff.HandoffPipeline": 100},  # the writer runs the stages
        # the site's delay is kept across nodes by SharedDelayMiddleware, not per process
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "PROVNEWS_SHARED_DELAY": delay,
        "DOWNLOADER_MIDDLEWARES": middlewares,
    }


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler, marking this node busy the moment it takes a request, so that a
    node looking for orphans never mistakes a request in flight for a lost one."""

    def enqueue_request(self, request) -> bool:
        queued = super().enqueue_request(request)
        state = getattr(self.spider, "state", None)
        key = request.meta.get("provnews_list")
        if queued and key and isinstance(state, RedisState):  # settled by the list callback
            state.list_queued(key, getattr(request.callback, "__name__", "parse_list"))
        return queued

    def next_request(self):
        request = super().next_request()
        state = getattr(self.spider, "state", None)
        if request is not None and isinstance(state, RedisState):
            state.set_busy(True)
        return request


def shared_status(client: redis.Redis) -> dict:
    """What a shared crawl is doing, read from Redis alone (`provnews shared-status`): per site,
    the round, its live nodes, the queue, the frontier and the seen set; and the writer's stream."""
    sites = sorted({k.decode().split(":")[1] for k in client.scan_iter(f"{PREFIX}:*:seen")}
                   | {k.decode().split(":")[1] for k in client.scan_iter(f"{PREFIX}:*:round")})
    out = {"sites": [], "stream": {"waiting": 0, "pending": 0, "consumers": []}}
    for site in sites:
        state = RedisState(client, site, node="shared-status")
        k = state.k
        round_id = client.get(k["round"])
        started = client.get(k["round_started"])
        nodes = state.live_nodes()
        out["sites"].append({
            "site": site, "round": round_id.decode() if round_id else None,
            "round_age_s": int(time.time() - int(started)) if round_id and started else None,
            "nodes_busy": sum(v != "idle" for v in nodes.values()),
            "nodes_idle": sum(v == "idle" for v in nodes.values()),
            "queued": client.zcard(k["queue"]), "frontier": client.hlen(k["frontier"]),
            "lists_open": client.hlen(k["lists"]), "seen": client.hlen(k["seen"]),
        })
    if client.exists(STREAM):
        out["stream"]["waiting"] = client.xlen(STREAM)
        try:
            groups = {g["name"].decode(): g for g in client.xinfo_groups(STREAM)}
        except redis.ResponseError:
            groups = {}
        if WRITERS_GROUP in groups:
            out["stream"]["pending"] = groups[WRITERS_GROUP]["pending"]
            out["stream"]["consumers"] = [
                {"name": c["name"].decode(), "pending": c["pending"], "idle_ms": c["idle"]}
                for c in client.xinfo_consumers(STREAM, WRITERS_GROUP)]
    return out
