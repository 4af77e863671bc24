"""Run a crawl of several sites in one process: one Scrapy Crawler per site, one reactor.

Each site is its own Crawler so that its politeness settings and stats stay its own; a site
whose file is broken or whose start pages all fail is reported as failed while the others run.
Every site run is a row in crawl_runs.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.registry import Registry, Site, SiteConfigError, load_registry
from crawler.spiders.news import NewsSpider
from pipelines import runs
from pipelines.store import connect

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 75, 130


@dataclass
class SiteResult:
    site: str
    status: str = "ok"  # ok | failed | interrupted
    pages_fetched: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    errors: int = 0
    list_pages: int = 0
    list_unchanged: int = 0  # 304 Not Modified
    message: str = ""


@dataclass
class CrawlSummary:
    results: list[SiteResult] = field(default_factory=list)
    crawled: int = 0  # sites that got as far as a crawl (not stopped by their config)
    nothing_due: bool = False  # --due and no site's interval had passed: a success

    @property
    def exit_code(self) -> int:
        if self.nothing_due:
            return EXIT_SOME_FAILED if self.results else EXIT_OK
        if not self.crawled:
            return EXIT_USAGE  # nothing could run: bad configuration or usage
        if any(r.status == "interrupted" for r in self.results):
            return EXIT_INTERRUPTED
        return EXIT_SOME_FAILED if any(r.status != "ok" for r in self.results) else EXIT_OK


def build_settings(db: str | Path, sites_dir: str | Path | None = None, proxy: str = "",
                   log_level: str | None = None, overrides: dict | None = None) -> Settings:
    s = Settings()
    s.setmodule(default_settings, priority="project")
    s.set("PROVNEWS_DB", str(db), priority="cmdline")
    if sites_dir:
        s.set("PROVNEWS_SITES_DIR", str(sites_dir), priority="cmdline")
    if proxy:
        s.set("PROVNEWS_PROXY", proxy, priority="cmdline")
    if log_level:
        s.set("LOG_LEVEL", log_level, priority="cmdline")
    for k, v in (overrides or {}).items():
        s.set(k, v, priority="cmdline")
    return s


def select_sites(registry: Registry, wanted: list[str]) -> tuple[list[Site], list[SiteResult]]:
    """The sites to crawl, and a failed result for each named-but-broken or unknown one."""
    failed: list[SiteResult] = []
    if not wanted:
        failed = [SiteResult(site=Path(e.path).stem, status="failed", message=str(e))
                  for e in registry.errors]
        return list(registry.sites.values()), failed
    sites = []
    for site_id in wanted:
        try:
            sites.append(registry.get(site_id))
        except (SiteConfigError, KeyError) as e:
            failed.append(SiteResult(site=site_id, status="failed", message=str(e).strip("'\"")))
    return sites, failed


class OneLineErrors(logging.Filter):
    """Scrapy logs a failed download (and a robots.txt that could not be fetched) with the whole
    traceback of Twisted's failure; on a user's terminal the record becomes one line, its cause
    (the exception's type and message) appended when the message does not already say it.
    `provnews crawl -v` shows Scrapy's log as it is."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            err = record.exc_info[1]
            message = record.getMessage()
            if str(err) not in message:
                record.msg, record.args = f"{message} ({type(err).__name__}: {err})", ()
        record.exc_info = record.exc_text = record.stack_info = None
        return True


def _one_line_errors() -> None:
    """Put OneLineErrors on the handlers Scrapy installed (once: crawls may run one per site)."""
    for handler in logging.root.handlers:
        if not any(isinstance(f, OneLineErrors) for f in handler.filters):
            handler.addFilter(OneLineErrors())


def run_crawl(sites: list[Site], settings: Settings, progress=None) -> CrawlSummary:
    """Crawl the given sites into settings['PROVNEWS_DB']; blocks until all are done.

    The store pipeline opens and closes each site's crawl_runs row; this settles them (see
    pipelines/runs.py) and reads them back for the summary."""
    process = CrawlerProcess(settings)
    crawlers = []
    for site in sites:
        crawler = process.create_crawler(NewsSpider)
        if progress is not None:
            progress.add_site(site.id)
            # weak=False: the dispatcher holds receivers by weak reference, and nothing else
            # holds this lambda; collected, the live display would stay at "pages 0"
            crawler.signals.connect(
                lambda item, site_id=site.id: progress.page_done(site_id, item),
                signal=signals.item_scraped, weak=False)
        process.crawl(crawler, site=site)
        crawlers.append((site, crawler))
    if settings.get("LOG_LEVEL") not in ("DEBUG", "INFO"):  # a user's terminal, not -v; after
        _one_line_errors()  # process.crawl, which installs Scrapy's log handler anew
    process.start()
    if settings.get("PROVNEWS_REDIS_URL"):
        service = settings.get("PROVNEWS_IDLE_EXIT") is None
        return CrawlSummary(results=[shared_result(site, crawler.stats.get_stats(), service)
                                     for site, crawler in crawlers])
    summary = CrawlSummary()
    db = connect(settings.get("PROVNEWS_DB"))
    for site, crawler in crawlers:
        stats = crawler.stats.get_stats()
        outcome = runs.settle_run(db, stats.get("provnews/run_id"), stats)
        if outcome is None:  # the crawl never opened (e.g. failed to start)
            result = SiteResult(site=site.id, status="failed", message="crawl did not start")
        else:
            result = SiteResult(site=site.id, status=outcome["status"],
                                pages_fetched=outcome["pages_fetched"],
                                articles_new=outcome["articles_new"],
                                articles_updated=outcome["articles_updated"], errors=outcome["errors"],
                                list_pages=stats.get("provnews/list_pages", 0),
                                list_unchanged=stats.get("provnews/list_not_modified", 0),
                                message=outcome["message"] or "")
        summary.results.append(result)
    db.conn.close()
    return summary


def shared_result(site: Site, stats: dict, service: bool = False) -> SiteResult:
    """A crawler node's figures for one site: it has no database, so its Scrapy stats say it all
    (articles new/updated are the writer's to count: see crawl_runs). A service node stopped by
    SIGTERM/SIGINT ("shutdown") ended normally."""
    reason = stats.get("finish_reason", "")
    failed = not runs.node_finished(reason, service)
    return SiteResult(site=site.id, status="failed" if failed else "ok",
                      pages_fetched=stats.get("provnews/pages_fetched", 0),
                      errors=stats.get("provnews/articles_error", 0) + stats.get("provnews/list_errors", 0),
                      list_pages=stats.get("provnews/list_pages", 0),
                      list_unchanged=stats.get("provnews/list_not_modified", 0),
                      message=f"crawl ended: {reason}" if failed else "")


def crawl_shared(wanted: list[str], redis_url: str, sites_dir: str | Path | None = None,
                 proxy: str = "", log_level: str = "WARNING", progress=None,
                 idle_exit: float | None = None, refresh: bool = False,
                 max_backlog: int | None = None) -> CrawlSummary:
    """One crawler node of a shared crawl: no database and no lock; pages go to Redis.
    Raises redis.RedisError at once when Redis cannot be reached."""
    from crawler.shared_frontier import connect_redis

    connect_redis(redis_url).close()
    overrides = {"PROVNEWS_REDIS_URL": redis_url, "PROVNEWS_IDLE_EXIT": idle_exit,
                 "PROVNEWS_REFRESH": refresh}
    if max_backlog is not None:
        overrides["PROVNEWS_MAX_BACKLOG"] = max_backlog
    settings = build_settings("", sites_dir, proxy, log_level, overrides)
    registry = load_registry(settings.get("PROVNEWS_SITES_DIR"))
    sites, failed = select_sites(registry, wanted)
    return _run_selected(sites, failed, settings, progress)


def due_sites(sites: list[Site], db_path: str | Path, default_every: int) -> list[Site]:
    """Sites whose interval has passed since their last successful run."""
    from datetime import datetime, timezone

    db = connect(db_path)
    now = datetime.now(timezone.utc)
    due = []
    for site in sites:
        last = runs.last_ok_start(db, site.id)
        last = datetime.fromisoformat(last) if last else None
        every = site.every if site.every is not None else default_every
        if last is None or (now - last).total_seconds() >= every:
            due.append(site)
    db.conn.close()
    return due


def record_sites(db_path: str | Path, sites: list[Site]) -> None:
    """Keep the sites table in step with the registry (names, provinces) for SQL and browsing."""
    db = connect(db_path)
    runs.record_sites(db, sites)
    db.conn.close()


def close_interrupted_runs(db_path: str | Path) -> int:
    """Runs still marked running belong to a crawl that died (we hold the lock): mark them."""
    db = connect(db_path)
    n = runs.close_interrupted_runs(db)
    db.conn.close()
    return n


def crawl(wanted: list[str], db: str | Path, sites_dir: str | Path | None = None,
          proxy: str = "", log_level: str = "WARNING", progress=None,
          overrides: dict | None = None, only_due: bool = False) -> CrawlSummary:
    """Crawl under the database's lock (the caller takes it: see provnews.lock)."""
    from crawler.registry import default_every

    settings = build_settings(db, sites_dir, proxy, log_level, overrides)
    registry = load_registry(settings.get("PROVNEWS_SITES_DIR"))
    sites, failed = select_sites(registry, wanted)
    close_interrupted_runs(db)
    if only_due:
        sites = due_sites(sites, db, default_every(settings))
        if not sites:
            return CrawlSummary(results=failed, nothing_due=True)
    record_sites(db, sites)
    return _run_selected(sites, failed, settings, progress)


def _run_selected(sites: list[Site], failed: list[SiteResult], settings: Settings, progress) -> CrawlSummary:
    """Crawl the sites that could be selected; the ones that could not lead the results."""
    summary = run_crawl(sites, settings, progress) if sites else CrawlSummary()
    summary.crawled = len(sites)
    summary.results = failed + summary.results
    return summary
