"""The crawl's item pipeline: the stages off the reactor, the writes off the reactor.

The reactor thread only fetches and parses list pages. Each article page goes to the stage pool
(pipelines/stage_pool.py: decode → extract → dates → dedup → search tokens in PROVNEWS_JOBS
worker processes, default every core; with 1, in the reactor thread), then to the single writer
thread (pipelines/batch_writer.py), which commits whatever has gathered in one transaction, the
pages' frontier entries included. process_item returns a Deferred that fires only once its page
has committed, so Scrapy counts the page as being processed until then; when the workers or the
writer fall behind, more than SCRAPER_SLOT_MAX_ACTIVE_SIZE bytes of responses are in process and
Scrapy stops scheduling downloads instead of letting memory grow. A kill -9 at any moment leaves
every page either committed or still in the frontier.

One pool and one writer serve every site crawled in the process (each site is its own Crawler).
"""
from __future__ import annotations

import functools
import threading

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.page_stages import CLASSIFY, crawl_stages
from pipelines import site_lines
from pipelines.batch_writer import BatchWriter, call_each
from pipelines.heap import limit_arenas, return_freed_memory
from pipelines.stage_pool import StagePool, default_jobs
from pipelines.store import StorePipeline


class _Shared:
    """The process's stage pool and writers (one per database), shared by the open spiders."""

    lock = threading.Lock()
    users = 0
    pool: StagePool | None = None
    writers: dict[str, BatchWriter] = {}

    @classmethod
    def acquire(cls, db: str, jobs: int, batch: int, linger: float) -> tuple[StagePool, BatchWriter]:
        with cls.lock:
            cls.users += 1
            if cls.pool is None:
                return_freed_memory()  # this process holds responses and pages by the hundred (heap.py)
                limit_arenas()  # before the writer's thread and the pool's start (heap.py)
                cls.pool = StagePool(jobs, clean_start=True, stages=crawl_stages)
            if db not in cls.writers:  # a batch's outcomes reach the reactor in one call
                cls.writers[db] = BatchWriter(db, batch, linger, deliver=lambda calls: reactor.callFromThread(
                    call_each, calls))
            return cls.pool, cls.writers[db]

    @classmethod
    def release(cls) -> None:
        """The last spider out closes the writers (after their queues are written) and the pool."""
        with cls.lock:
            cls.users -= 1
            if cls.users:
                return
            for writer in cls.writers.values():
                writer.close()
            cls.writers = {}
            if cls.pool is not None:
                cls.pool.close()
                cls.pool = None


class CrawlPipeline(StorePipeline):
    """Stages in the pool, store in the batch writer; crawl_runs as StorePipeline keeps them."""

    stage = "crawl"
    writer: BatchWriter | None = None  # taken (with the pool) by open_spider

    def open_spider(self):
        settings = self.crawler.settings
        # read first: a bad value stops the crawl before it opens a run or fetches anything
        self.line_limits = site_lines.Limits.of(settings)
        super().open_spider()
        jobs = settings.getint("PROVNEWS_JOBS") or default_jobs()
        self.pool, self.writer = _Shared.acquire(str(settings.get("PROVNEWS_DB")), jobs,
                                                 settings.getint("PROVNEWS_STORE_BATCH"),
                                                 settings.getfloat("PROVNEWS_STORE_LINGER"))
        self.rules = self.site_rules()
        site = getattr(self.crawler.spider, "site", None)
        lines = site_lines.load(self.db, site.id) if site is not None else frozenset()
        if lines:  # the site's template lines from its pages stored so far (pipelines/site_lines.py)
            self.rules = {**self.rules, "template_lines": lines}
        spider = self.crawler.spider
        if getattr(spider, "discover", False):  # the workers judge what each "article" really is
            self.rules = {**self.rules, CLASSIFY: True}
            spider.kinds_in_stages = True

    def close_spider(self):
        if self.writer is None:  # open_spider stopped before it took a share of the pool
            return super().close_spider()
        _Shared.release()  # every item has committed: Scrapy closes a spider once none is in process
        site = getattr(self.crawler.spider, "site", None)
        try:
            # its pages are all stored: its template lines for next time, if they may have moved
            if site is not None and site_lines.stale(self.db, site.id, self.line_limits):
                site_lines.refresh(self.db, site.id, self.line_limits)
        finally:
            super().close_spider()

    def process_item(self, item):
        done: Deferred = Deferred()
        self.writer.expect()  # a batch being gathered may wait for it

        def staged(future) -> None:  # in the pool's thread (or at once, without workers)
            try:
                page = future.result()
            except Exception as e:  # noqa: BLE001 - a broken pool: the page stays in the frontier
                self.writer.abandon()
                reactor.callFromThread(done.errback, Failure(e))
                return
            if page.get("page_kind"):  # fetched as an article, judged a list or nothing
                # its links enter the frontier before the page's commit removes its own row
                reactor.callFromThread(self._judged, page, item.get("body") or b"", done)
                return
            self._write(page, done)

        try:
            future = self.pool.submit(dict(item), self.rules)
        except Exception:
            self.writer.abandon()  # it will not come: no batch waits for it
            raise
        future.add_done_callback(staged)
        return done

    def _judged(self, page: dict, body: bytes, done: Deferred) -> None:
        """In the reactor thread: a list's links are claimed (into the frontier) and scheduled as
        the spider would have yielded them, and only then does the page go to the writer, so a
        kill between the two never leaves the list stored and its articles nowhere."""
        try:
            for request in self.crawler.spider.judged(page, page["page_kind"], body):
                self.crawler.engine.crawl(request)
        finally:
            self._write(page, done)

    def _write(self, page: dict, done: Deferred) -> None:
        """The processed page to the writer; ``done`` fires once its transaction has committed."""
        self.writer.put(page, functools.partial(self._stored, done, page), expected=True)

    def _stored(self, done: Deferred, page: dict, outcome) -> None:
        """In the reactor thread (one callFromThread per batch), once the page's transaction has
        committed (or failed)."""
        if isinstance(outcome, BaseException):
            done.errback(Failure(outcome))
            return
        stats = self.crawler.stats
        stats.inc_value("provnews/pages_fetched")
        stats.inc_value(f"provnews/articles_{outcome}")
        done.callback(page)
