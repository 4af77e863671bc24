"""The one config-driven spider: list pages → pagination → article pages, for one site per crawl.

`scrapy crawl news -a site=km-gov` (or `provnews crawl km-gov`, which runs the same class).
Articles become Page items (see pipelines/page.py); failures become Page items with an error, so
the store records every article URL we tried, fetched or not.
"""
from __future__ import annotations

import functools
import re
from urllib.parse import urljoin

from scrapy import Request, Spider, signals
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from w3lib.url import safe_url_string

from crawler import learnt
from crawler.discovery import parse_feed, parse_sitemap
from crawler.link_classes import (ARTICLE, Link, classify, clean_url, date_beside, entry_is_article, page_kind,
                                  page_tree, split)
from crawler.registry import Site
from crawler.state import CrawlState
from pipelines.page import new_page, utc_now_iso

# TRS WCM pager script: createPageHTML(countPage, currentPage0, "index", "html")
TRS_PAGER_RE = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")
# Headers that may carry credentials or session state: never kept.
PRIVATE_HEADERS = {"set-cookie", "cookie", "authorization", "proxy-authorization"}


def headers_to_dict(headers) -> dict[str, str]:
    out = {}
    for k, vals in headers.items():
        name = k.decode("latin-1")
        if name.lower() in PRIVATE_HEADERS:
            continue
        out[name] = ", ".join(v.decode("latin-1") for v in vals)
    return out


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def settles_list(callback):
    """A list callback (list page, sitemap, feed, robots.txt) that tells the state when it has
    yielded everything: in a shared crawl, a list request whose node dies before this point is
    put back in the queue, so the articles it would have found are never lost."""
    @functools.wraps(callback)
    def settled(self, response: Response):
        yield from callback(self, response) or ()
        self.state.list_done(response.meta.get("provnews_list"))
    return settled


