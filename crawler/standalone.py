"""A crawl that Scrapy started itself (`scrapy crawl news -a site=ID`, a Scrapyd job) gets what
`provnews crawl` does around a crawl: the database's crawl lock, runs a dead crawl left
"running" closed, and the site's row in the `sites` table.

`provnews crawl` hands the spider a Site and has done all this already; Scrapy hands it the
site's id as a string, which is how the spider tells the two apart. What cannot run (no or an
unknown site, a relative database under Scrapyd, a database another crawl holds) is one log
line and a spider that fetches nothing and opens no database, never a traceback; so is a setting
that cannot be read.
"""
from __future__ import annotations

import logging
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import Spider, signals
from scrapy.exceptions import CloseSpider

from crawler.registry import Site, SiteConfigError, load_registry

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger("crawler.standalone")


class Refused(Exception):
    """This job must not crawl; ``reason`` is Scrapy's close reason, the message its log line."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def find_site(site_id: str, sites_dir: str) -> Site:
    """The site named by ``-a site=ID`` in the registry (PROVNEWS_SITES_DIR or the shipped one)."""
    try:
        registry = load_registry(sites_dir or None)
        if not site_id:
            known = ", ".join(sorted(registry.sites)) or "none"
            raise Refused("no_site", f"the news spider needs a site: -a site=ID (known: {known})")
        return registry.get(site_id)
    except SiteConfigError as e:
        raise Refused("bad_site", str(e)) from None
    except KeyError as e:
        raise Refused("bad_site", str(e.args[0])) from None


def check_settings(settings) -> None:
    """Settings the crawl reads only once it is under way, read now: a value that is no number
    (``-s``, or Scrapyd's ``-d setting=``) refuses the job in one line, before any database is
    opened or page fetched."""
    from pipelines.site_lines import Limits

    try:
        Limits.of(settings)
    except ValueError as e:
        raise Refused("bad_setting", str(e)) from None


class JobLock:
    """The database's crawl lock for a job's lifetime (released when the engine stops)."""

    def __init__(self, crawler: Crawler, site: Site, scrapyd: bool):
        from provnews.lock import Locked, crawl_lock
        from provnews.runner import close_interrupted_runs, record_sites

        db = crawler.settings.get("PROVNEWS_DB")
        if scrapyd and not Path(db).is_absolute():
            raise Refused("relative_db", f"PROVNEWS_DB {db!r} is relative: a Scrapyd job would write it "
                          "into Scrapyd's working directory; schedule with -d setting=PROVNEWS_DB=/abs/path.db")
        self.stack = ExitStack()
        try:
            self.stack.enter_context(crawl_lock(db))
        except Locked as e:
            record_locked(db, site.id, str(e))
            raise Refused("locked", f"{e}: nothing fetched (recorded in crawl_runs)") from None
        close_interrupted_runs(db)
        record_sites(db, [site])
        crawler.signals.connect(self.release, signal=signals.engine_stopped)

    def release(self) -> None:
        self.stack.close()


def record_locked(db_path: str, site_id: str, why: str) -> None:
    """A job that found the database locked leaves a finished, failed run saying why."""
    from pipelines import runs
    from pipelines.store import connect

    db = connect(db_path)
    runs.record_locked(db, site_id, why)
    db.conn.close()


class RefusedSpider(Spider):
    """Stands in for the news spider when a job must not crawl: no requests, no pipelines (so no
    database is opened), and the refusal's reason as the close reason Scrapy logs."""

    name = "news"

    @classmethod
    def for_crawler(cls, crawler: Crawler, refused: Refused, **kwargs) -> RefusedSpider:
        logger.error("%s", refused)
        crawler.settings.set("ITEM_PIPELINES", {}, priority="spider")
        spider = cls(**kwargs)
        spider.reason = refused.reason
        spider._set_crawler(crawler)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    async def start(self):
        return
        yield  # an async generator of nothing

    def idle(self):
        raise CloseSpider(self.reason)
