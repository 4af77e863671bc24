"""Run a crawl of several sites in one process: one Scrapy Crawler per site, one reactor.

Each site is its own Crawler so that its politeness settings and stats stay its own; a site
whose file is broken or whose start pages all fail is reported as failed while the others run.
Every site run is a row in crawl_runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.items import utc_now_iso
from crawler.registry import Registry, Site, SiteConfigError, load_registry
from crawler.spiders.news import NewsSpider
from pipelines.store import connect

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75


@dataclass
class SiteResult:
    site: str
    status: str = "ok"  # ok | failed
    pages_fetched: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    errors: int = 0
    list_pages: int = 0
    message: str = ""


@dataclass
class CrawlSummary:
    results: list[SiteResult] = field(default_factory=list)
    crawled: int = 0  # sites that got as far as a crawl (not stopped by their config)

    @property
    def exit_code(self) -> int:
        if not self.crawled:
            return EXIT_USAGE  # nothing could run: bad configuration or usage
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


def run_crawl(sites: list[Site], settings: Settings, progress=None) -> CrawlSummary:
    """Crawl the given sites into settings['PROVNEWS_DB']; blocks until all are done."""
    db = connect(settings.get("PROVNEWS_DB"))
    process = CrawlerProcess(settings)
    summary = CrawlSummary()
    runs: dict[str, tuple[int, SiteResult, object]] = {}
    for site in sites:
        crawler = process.create_crawler(NewsSpider)
        result = SiteResult(site=site.id)
        run_id = db["crawl_runs"].insert({
            "site": site.id, "started_at": utc_now_iso(), "status": "running",
            "pages_fetched": 0, "articles_new": 0, "articles_updated": 0, "errors": 0,
        }).last_pk
        runs[site.id] = (run_id, result, crawler)
        if progress is not None:
            progress.add_site(site.id)
            crawler.signals.connect(
                lambda item, site_id=site.id: progress.page_done(site_id, item),
                signal=signals.item_scraped)
        process.crawl(crawler, site=site)
    process.start()
    for site_id, (run_id, result, crawler) in runs.items():
        stats = crawler.stats.get_stats()
        result.pages_fetched = stats.get("provnews/pages_fetched", 0)
        result.articles_new = stats.get("provnews/articles_new", 0)
        result.articles_updated = stats.get("provnews/articles_updated", 0)
        result.list_pages = stats.get("provnews/list_pages", 0)
        result.errors = stats.get("provnews/articles_error", 0) + stats.get("provnews/list_errors", 0)
        reason = stats.get("finish_reason", "")
        if reason != "finished":
            result.status, result.message = "failed", f"crawl ended: {reason or 'did not run'}"
        elif result.list_pages == 0:
            result.status, result.message = "failed", "no list page could be read"
        db["crawl_runs"].update(run_id, {
            "finished_at": utc_now_iso(), "status": result.status,
            "pages_fetched": result.pages_fetched, "articles_new": result.articles_new,
            "articles_updated": result.articles_updated, "errors": result.errors,
            "message": result.message or None,
        })
        summary.results.append(result)
    db.conn.close()
    return summary


def crawl(wanted: list[str], db: str | Path, sites_dir: str | Path | None = None,
          proxy: str = "", log_level: str = "WARNING", progress=None,
          overrides: dict | None = None) -> CrawlSummary:
    settings = build_settings(db, sites_dir, proxy, log_level, overrides)
    registry = load_registry(settings.get("PROVNEWS_SITES_DIR"))
    sites, failed = select_sites(registry, wanted)
    summary = run_crawl(sites, settings, progress) if sites else CrawlSummary()
    summary.crawled = len(sites)
    summary.results = failed + summary.results
    return summary
