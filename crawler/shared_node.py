"""This process's part in a shared crawl of one site: joining the round, staying alive in it,
putting back work that dead nodes dropped, and knowing when the round is over.

Scrapy closes a spider as soon as its own scheduler is empty; a node of a shared crawl must
instead wait while other nodes may still discover pages, so it answers spider_idle with
DontCloseSpider until the round has been quiet (empty queue, every live node idle, no orphans)
for --idle-exit seconds. Without --idle-exit it runs as a service and starts the site's next
round itself once the current one is quiet and older than the site's `every`.
"""
from __future__ import annotations

import json
import logging
import time

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from twisted.internet import task

from crawler.registry import default_every
from crawler.shared_frontier import HEARTBEAT, SEEN_SYNCED, STREAM, RedisState
from pipelines.page import utc_now_iso

logger = logging.getLogger(__name__)


class SharedNode:
    def __init__(self, spider, state: RedisState, idle_exit: float | str | None):
        self.spider = spider
        self.state = state
        self.idle_exit = float(idle_exit) if idle_exit not in (None, "") else None
        settings = spider.crawler.settings
        self.every = spider.site.every or default_every(settings)
        self.max_backlog = settings.getint("PROVNEWS_MAX_BACKLOG")
        self.paused = False
        self.started_at = utc_now_iso()
        self.quiet_since: float | None = None
        self.loop: task.LoopingCall | None = None
        spider.crawler.signals.connect(self.idle, signal=signals.spider_idle)

    @property
    def stats(self):
        return self.spider.crawler.stats

    def join(self) -> bool:
        """Join or start the site's round; True when this node must seed it."""
        starter = self.state.join_round()
        if starter and not self.state.r.exists(SEEN_SYNCED):
            logger.warning("%s: no ingest-worker has published the database's URLs to this Redis yet; "
                           "articles stored before may be fetched again (start the writer first)",
                           self.state.site_id)
        self.stats.set_value("provnews/round", self.state.round)
        self.stats.set_value("provnews/round_starter", starter)
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(HEARTBEAT, now=False)
        return starter

    def tick(self) -> None:
        try:
            self.state.heartbeat()
        except redis.RedisError as e:  # Redis away for a moment: the next tick tries again
            logger.warning("%s: heartbeat failed: %s", self.state.site_id, e)
            return
        self.backpressure()
        if not self.state.busy:  # an idle node polls the shared queue (Scrapy's own poll is 5 s)
            slot = getattr(self.spider.crawler.engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule()

    def backpressure(self) -> None:
        """Stop taking requests while the writer is PROVNEWS_MAX_BACKLOG pages behind (down, or
        slower than the nodes): Redis holds every page until it is stored, so an unbounded
        backlog would end in Redis running out of memory. Resume below 80 % of it."""
        try:
            backlog = self.state.r.xlen(STREAM)
        except redis.RedisError:
            return
        engine = self.spider.crawler.engine
        if not self.paused and backlog >= self.max_backlog:
            self.paused = True
            self.state.set_busy(True)  # a paused node's round is not quiet
            self.stats.inc_value("provnews/backlog_pauses")
            logger.warning("%s: %d pages wait for the writer (limit %d): pausing", self.state.site_id,
                           backlog, self.max_backlog)
            engine.pause()
        elif self.paused and backlog <= self.max_backlog * 0.8:
            self.paused = False
            logger.warning("%s: the writer caught up (%d pages wait): resuming", self.state.site_id, backlog)
            engine.unpause()

    def idle(self) -> None:
        try:
            self._idle()
        except redis.RedisError as e:  # Redis away: never take that for a finished round
            logger.warning("%s: Redis error while idle, waiting: %s", self.state.site_id, e)
            self.quiet_since = None
            raise DontCloseSpider from e

    def _idle(self) -> None:
        state = self.state
        state.set_busy(False)
        state.follow_round()
        if not state.round_quiet():
            self.quiet_since = None
            raise DontCloseSpider
        orphans, lists = state.orphans(), state.orphan_lists()
        if orphans or lists:  # a quiet round with unsettled work: its node died holding it
            mine = set(state.requeue([url for url, _ in orphans] + [url for url, _ in lists]))
            engine = self.spider.crawler.engine
            for url, hint in orphans:
                if url in mine:
                    self.stats.inc_value("provnews/requeued")
                    engine.crawl(self.spider.article_request(url, hint))
            for url, callback in lists:
                if url in mine:
                    self.stats.inc_value("provnews/requeued_lists")
                    engine.crawl(self.spider.list_request_again(url, callback))
            self.quiet_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.quiet_since is None:  # the round's work is done: its list validators are safe now
            state.commit_validators()
        self.quiet_since = self.quiet_since or now
        if self.idle_exit is not None:
            if now - self.quiet_since >= self.idle_exit:
                return  # let Scrapy close the spider: reason "finished"
            raise DontCloseSpider
        if state.round_age() >= self.every and state.new_round():  # service mode: next round
            self.stats.inc_value("provnews/rounds_started")
            for request in self.spider.seed_requests():
                self.spider.crawler.engine.crawl(request)
            self.quiet_since = None
        raise DontCloseSpider

    def closed(self, reason: str | None) -> None:
        """Tell the writer this node's part of the round is over (it records crawl_runs)."""
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        stats = self.stats.get_stats()
        record = {
            "site": self.state.site_id, "round": self.state.round or "", "node": self.state.node,
            "started_at": self.started_at, "finished_at": utc_now_iso(), "reason": reason or "",
            "service": self.idle_exit is None,  # a stopped service ("shutdown") ended normally
            "pages_fetched": stats.get("provnews/pages_fetched", 0),
            "fetch_errors": stats.get("provnews/articles_error", 0),
            "list_pages": stats.get("provnews/list_pages", 0),
            "list_errors": stats.get("provnews/list_errors", 0),
            "list_unchanged": stats.get("provnews/list_not_modified", 0),
        }
        try:
            self.state.r.xadd(STREAM, {"kind": "run", "run": json.dumps(record)})
        except redis.RedisError as e:
            logger.warning("%s: could not report the run to the writer: %s", self.state.site_id, e)