class NewsSpider(Spider):
    name = "news"

    def __init__(self, site: Site, max_list_pages: int, max_links: int, state: CrawlState | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.state = state
        self.site = site
        self.allowed_domains = list(site.allowed_domains)
        self.start_urls = list(site.start_urls)
        self.max_list_pages = max_list_pages
        self.max_links = max_links
        self._article = [re.compile(p) for p in site.article_patterns]
        self._deny = [re.compile(p) for p in site.deny_patterns]
        self._follow = [re.compile(p) for p in site.follow_patterns]
        # no article regexes: links are classed by crawler/link_classes.py, with what earlier runs
        # learnt (template → kind, and the article-looking URLs that turned out to be lists)
        self.discover = not site.article_patterns
        # set by the crawl pipeline when its stage workers judge what a fetched "article" really is
        # (crawler/page_stages.py); otherwise (a shared crawl's node) parse_article judges it here
        self.kinds_in_stages = False
        self.learnt: dict[str, str] = {}
        self.known_lists: set[str] = set()
        self.max_depth, self.columns_per_page = 2, 12
        self._listed: set[str] = set(self.start_urls)  # list URLs asked for in this run
        self._pagers: set[str] = set()  # ... and those of them that are pagination (no deeper)

    @classmethod
    def from_crawler(cls, crawler, *args, site: str | Site = "", sites_dir: str = "", **kwargs):
        settings = crawler.settings
        job_lock = None
        if isinstance(site, str):  # scrapy crawl / Scrapyd: what `provnews crawl` does around a crawl
            from crawler.standalone import JobLock, Refused, RefusedSpider, check_settings, find_site

            try:
                site = find_site(site, sites_dir or settings.get("PROVNEWS_SITES_DIR"))
                check_settings(settings)
                if not settings.get("PROVNEWS_REDIS_URL"):  # a shared-crawl node has no database
                    job_lock = JobLock(crawler, site, scrapyd="_job" in kwargs)
            except Refused as refused:  # one log line, no traceback, nothing fetched or written
                return RefusedSpider.for_crawler(crawler, refused, **kwargs)
        # Per-site politeness: each site is its own Crawler, whose settings are still open here.
        if site.delay is not None:
            settings.set("DOWNLOAD_DELAY", site.delay, priority="spider")
            settings.set("AUTOTHROTTLE_START_DELAY", max(site.delay, 0.01), priority="spider")
        if site.concurrency is not None:
            settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", site.concurrency, priority="spider")
        max_pages = site.max_list_pages or settings.getint(
            "PROVNEWS_MAX_LIST_PAGES" if site.article_patterns else "PROVNEWS_DISCOVERY_MAX_LIST_PAGES")
        redis_url = settings.get("PROVNEWS_REDIS_URL")
        if redis_url:  # one of several crawler nodes sharing a frontier in Redis
            from crawler.shared_frontier import RedisState, node_client, node_settings

            for name, value in node_settings(site, settings, redis_url).items():
                settings.set(name, value, priority="spider")
            state = RedisState(node_client(redis_url), site.id, settings.getbool("PROVNEWS_REFRESH"),
                               site.refresh_after)
        else:
            state = CrawlState(settings.get("PROVNEWS_DB"), site.id,
                               settings.getbool("PROVNEWS_REFRESH"), site.refresh_after)
        # per-site limits: Scrapy reads these two from the spider's settings
        if site.timeout is not None:
            settings.set("DOWNLOAD_TIMEOUT", site.timeout, priority="spider")
        if site.max_bytes is not None:
            settings.set("DOWNLOAD_MAXSIZE", site.max_bytes, priority="spider")
            settings.set("DOWNLOAD_WARNSIZE", min(site.max_bytes, settings.getint("DOWNLOAD_WARNSIZE")),
                         priority="spider")
        max_links = site.max_links or settings.getint("PROVNEWS_MAX_LINKS_PER_PAGE")
        spider = cls(site, max_pages, max_links, state, *args, **kwargs)
        spider._set_crawler(crawler)
        spider.job_lock = job_lock  # held until the engine stops
        spider.max_depth = settings.getint("PROVNEWS_DISCOVERY_DEPTH")
        spider.columns_per_page = settings.getint("PROVNEWS_DISCOVERY_COLUMNS_PER_PAGE")
        if spider.discover and isinstance(state, CrawlState):  # a shared crawl's nodes learn nothing
            spider.learnt, spider.known_lists = learnt.load(state.db, site.id)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        if redis_url:
            from crawler.shared_node import SharedNode

            spider.node = SharedNode(spider, state, settings.get("PROVNEWS_IDLE_EXIT"))
        return spider

    node = None  # a SharedNode when this crawl is one node of a Redis-shared crawl

    def _closed(self, spider=None, reason=None):
        if self.node is not None:
            self.node.closed(reason)
        if self.state is not None:
            if self.discover and isinstance(self.state, CrawlState):  # the store has written it all
                learnt.learn(self.state.db, self.site.id)
            self.state.close(finished=reason == "finished")

    # --- start: unfinished work first, then lists, sitemaps, feeds ------------------------------
    async def start(self):
        if self.node is not None and not self.node.join():
            return  # the round runs already: this node takes its work from the shared queue
        for request in self.seed_requests():
            yield request

    def seed_requests(self):
        """A run's (or a shared round's) first requests."""
        for url, hint in self.state.pending():  # discovered by a run that did not finish them
            self.crawler.stats.inc_value("provnews/resumed")
            request = self._article_request(url, hint, hint.get("via", "list"), remember=False)
            if request is not None:
                yield request
        for url in self.start_urls:
            yield self._list_request(url)
        for url in self.site.sitemaps:
            yield self._list_request(url, self.parse_sitemap)
        for url in self.site.feeds:
            yield self._list_request(url, self.parse_feed)
        if self.site.robots_sitemaps:
            hosts = {urljoin(u, "/robots.txt") for u in (*self.site.start_urls, *self.site.sitemaps,
                                                         *self.site.feeds)}
            for url in sorted(hosts):
                yield Request(url, callback=self.parse_robots, errback=self.list_failed,
                              meta={"dont_obey_robotstxt": True, "provnews_list": url})

    def _list_request(self, url: str, callback=None, count: bool = True) -> Request:
        """List pages, sitemaps and feeds are always revisited, conditionally when we can."""
        if count:
            self.state.count_list_page()
        return Request(url, callback=callback or self.parse_list, errback=self.list_failed,
                       headers={} if self.state.refresh else self.state.validators(url),
                       meta={"provnews_kind": "list", "provnews_list": url,
                             "handle_httpstatus_list": [304]})

    def list_request_again(self, url: str, callback: str) -> Request:
        """A list request put back after its node died (past the dupefilter, which saw it)."""
        if callback == "parse_robots":
            return Request(url, callback=self.parse_robots, errback=self.list_failed, dont_filter=True,
                           meta={"dont_obey_robotstxt": True, "provnews_list": url})
        request = self._list_request(url, getattr(self, callback, self.parse_list), count=False)
        return request.replace(dont_filter=True)

    def _article_request(self, url: str, hint: dict, via: str, remember: bool = True) -> Request | None:
        if self.state.is_stored(url):
            self.crawler.stats.inc_value("provnews/skipped_stored")
            return None
        # asked for already in this run (by any node)? the first claim also enters the frontier
        if not self.state.claim(url, {"hint": {**hint, "via": via}, "via": via} if remember else None):
            return None
        return self.article_request(url, {**hint, "via": via})

    def article_request(self, url: str, hint: dict) -> Request:
        return Request(url, callback=self.parse_article, errback=self.article_failed, dont_filter=True,
                       meta={"list_hint": hint}, priority=10)

    def _unchanged(self, response: Response) -> bool:
        """304 Not Modified: nothing new on this list page, feed or sitemap; no parsing."""
        if response.status == 304:
            self.crawler.stats.inc_value("provnews/list_not_modified")
            return True
        self.crawler.stats.inc_value("provnews/list_pages")
        return False

    def _keep_validators(self, response: Response) -> None:
        """Called after the page's links are in the frontier: a later 304 then loses nothing. In a
        shared crawl they become the round's when the callback has yielded all (list_done)."""
        self.state.save_validators(response.url, _header(response, b"ETag"), _header(response, b"Last-Modified"),
                                   settles=response.meta.get("provnews_list"))

    def list_failed(self, failure):
        self.state.list_done(failure.request.meta.get("provnews_list"))
        self.crawler.stats.inc_value("provnews/list_errors")
        self.logger.warning("list page failed: %s: %s", failure.request.url, failure.getErrorMessage())

    @settles_list
    def parse_list(self, response: Response):
        if self._unchanged(response):
            return
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("provnews/list_errors")
            self.logger.warning("list page is not text: %s", response.url)
            return
        follow: list[str] = []
        if self.discover:
            yield from self._discovered(response, follow)
        for url, hint in () if self.discover else self.links(response):
            if any(p.search(url) for p in self._deny):
                continue
            if any(p.search(url) for p in self._article):
                request = self._article_request(url, hint, "list")
                if request is not None:
                    yield request
            elif any(p.search(url) for p in self._follow):
                follow.append(url)
        self._keep_validators(response)
        if self.site.trs_pager:
            m = TRS_PAGER_RE.search(response.text)
            if m:
                count, cur, stem, ext = int(m[1]), int(m[2]), m[3], m[4]
                if cur + 1 < count:
                    follow.append(urljoin(response.url, f"{stem}_{cur + 1}.{ext}"))
        depth = response.meta.get("provnews_depth", 0)
        for url in follow:
            if url in self._listed:  # every page's menu links the same columns: one budget each
                continue
            if self.state.list_pages_counted() >= self.max_list_pages:
                self.crawler.stats.inc_value("provnews/list_pages_capped")
                break
            self._listed.add(url)
            request = self._list_request(url)
            request.meta["provnews_depth"] = depth + (url not in self._pagers)
            yield request

    def _discovered(self, response: TextResponse, follow: list[str]):
        """Discovery mode: article requests for the links classed as articles; the list links
        (pagination always, columns above the depth limit) go into ``follow``, best first."""
        depth = response.meta.get("provnews_depth", 0)
        links = [Link(url, hint["text"], hint["date"]) for url, hint in self.links(response)
                 if not any(p.search(url) for p in self._deny)]
        articles, lists = split(classify(links, self.learnt))
        hints: dict[str | None, Link] = {}  # classify() returns cleaned URLs: key the hints so too
        for link in links:
            hints.setdefault(clean_url(link.url), link)
        for c in articles:
            if c.url in self.known_lists:  # fetched as an article once and held a list
                lists.append(c)
                continue
            link = hints.get(c.url) or Link(c.url)
            request = self._article_request(c.url, {"text": link.text, "date": link.date}, "list")
            if request is not None:
                yield request
        pagers = {c.url for c in lists if c.why == "pagination"}
        self._pagers |= pagers
        # columns with no sign of news in them get a few places and at most half the budget, so
        # a home page's forty menu entries cannot starve the news columns' pagination
        spare = min(self.columns_per_page, self.max_list_pages // 2 - self.state.list_pages_counted())
        for c in lists:
            if c.url in pagers or (depth < self.max_depth and (c.priority > 10 or spare > 0)):
                follow.append(c.url)
                spare -= c.url not in pagers and c.priority <= 10
        self.crawler.stats.inc_value("provnews/discovered_articles", len(articles))

    def links(self, response: TextResponse):
        """(absolute URL, list hint) for each in-domain link, with the date printed beside it."""
        scope = response.xpath(" | ".join(self.site.restrict_xpaths)) if self.site.restrict_xpaths else [response]
        seen: set[str] = set()
        for region in scope:
            for a in region.xpath(".//a[@href]"):
                if len(seen) >= self.max_links:
                    self.crawler.stats.inc_value("provnews/links_capped")
                    return
                href = a.attrib.get("href", "").strip()
                if not href or href.startswith(("javascript:", "mailto:", "#")):
                    continue
                url = safe_url_string(urljoin(response.url, href)).split("#")[0]
                if url in seen or not self.site.allows(url):
                    continue
                seen.add(url)
                text = " ".join("".join(a.xpath(".//text()").getall()).split())
                title = a.attrib.get("title", "").strip()
                yield url, {"text": title or text, "date": date_beside(a.root, text)}

    def _wanted(self, url: str) -> bool:
        """A sitemap or feed entry to fetch as an article."""
        return (self.site.allows(url)
                and not any(p.search(url) for p in self._deny)
                and (entry_is_article(url, self.learnt) if self.discover
                     else any(p.search(url) for p in self._article)))

    @settles_list
    def parse_sitemap(self, response: Response):
        if self._unchanged(response):
            return
        children, entries = parse_sitemap(response.body)
        for url in children:
            if self.state.list_pages_counted() < self.max_list_pages and self.site.allows(url):
                yield self._list_request(url, self.parse_sitemap)
        for entry in entries[: self.max_links]:
            if self._wanted(entry.url):
                request = self._article_request(entry.url, {"text": entry.title, "date": entry.date},
                                                "sitemap")
                if request is not None:
                    yield request
        self._keep_validators(response)

    @settles_list
    def parse_feed(self, response: Response):
        if self._unchanged(response):
            return
        for entry in parse_feed(response.body)[: self.max_links]:
            url = safe_url_string(urljoin(response.url, entry.url))
            if self._wanted(url):
                request = self._article_request(url, {"text": entry.title, "date": entry.date}, "feed")
                if request is not None:
                    yield request
        self._keep_validators(response)

    @settles_list
    def parse_robots(self, response: Response):
        from scrapy.utils.sitemap import sitemap_urls_from_robots

        for url in sitemap_urls_from_robots(response.text, base_url=response.url):
            if self.site.allows(url):
                yield self._list_request(url, self.parse_sitemap)

    # --- article pages ------------------------------------------------------------------------
    def parse_article(self, response: Response):
        # the address we asked for, before redirects: the URL the list page (and the user) knows
        redirects = response.meta.get("redirect_urls") or []
        headers = headers_to_dict(response.headers)
        page = new_page(
            redirects[0] if redirects else response.url,
            site=self.site.id, body=response.body, status=response.status,
            final_url=response.url, headers=headers,
            fetched_at=utc_now_iso(), list_hint=response.meta.get("list_hint") or {},
        )
        judge = self.discover and not self.kinds_in_stages
        tree = page_tree(response.body, headers, response.url, self.site.encoding) if judge else None
        kind = page_kind(tree, response.url) if tree is not None else ARTICLE
        if kind != ARTICLE:
            yield from self._not_an_article(response, page, kind)
            return
        yield page

    def _not_an_article(self, response: TextResponse, page: dict, kind: str):
        """A page fetched as an article that holds a list (a 专题 index, a column) or no story at
        all: recorded as such, never as an article (the store counts it apart from errors); its
        links are followed as a list's, within the list budget."""
        page["error"] = learnt.VERDICT_ERRORS[kind]
        yield page  # kept raw
        yield from self._follow_as_list(response, kind)

    def _follow_as_list(self, response: TextResponse, kind: str):
        """The links of a page that turned out to be no article, followed as a list's (its
        pagination, not its columns) while the list budget lasts."""
        self.crawler.stats.inc_value(f"provnews/article_was_{kind}")
        if self.state.list_pages_counted() < self.max_list_pages:  # a 专题 index, or a page of links
            self.state.count_list_page()
            response.meta["provnews_depth"] = self.max_depth
            yield from self.parse_list.__wrapped__(self, response)

    def judged(self, page: dict, kind: str, body: bytes) -> list[Request]:
        """The requests for a page the stage workers found to be no article (crawler/page_stages.py),
        as _not_an_article yields them in-line. They reach the engine without the spider
        middlewares, so what those would do here is done by hand: the Referer RefererMiddleware
        sets on a same-site link, and UrlLengthMiddleware's limit."""
        url = page.get("final_url") or page["url"]
        request = Request(url, meta={"list_hint": page.get("list_hint") or {}})
        response = HtmlResponse(url, body=body, headers=page.get("headers") or {}, request=request)
        limit = self.crawler.settings.getint("URLLENGTH_LIMIT") or None
        out = []
        for req in self._follow_as_list(response, kind):
            if limit and len(req.url) > limit:
                continue
            req.headers.setdefault("Referer", url)
            out.append(req)
        return out

    def article_failed(self, failure):
        """Record a failed article fetch (404, timeout, DNS...) as a page with its error."""
        request = failure.request
        asked = (request.meta.get("redirect_urls") or [request.url])[0]  # before any redirect
        status, headers, body, final = None, {}, b"", request.url
        if failure.check(HttpError):
            resp = failure.value.response
            status, headers, final = resp.status, headers_to_dict(resp.headers), resp.url
            error = f"http {resp.status}"
        else:
            error = f"fetch: {failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        yield new_page(asked, site=self.site.id, status=status, final_url=final,
                       headers=headers, body=body, list_hint=request.meta.get("list_hint") or {},
                       error=error)
